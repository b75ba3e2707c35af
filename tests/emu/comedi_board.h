#ifndef RIG_TESTS_EMU_COMEDI_BOARD_H
#define RIG_TESTS_EMU_COMEDI_BOARD_H

/*
 * An emulated Comedi board on /dev/comedi0, at the system-call boundary:
 * umockdev creates the device node (major 98) and hands every ioctl and
 * read() on it to this emulator, which answers like the comedi kernel
 * module with an NI PCI-6221 attached (ni_pcimio): 16 analog inputs,
 * 16 bits, ranges +-10/+-5/+-1/+-0.2 V, 250 kS/s aggregate, 8 DIO lines.
 * The real comedilib, unmodified, talks to it.
 *
 * Its analog inputs play either a ramp (every code predictable, for the
 * streaming tests) or the sim bench (drivers/sim/signal.c on the model of
 * the run open in this process), so a run through the Comedi driver sees
 * the sim bench's very waveforms.
 *
 * The emulator lives in a umockdev worker thread and answers while the
 * test thread waits in the system call. Start it inside the test (Check
 * forks each test): one testbed per process.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/base/fixture.h"
#include "tests/emu/sim_active.h"

enum emu_signal {
	EMU_RAMP,  /* code of channel c in scan s: (s * nchannels + c) & 0xffff */
	EMU_SIM,   /* the sensors of fixture fx on sim_model_active() */
	EMU_CHANNEL, /* code of channel c in scan s: c << 12 | (s & 0xfff): which input
	                it came from and when, for the tests that split scans */
};

/* EMU_SIM for a board the sockets of a batch share: a group of inputs
 * plays the sensors of its own sim model, its trigger line fires it. */
struct emu_group {
	const struct fixture_daq *daq;  /* the group's channels (board numbers, sensors) */
	struct sim_model *model;
	int trigger_line;
	uint64_t seed;                  /* of its sensors' noise */
};

struct emu_comedi_config {
	const char *board;         /* NULL: "pci-6221" */
	unsigned ai_channels;      /* 0: 16 */
	enum emu_signal signal;
	const struct fixture *fx;  /* EMU_SIM: the run's fixture (channel map, sensors) */
	uint64_t seed;             /* EMU_SIM: the run's --seed */
	/* EMU_SIM with groups: each plays its own model (fx: environment and
	 * bits); none: fx's channels play sim_model_active(). */
	struct emu_group groups[2];
	unsigned ngroups;
	/* Bytes the board adds to its buffer each time the host finds it
	 * empty; need not be whole samples. 0: one fixture block (the sim
	 * bench's pace, so the trigger lands on the same scan). */
	size_t chunk_bytes;
	uint64_t overrun_at_scan;  /* EMU_RAMP: samples lost from this scan on; 0 never */
	uint64_t stall_at_scan;    /* the scan clock stops inside this scan, until
	                              emu_comedi_resume(); 0 never */
	int old_kernel;            /* overrun reported by read() only, not by BUFINFO */
	double gain_error;         /* converter: code = ideal * (1 + gain_error) + offset */
	double offset_codes;
	int trigger_stuck;         /* the trigger line reads 0 whatever is written */
	int realtime;              /* scans come at the rate in wall-clock time, as from a
	                              real board (else as fast as the host reads) */
};

/* What the board saw, for assertions. */
struct emu_comedi_stats {
	unsigned commands;         /* COMEDI_CMD accepted */
	unsigned cancels;
	unsigned reads;            /* read() calls that returned data */
	size_t most_read_bytes;    /* the largest count a read() asked for */
	unsigned scan_period_ns;   /* of the last command */
	unsigned chanlist[16];     /* of the last command */
	unsigned chanlist_len;
	unsigned buffer_bytes;     /* acquisition buffer size set */
	unsigned dio_outputs;      /* bit mask of DIO lines configured as outputs */
	unsigned dio_state;        /* last value written to the DIO port */
	unsigned trigger_presses;  /* 0 -> 1 edges on the fixture's trigger line */
	unsigned line_presses[8];  /* 0 -> 1 edges on each DIO line */
	unsigned released_running; /* lines that went 1 -> 0 while a command ran */
	uint64_t scans_acquired;   /* made available to the host */
};

/* The testbed, for other emulators to add their devices to. */
struct _UMockdevTestbed *emu_comedi_testbed(void);

/* Create the testbed and /dev/comedi0. Aborts the test on failure. */
void emu_comedi_start(const struct emu_comedi_config *cfg);
/* A testbed with no Comedi device at all. */
void emu_comedi_start_empty(void);
void emu_comedi_stop(void);
void emu_comedi_stats(struct emu_comedi_stats *st);
void emu_comedi_resume(void);

#endif
