#include "rig/station/station.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/batch_daq.h"
#include "rig/base/error.h"

static int unknown_backend(const struct fixture *fx, const char *what, const char *name)
{
	return rig_error(RIG_ERR_INVALID, "%s: %s driver \"%s\" is not built into this rig",
			 fx->path, what, name);
}

int station_open(struct station *st, const struct fixture *fx, const struct driver_options *opt)
{
	/* A socket of a batch whose sockets share one board reads its channel
	 * group from the batch's acquisition process (rig/run/acquire.c). */
	const struct daq_ops *dops = daq_backend(fx->socket[0] && getenv(BDAQ_ENV_FD) ? "batch"
										    : fx->daq.driver);
	const struct uut_ops *uops = uut_backend(fx->uut.driver);
	const struct scale_ops *sops = fx->scale.driver[0] ? scale_backend(fx->scale.driver) : NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	st->fx = fx;
	st->drivers.fx = fx;
	st->drivers.opt = *opt;
	if (!dops)
		return unknown_backend(fx, "DAQ", fx->daq.driver);
	if (!uops)
		return unknown_backend(fx, "unit", fx->uut.driver);
	if (fx->scale.driver[0] && !sops)
		return unknown_backend(fx, "balance", fx->scale.driver);
	/* The unit first: with the sim, it creates the model the others share. */
	if ((rc = uops->open(&st->uut, &fx->uut, &st->drivers)) != 0 ||
	    (rc = dops->open(&st->daq, &fx->daq, &st->drivers)) != 0 ||
	    (sops && (rc = sops->open(&st->scale, &fx->scale, &st->drivers)) != 0)) {
		station_release(st);
		return rc;
	}
	return 0;
}

void station_release(struct station *st)
{
	if (st->scale)
		st->scale->ops->close(st->scale);
	if (st->daq)
		st->daq->ops->close(st->daq);
	if (st->uut)
		st->uut->ops->close(st->uut);
	driver_context_release(&st->drivers);
	memset(st, 0, sizeof(*st));
}

void station_set_step(struct station *st, const char *step)
{
	driver_context_set_step(&st->drivers, step);
}
