#ifndef RIG_DRIVERS_COMEDI_H
#define RIG_DRIVERS_COMEDI_H

/*
 * The Comedi DAQ backend (drivers/daq.h) through comedilib: api.c opens the
 * board and checks it against the fixture, command.c negotiates the
 * hardware-timed scan, stream.c reads it, calibration.c picks each
 * channel's code-to-unit polynomial, list.c lists boards (drivers/devices.h),
 * errors.c translates comedilib's errors. Calls run one way: api.c uses
 * command, stream and calibration, which use only errors.c.
 *
 * Symbols here are cdaq_*: comedi_* belongs to comedilib.
 */
#include <comedilib.h>
#include <stdint.h>

#include "drivers/daq.h"

struct cdaq {
	struct daq base;
	comedi_t *dev;
	const struct fixture_daq *cfg;
	const char *fixture;        /* fixture file, for messages */
	unsigned ai, dio;           /* subdevices */
	int trigger_ready;          /* the trigger line is an output */
	unsigned socket_lines;      /* every socket's trigger line (a board the
	                               sockets of a batch share), as a mask */
	unsigned chanlist[DAQ_MAX_CHANNELS]; /* CR_PACK(number, range, aref) per channel */
	unsigned sample_bytes;      /* 2 (sampl_t) or 4 (SDF_LSAMPL boards) */
	unsigned buffer_bytes;      /* kernel acquisition buffer granted */
	lsampl_t clock_open[2];     /* board clock (INSN_GTOD: s, us) when opened */
	int clock_set;
	comedi_cmd cmd;             /* the acquisition last negotiated */

	/* The stream between start and stop. */
	uint8_t *raw;               /* bytes read, up to one block */
	size_t raw_have;
	uint16_t *codes;            /* the block handed to the engine */
	uint64_t scan;              /* scans delivered since start */
	int running;
	int pending;                /* RIG_ERR_* to report once the data before it is delivered */
	int pending_errno;
};

/* rig_error() for a failed comedilib call: appends comedilib's reason and
 * maps its errno to a RIG_ERR_* code. */
int cdaq_lib_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The RIG_ERR_* code for a comedilib/libc errno. */
int cdaq_errno_code(int err);

/* "fixture:line" or "fixture" when the line is unknown. */
const char *cdaq_where(const struct cdaq *d, int line);

/*
 * Negotiate a continuous scan of every channel at rate_hz with
 * comedi_command_test; on success d->cmd holds it and *granted the rate
 * the board will run. A rate the board cannot reach within 1 % is refused.
 */
int cdaq_negotiate(struct cdaq *d, double rate_hz, double *granted);


/* Fill ch->poly and ch->calibration for fixture channel fc read on range
 * range_index: the board's soft calibration composed with the fixture's
 * polynomial when a calibration file covers it, else the fixture's. */
struct cdaq_softcal;
int cdaq_softcal_open(struct cdaq *d, struct cdaq_softcal **out);
void cdaq_softcal_close(struct cdaq_softcal *cal);
int cdaq_calibrate(struct cdaq *d, const struct cdaq_softcal *cal,
		   const struct fixture_channel *fc, unsigned range_index,
		   const comedi_range *range, struct daq_channel *ch);

int cdaq_stream_start(struct cdaq *d);
int cdaq_stream_read(struct cdaq *d, struct daq_block *blk, unsigned timeout_ms);
int cdaq_stream_stop(struct cdaq *d);

#endif
