#ifndef RIG_STATION_STATION_H
#define RIG_STATION_STATION_H

/*
 * The station a run drives: the fixture and the open DAQ, unit and balance,
 * each through its contract (drivers/daq.h, uut.h, scale.h) and a backend
 * chosen by name in the fixture. The backends are opened with a narrow
 * driver context (drivers/context.h), never with the station itself; when
 * any backend is "sim", the sim backends share one sim model through it.
 */
#include "drivers/context.h"
#include "drivers/daq.h"
#include "drivers/scale.h"
#include "drivers/uut.h"
#include "rig/base/fixture.h"

struct station {
	const struct fixture *fx;
	struct driver_context drivers; /* what the backends were opened with */
	struct daq *daq;
	struct uut *uut;
	struct scale *scale;      /* NULL when the fixture has no balance */
};

/* Open every instrument the fixture names; on failure nothing stays open. */
int station_open(struct station *st, const struct fixture *fx, const struct driver_options *opt);
void station_release(struct station *st);

/* Tell the backends which step runs now (the sim labels truth rows with it). */
void station_set_step(struct station *st, const char *step);


#endif
