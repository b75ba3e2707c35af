#ifndef RIG_DRIVERS_DAQ_H
#define RIG_DRIVERS_DAQ_H

/*
 * The DAQ contract: hardware-timed multi-channel analog input plus the
 * digital output that presses the injector's trigger. A backend (sim,
 * comedi) implements struct daq_ops; the engine calls nothing else.
 *
 * Samples are raw ADC codes. Calibration to physical units is the engine's
 * job (rig/measure), from the polynomial in each struct daq_channel: the
 * backend fills it from the board's own soft calibration when it has one,
 * else copies the fixture's. Drivers never judge or convert data.
 *
 * Every call returns 0 or a negative RIG_ERR_* code with rig_error() set.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/station/fixture.h"

struct bench;

#define DAQ_MAX_CHANNELS FIXTURE_MAX_CHANNELS

/* One analog input channel as the engine sees it after open. */
struct daq_channel {
	char name[32];     /* role from the fixture: displacement, plunger, trigger, ... */
	char unit[16];     /* unit after calibration */
	double poly[FIXTURE_MAX_POLY]; /* code -> unit: poly[0] + poly[1]*code + ... */
	int poly_order;    /* highest power used in poly */
	uint32_t maxdata;  /* largest code the converter returns (65535 for 16 bits) */
	double range_v[2]; /* electrical range actually selected, volts */
	char calibration[80]; /* where poly came from: certificate ID or "comedi softcal" */
};

/* A block of consecutive scans, valid until the next read or stop. */
struct daq_block {
	const uint16_t *codes; /* nscans * nchannels codes, one scan after another,
	                          channels in daq->channels order */
	size_t nscans;
	uint64_t first_scan;   /* index of codes[0]'s scan since start: its time is
	                          first_scan / rate_hz seconds after start */
};

struct daq {
	const struct daq_ops *ops;
	size_t nchannels;
	struct daq_channel channels[DAQ_MAX_CHANNELS];
	double rate_hz;        /* scan rate granted by the last start (0 before) */
	double t0_s;           /* bench-clock time of scan 0 of the last start, s since
	                          the bench opened (the sim's virtual clock) */
	char board[64];        /* board name reported by the hardware */
	char driver_name[32];  /* kernel/backend driver name */
};

struct daq_ops {
	const char *name;   /* fixture daq.driver value that selects this backend */

	/* Open the device the fixture names and fill (*out)->channels from the
	 * fixture's channel map, checking the board can serve it. */
	int (*open)(struct daq **out, const struct fixture_daq *cfg, struct bench *bench);

	/* Release everything; stops an acquisition still running. NULL is fine. */
	void (*close)(struct daq *daq);

	/* Start acquiring every channel at rate_hz scans/s (or the nearest rate
	 * the hardware grants, stored in daq->rate_hz). */
	int (*start)(struct daq *daq, double rate_hz);

	/* Wait up to timeout_ms for the next block. A block may hold any number
	 * of scans >= 1. Lost samples are RIG_ERR_OVERRUN, never data. */
	int (*read)(struct daq *daq, struct daq_block *block, unsigned timeout_ms);

	/* Stop acquiring. Blocks not yet read are discarded. */
	int (*stop)(struct daq *daq);

	/* Drive the trigger output line: 1 pressed, 0 released. Takes effect
	 * between the scans already delivered and the next ones. */
	int (*trigger)(struct daq *daq, int pressed);
};

#endif
