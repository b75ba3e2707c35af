#ifndef RIG_DRIVERS_CONTEXT_H
#define RIG_DRIVERS_CONTEXT_H

/*
 * What a backend's open() receives besides its own section of the fixture:
 * the whole fixture read-only (a channel map, the environment, the path for
 * messages), the options for simulated hardware, and one slot for state the
 * backends of a family share (the sim's model: the DAQ that synthesises the
 * signal fires the unit it armed and fills the balance). Never the station:
 * drivers know nothing above them (drivers/README.md).
 */
#include <stdint.h>

#include "rig/base/fixture.h"

struct driver_options {
	const char *sim_unit;   /* sim unit file; NULL for the built-in nominal unit */
	uint64_t seed;          /* sim randomness */
	int realtime;           /* sim: pace the virtual clock to the wall clock */
	const char *truth_path; /* sim: where to write truth.csv; NULL: nowhere */
};

/* State shared by the backends of one family, created by the first of them
 * opened and released with the context. */
struct driver_shared {
	void *state;                                     /* NULL until created */
	void (*set_step)(void *state, const char *step); /* may be NULL */
	void (*release)(void *state);
};

struct driver_context {
	const struct fixture *fx;
	struct driver_options opt;
	struct driver_shared shared;
};

/* Tell the backends which step runs now (the sim labels truth rows with it). */
void driver_context_set_step(struct driver_context *ctx, const char *step);

/* Release the shared state; the context can be opened with again. */
void driver_context_release(struct driver_context *ctx);

#endif
