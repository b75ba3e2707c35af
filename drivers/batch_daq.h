#ifndef RIG_DRIVERS_BATCH_DAQ_H
#define RIG_DRIVERS_BATCH_DAQ_H

/*
 * A DAQ board several sockets share (docs/script-api.md, "Several units at
 * once"): one board runs one hardware-timed command, so one process of the
 * batch (rig/run/acquire.c) owns the board and runs a command with every
 * socket's channel group, and each socket's run reads its group's scans
 * through the "batch" DAQ backend (drivers/batch/daq.c).
 *
 * They talk over one SOCK_SEQPACKET socket pair per socket (message
 * boundaries kept), the socket's end at file descriptor $RIG_BATCH_DAQ_FD.
 * Both ends are the same rig binary, so messages are these structs as
 * they are in memory. The socket sends a request and waits for its reply;
 * between start and stop the acquisition process also sends DATA (the
 * group's codes, scan after scan) and, when the board fails, FAULT.
 */
#include <stdint.h>

#include "drivers/daq.h"

#define BDAQ_ENV_FD "RIG_BATCH_DAQ_FD"

enum bdaq_type {
	/* socket -> acquisition process */
	BDAQ_OPEN = 1,     /* reply: struct bdaq_opened, or rc and text */
	BDAQ_START,        /* rate_hz; reply: rate_hz and t0_s granted */
	BDAQ_STOP,
	BDAQ_TRIGGER,      /* arg: 1 pressed, 0 released, on this socket's line */
	/* acquisition process -> socket */
	BDAQ_REPLY = 16,   /* rc 0, or a RIG_ERR_* and the message as text */
	BDAQ_DATA,         /* nscans scans of the socket's channels from first_scan */
	BDAQ_FAULT,        /* the board failed: rc and text; the stream ends */
};

struct bdaq_head {
	uint32_t type;
	int32_t rc;
	int32_t arg;
	uint32_t nscans;
	uint64_t first_scan;  /* since the socket's start, as struct daq_block's */
	double rate_hz;
	double t0_s;
};

/* What the socket's struct daq is filled with, from the board as opened. */
struct bdaq_opened {
	uint32_t nchannels;
	struct daq_channel channels[DAQ_MAX_CHANNELS];
	char board[64];
	char driver_name[32];
};

#define BDAQ_TEXT_MAX 1024
/* DATA carries at most this many bytes of codes: a larger block goes as
 * several messages, each within the socket buffer. */
#define BDAQ_DATA_MAX 32768u
#define BDAQ_MSG_MAX (sizeof(struct bdaq_head) + BDAQ_DATA_MAX)

#endif
