#ifndef RIG_DRIVERS_BACKENDS_H
#define RIG_DRIVERS_BACKENDS_H

/* Every backend's ops table; drivers/registry.c lists them by name. */
#include "drivers/daq.h"
#include "drivers/scale.h"
#include "drivers/uut.h"

extern const struct daq_ops sim_daq_ops;
extern const struct daq_ops comedi_daq_ops;
/* A socket's channel group of a board the batch's acquisition process owns
 * (drivers/batch_daq.h); only a batch starts it. */
extern const struct daq_ops batch_daq_ops;
extern const struct uut_ops sim_uut_ops;
extern const struct uut_ops injector_uut_ops;
extern const struct scale_ops sim_scale_ops;
extern const struct scale_ops mtsics_scale_ops;

/* Backends by the name a fixture gives them (drivers/registry.c). NULL when
 * this rig has no such backend. */
const struct daq_ops *daq_backend(const char *name);
const struct uut_ops *uut_backend(const char *name);
const struct scale_ops *scale_backend(const char *name);

/* Load a sim unit file to check it (file:line errors) before a run starts:
 * a bad one must leave no run behind, in the run folder or the store
 * (drivers/sim/unit.c). */
int sim_unit_check(const char *path);

#endif
