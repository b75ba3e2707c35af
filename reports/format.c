#include "reports/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void range(char *buf, size_t len, const char *what, double lo, double hi)
{
	if (isnan(lo) && isnan(hi))
		buf[0] = '\0';
	else if (isnan(lo))
		snprintf(buf, len, "%s <= %.4g", what, hi);
	else if (isnan(hi))
		snprintf(buf, len, "%s >= %.4g", what, lo);
	else
		snprintf(buf, len, "%s %.4g..%.4g", what, lo, hi);
}

static int has_ti(const struct measurement *m)
{
	return !isnan(m->ti_lo) || !isnan(m->ti_hi);
}

static int distribution_free(const struct measurement *m)
{
	return !strcmp(m->ti_method, "distribution-free");
}

void format_measured(const struct measurement *m, char *buf, size_t len)
{
	if (m->expected >= 0)
		snprintf(buf, len, "%ld of %ld", m->count, m->expected);
	else if (m->n == 0)
		snprintf(buf, len, "no values");
	else if (has_ti(m))
		snprintf(buf, len, "mean %.4g %s, TI%s %.4g..%.4g", m->mean, m->unit,
			 distribution_free(m) ? "(df)" : "", isnan(m->ti_lo) ? m->min : m->ti_lo,
			 isnan(m->ti_hi) ? m->max : m->ti_hi);
	else if (distribution_free(m)) /* non-normal, too few values for any TI */
		snprintf(buf, len, "mean %.4g %s, TI(df) needs n >= %zu", m->mean, m->unit,
			 m->ti_n_required);
	else if (m->n == 1)
		snprintf(buf, len, "%.5g %s", m->mean, m->unit);
	else
		snprintf(buf, len, "mean %.4g %s, values %.4g..%.4g", m->mean, m->unit, m->min, m->max);
}

void format_limits(const struct measurement *m, char *buf, size_t len)
{
	char a[48], b[48];

	if (m->expected >= 0) {
		snprintf(buf, len, "exactly %ld", m->expected);
		return;
	}
	range(a, sizeof(a), "mean", m->mean_lo, m->mean_hi);
	range(b, sizeof(b), m->ti_method[0] ? "TI" : "each", m->lsl, m->usl);
	snprintf(buf, len, "%s%s%s", a, a[0] && b[0] ? ", " : "", b);
}

void format_ti(const struct measurement *m, char *buf, size_t len)
{
	if (has_ti(m) && distribution_free(m))
		snprintf(buf, len, "%.4g..%.4g (order statistics, %g %%/%g %%)", m->ti_lo, m->ti_hi,
			 100 * m->confidence, 100 * m->coverage);
	else if (!has_ti(m) || isnan(m->k))
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.4g..%.4g (k %.4g, %g %%/%g %%)", m->ti_lo, m->ti_hi, m->k,
			 100 * m->confidence, 100 * m->coverage);
}

void format_cpk(const struct measurement *m, char *buf, size_t len)
{
	if (isnan(m->cpk))
		buf[0] = '\0';
	else if (isnan(m->cpk_lo))
		snprintf(buf, len, "%.3g", m->cpk);
	else
		snprintf(buf, len, "%.3g (>= %.3g)", m->cpk, m->cpk_lo);
}

/* Measurement names and the instrument each comes from (fixture channel
 * names; "" the balance; NULL the DAQ's own sample clock). */
static const struct {
	const char *name, *channel, *instrument;
} sources[] = {
	{ "depth_mm", "displacement", "displacement sensor" },
	{ "volume_ul", "plunger", "plunger sensor" },
	{ "interval_ms", "@timebase", "DAQ sample clock" },
	{ "shot_count", NULL, "shot detection (count)" },
	{ "burst_volume_ul", "", "balance" },
};

void format_trace(const struct fixture *fx, const char *name, struct trace *t)
{
	t->instrument = "(not recorded)";
	t->model = "";
	t->cert = NULL;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		if (strcmp(name, sources[i].name))
			continue;
		t->instrument = sources[i].instrument;
		if (sources[i].channel && !sources[i].channel[0]) {
			t->model = fx->scale.model;
			t->cert = fx->scale.cert.id[0] ? &fx->scale.cert : NULL;
		}
		if (sources[i].channel && !strcmp(sources[i].channel, "@timebase")) {
			t->model = fx->timebase.model;
			t->cert = fx->timebase.model[0] ? &fx->timebase.cert : NULL;
		}
		for (size_t c = 0; sources[i].channel && c < fx->daq.nchannels; c++)
			if (!strcmp(fx->daq.channels[c].name, sources[i].channel)) {
				t->model = fx->daq.channels[c].sensor;
				t->cert = fx->daq.channels[c].cert.id[0] ? &fx->daq.channels[c].cert
									 : NULL;
			}
	}
}

void format_traceability(const struct fixture *fx, const struct measurement *m, char *buf,
			 size_t len)
{
	struct trace t;
	char cert[200];

	format_trace(fx, m->name, &t);
	if (t.cert)
		snprintf(cert, sizeof(cert), "certificate %s (%s), calibrated %s, due %s", t.cert->id,
			 t.cert->issuer, t.cert->calibrated[0] ? t.cert->calibrated : "(date not recorded)",
			 t.cert->due);
	else
		snprintf(cert, sizeof(cert), "NOT TRACEABLE: no calibration certificate in the chain");
	snprintf(buf, len, "U = %.3g %s (k = %.4g) <- %s%s%s <- %s", m->uncertainty, m->unit,
		 fixture_coverage_k(fx, m->name), t.instrument, t.model[0] ? " " : "", t.model, cert);
}
