#include "drivers/sim/signal.h"

#include <math.h>
#include <string.h>

#include "drivers/sim/model.h"

/* The plunger sensor reads this level when a capture starts (the syringe is
 * refilled between bursts, so its range never runs out). */
#define PLUNGER_START_UL 200.0
#define TRIGGER_HIGH_V 5.0

static enum sim_role role_of(const char *name)
{
	static const struct {
		const char *name;
		enum sim_role role;
	} roles[] = {
		{ "displacement", SIM_ROLE_DISPLACEMENT },
		{ "plunger", SIM_ROLE_PLUNGER },
		{ "trigger", SIM_ROLE_TRIGGER },
		{ "temperature", SIM_ROLE_TEMPERATURE },
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(name, roles[i].name))
			return roles[i].role;
	return SIM_ROLE_OTHER;
}

void sim_signal_init(struct sim_signal *s, const struct fixture_daq *daq,
		     const struct fixture_environment *env, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->daq = daq;
	s->env = env;
	for (size_t i = 0; i < daq->nchannels; i++)
		s->role[i] = role_of(daq->channels[i].name);
	sim_rng_seed(&s->noise, seed, 2);
}

void sim_signal_start(struct sim_signal *s, struct sim_model *m)
{
	double ext;

	sim_model_advance(m, m->now);
	sim_model_sample(m, m->now, &ext, &s->volume_at_start);
}

void sim_signal_scan(struct sim_signal *s, const struct sim_model *m, double t, double *x)
{
	double ext, vol;

	sim_model_sample(m, t, &ext, &vol);
	for (size_t c = 0; c < s->daq->nchannels; c++) {
		const struct fixture_channel *fc = &s->daq->channels[c];

		switch (s->role[c]) {
		case SIM_ROLE_DISPLACEMENT: x[c] = ext * (fc->sim_gain > 0 ? fc->sim_gain : 1); break;
		case SIM_ROLE_PLUNGER: x[c] = vol - s->volume_at_start + PLUNGER_START_UL; break;
		case SIM_ROLE_TRIGGER: x[c] = m->pressed ? TRIGGER_HIGH_V : 0; break;
		case SIM_ROLE_TEMPERATURE: x[c] = s->env->temperature_c; break;
		case SIM_ROLE_OTHER: x[c] = 0; break;
		}
		x[c] += fc->sim_drift_per_s * t;
		if (fc->sim_noise > 0)
			x[c] += fc->sim_noise * sim_rng_normal(&s->noise);
	}
}

/* Newton from the linear guess: calibration polynomials are monotonic and
 * nearly linear over the converter's range. */
double sim_signal_code(const double *poly, int order, double x)
{
	double code = (x - poly[0]) / poly[1];

	for (int it = 0; it < 4 && order > 1; it++) {
		double f = 0, df = 0, p = 1;

		for (int k = 0; k <= order; k++) {
			f += poly[k] * p;
			if (k < order)
				df += (k + 1) * poly[k + 1] * p;
			p *= code;
		}
		if (df != 0)
			code -= (f - x) / df;
	}
	return code;
}

uint16_t sim_signal_adc(double code, uint32_t maxdata)
{
	code = floor(code + 0.5);
	if (code < 0)
		return 0;
	if (code > maxdata)
		return (uint16_t)maxdata;
	return (uint16_t)code;
}
