#ifndef RIG_DRIVERS_BACKENDS_H
#define RIG_DRIVERS_BACKENDS_H

/* Every backend's ops table; drivers/registry.c lists them by name. */
#include "drivers/daq.h"
#include "drivers/scale.h"
#include "drivers/uut.h"

extern const struct daq_ops sim_daq_ops;
extern const struct uut_ops sim_uut_ops;
extern const struct uut_ops injector_uut_ops;
extern const struct scale_ops sim_scale_ops;
extern const struct scale_ops mtsics_scale_ops;

#endif
