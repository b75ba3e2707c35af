#ifndef RIG_DRIVERS_SCALE_H
#define RIG_DRIVERS_SCALE_H

/*
 * The balance contract, for gravimetric dose checks (DOSE-GRAV): an
 * analytical balance that zeroes, tares and reports mass. A real one speaks
 * MT-SICS over a serial port (drivers/balance); the sim weighs what the
 * model dispensed.
 *
 * Every call returns 0 or a negative RIG_ERR_* code with rig_error() set.
 */
#include "rig/station/fixture.h"

struct bench;

struct scale_reading {
	double grams;
	int stable;   /* the balance declared the reading stable */
};

struct scale {
	const struct scale_ops *ops;
	char model[64];
	char serial[64];
};

struct scale_ops {
	const char *name;   /* fixture scale.driver value that selects this backend */

	int (*open)(struct scale **out, const struct fixture_scale *cfg, struct bench *bench);
	void (*close)(struct scale *sc);

	/* Zero the empty balance (stable): the reference for gross weights.
	 * May be NULL when the balance cannot. */
	int (*zero)(struct scale *sc);

	/* Tare with the current load (stable); the display reads 0 after. */
	int (*tare)(struct scale *sc);

	/* A stable net reading, waiting up to timeout_ms for stability
	 * (RIG_ERR_TIMEOUT when it never settles). */
	int (*weigh)(struct scale *sc, unsigned timeout_ms, struct scale_reading *r);

	/* The current reading, stable or not. */
	int (*weigh_now)(struct scale *sc, struct scale_reading *r);
};

#endif
