#ifndef RIG_TESTS_EMU_COMEDI_EMU_H
#define RIG_TESTS_EMU_COMEDI_EMU_H

/*
 * Inside the emulated Comedi board (tests/emu/comedi_board.h): the state
 * shared by comedi_board.c (device node, information ioctls, instructions)
 * and comedi_acquire.c (commands, the acquisition buffer, read()).
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <time.h>

#include <comedi.h>

#include "drivers/sim/signal.h"
#include "tests/emu/comedi_board.h"

#define EMU_AI 0              /* subdevice numbers of ni_pcimio on an M-series board */
#define EMU_DIO 2
#define EMU_NSUBDEVICES 14
#define EMU_MAXDATA 0xffffu
#define EMU_NRANGES 4
#define EMU_AI_NS 4000u        /* one conversion: 250 kS/s aggregate */
#define EMU_TIMER_NS 50u       /* the scan timer counts a 20 MHz clock */
#define EMU_DIO_LINES 8

extern const double emu_range_v[EMU_NRANGES];

struct emu_board {
	struct emu_comedi_config cfg;
	struct emu_comedi_stats stats;
	size_t scan_bytes;

	/* The running command (the kernel's per-subdevice async state). */
	int busy, running, error;
	comedi_cmd cmd;
	unsigned chanlist[16];
	double rate_hz;
	uint64_t scans;            /* generated since the command started */
	uint8_t *fifo;             /* generated, not yet read */
	size_t fifo_len, fifo_cap;
	uint64_t write_count;      /* bytes made available to the host */
	uint64_t read_count;       /* bytes the host has read */
	unsigned buffer_bytes, max_buffer_bytes;
	int resumed;               /* the stalled clock runs again */
	struct timespec started;   /* wall clock of the command's start (realtime) */

	/* EMU_SIM */
	struct sim_signal signal;
	int signal_ready;          /* noise seeded for this open, as the sim DAQ's open does */
	struct sim_model *model;
	double t0;                 /* model time of scan 0 */
	int fixture_of[16];        /* chanlist entry -> fixture channel, -1 unwired */
	/* EMU_SIM with groups */
	int group_of[16];          /* chanlist entry -> group */
	struct sim_signal gsignal[2];
	double gt0[2];
};

extern struct emu_board emu;

/* The acquisition ioctls and read(), on arguments already copied from the
 * client: each returns what the ioctl returns, or -errno. */
int emu_cmdtest(comedi_cmd *cmd);
int emu_cmd(comedi_cmd *cmd);
int emu_cancel(unsigned subdevice);
int emu_bufconfig(comedi_bufconfig *bc);
int emu_bufinfo(comedi_bufinfo *bi);
long emu_read(uint8_t *buf, size_t count);
/* Whether the analog input subdevice is acquiring (SDF_RUNNING, SDF_BUSY). */
unsigned emu_ai_flags(void);
/* The open file went away (closed, or another opened): the kernel cancels
 * what it left running; the next open starts afresh. */
void emu_release(void);
/* The board clock, s: the sim's virtual time when it plays the sim. */
double emu_clock(void);

#endif
