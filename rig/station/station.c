#include "rig/station/station.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/sim/model.h"
#include "rig/base/error.h"

int bench_sim_model(struct bench *b, struct sim_model **out)
{
	struct sim_unit unit;
	int rc;

	if (b->sim) {
		*out = b->sim;
		return 0;
	}
	sim_unit_defaults(&unit);
	if (b->opt.sim_unit && (rc = sim_unit_load(&unit, b->opt.sim_unit)) != 0)
		return rc;
	b->sim = malloc(sizeof(*b->sim));
	if (!b->sim)
		return rig_error(RIG_ERR_NOMEM, "sim: out of memory");
	rc = sim_model_init(b->sim, &unit, b->opt.seed, b->opt.truth_path);
	if (rc) {
		free(b->sim);
		b->sim = NULL;
		return rc;
	}
	*out = b->sim;
	return 0;
}

static int unknown_backend(const struct fixture *fx, const char *what, const char *name)
{
	return rig_error(RIG_ERR_INVALID, "%s: %s driver \"%s\" is not built into this rig",
			 fx->path, what, name);
}

int bench_open(struct bench *b, const struct fixture *fx, const struct bench_options *opt)
{
	const struct daq_ops *dops = daq_backend(fx->daq.driver);
	const struct uut_ops *uops = uut_backend(fx->uut.driver);
	const struct scale_ops *sops = fx->scale.driver[0] ? scale_backend(fx->scale.driver) : NULL;
	int rc;

	memset(b, 0, sizeof(*b));
	b->fx = fx;
	b->opt = *opt;
	if (!dops)
		return unknown_backend(fx, "DAQ", fx->daq.driver);
	if (!uops)
		return unknown_backend(fx, "unit", fx->uut.driver);
	if (fx->scale.driver[0] && !sops)
		return unknown_backend(fx, "balance", fx->scale.driver);
	/* The unit first: with the sim, it creates the model the others share. */
	if ((rc = uops->open(&b->uut, &fx->uut, b)) != 0 ||
	    (rc = dops->open(&b->daq, &fx->daq, b)) != 0 ||
	    (sops && (rc = sops->open(&b->scale, &fx->scale, b)) != 0)) {
		bench_close(b);
		return rc;
	}
	return 0;
}

void bench_close(struct bench *b)
{
	if (b->scale)
		b->scale->ops->close(b->scale);
	if (b->daq)
		b->daq->ops->close(b->daq);
	if (b->uut)
		b->uut->ops->close(b->uut);
	if (b->sim) {
		sim_model_release(b->sim);
		free(b->sim);
	}
	memset(b, 0, sizeof(*b));
}

void bench_set_step(struct bench *b, const char *step)
{
	snprintf(b->step, sizeof(b->step), "%s", step);
	if (b->sim)
		sim_model_set_step(b->sim, step);
}
