/* The fixture's queries: channels by role, uncertainties, the calibration
 * interlock. Loading a fixture file is rig/station/fixture_load.c. */
#include "rig/base/fixture.h"

#include <string.h>

#include "rig/base/error.h"

int fixture_channel(const struct fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->daq.nchannels; i++)
		if (!strcmp(fx->daq.channels[i].name, name))
			return (int)i;
	return -1;
}

static const struct fixture_uncertainty *uncertainty_of(const struct fixture *fx,
							 const char *quantity)
{
	for (size_t i = 0; i < fx->nuncertainties; i++)
		if (!strcmp(fx->uncertainties[i].quantity, quantity))
			return &fx->uncertainties[i];
	return NULL;
}

double fixture_uncertainty(const struct fixture *fx, const char *quantity, double value)
{
	const struct fixture_uncertainty *u = uncertainty_of(fx, quantity);

	return u ? u->u + u->rel_pct / 100.0 * (value < 0 ? -value : value) : 0;
}

double fixture_coverage_k(const struct fixture *fx, const char *quantity)
{
	const struct fixture_uncertainty *u = uncertainty_of(fx, quantity);

	return u && u->budget.n ? u->budget.k : 2;
}

static int expired(const struct fixture_certificate *c, const char *date)
{
	return c->due[0] && strcmp(c->due, date) < 0;
}

int fixture_check_calibration(const struct fixture *fx, const char *date)
{
	for (size_t i = 0; i < fx->daq.nchannels; i++) {
		const struct fixture_channel *ch = &fx->daq.channels[i];

		if (expired(&ch->cert, date))
			return rig_error(RIG_ERR_INTERLOCK,
					 "%s:%d: calibration of the %s sensor (certificate %s) expired on %s "
					 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
					 fx->path, ch->cert.line, ch->name, ch->cert.id, ch->cert.due);
	}
	if (fx->scale.driver[0] && expired(&fx->scale.cert, date))
		return rig_error(RIG_ERR_INTERLOCK,
				 "%s:%d: calibration of the balance (certificate %s) expired on %s "
				 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
				 fx->path, fx->scale.cert.line, fx->scale.cert.id, fx->scale.cert.due);
	if (fx->timebase.model[0] && expired(&fx->timebase.cert, date))
		return rig_error(RIG_ERR_INTERLOCK,
				 "%s:%d: calibration of the timebase (certificate %s) expired on %s "
				 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
				 fx->path, fx->timebase.cert.line, fx->timebase.cert.id,
				 fx->timebase.cert.due);
	return 0;
}
