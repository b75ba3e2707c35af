#include "rig/judge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/error.h"
#include "rig/stats.h"

void acceptance_init(struct acceptance *a)
{
	memset(a, 0, sizeof(*a));
	a->target = a->mean_lo = a->mean_hi = NAN;
	a->ti_lo = a->ti_hi = a->each_lo = a->each_hi = NAN;
	a->confidence = 0.95;
	a->coverage = 0.975;
	a->count = -1;
}

/* The verdict of value v against [lo, hi] with guard band g. */
static enum verdict against(double v, double lo, double hi, double g)
{
	if ((!isnan(lo) && v < lo) || (!isnan(hi) && v > hi))
		return VERDICT_FAIL;
	if ((!isnan(lo) && v < lo + g) || (!isnan(hi) && v > hi - g))
		return VERDICT_INDETERMINATE;
	return VERDICT_PASS;
}

static void fmt_limit(char *buf, size_t len, double v, const char *none)
{
	if (isnan(v))
		snprintf(buf, len, "%s", none);
	else
		snprintf(buf, len, "%.4g", v);
}

/* Add "<what> outside [lo, hi]" (or "inside the guard band of") to the reason. */
static void note(struct measurement *m, enum verdict v, const char *what, double lo, double hi)
{
	size_t len = strlen(m->reason);
	char l[32], h[32];

	if (v == VERDICT_PASS)
		return;
	fmt_limit(l, sizeof(l), lo, "-inf");
	fmt_limit(h, sizeof(h), hi, "+inf");
	snprintf(m->reason + len, sizeof(m->reason) - len, "%s%s %s [%s, %s]", len ? "; " : "",
		 what, v == VERDICT_FAIL ? "outside" : "inside the guard band of", l, h);
	m->verdict = verdict_worse(m->verdict, v);
}

int judge_sample(const double *x, size_t n, const struct acceptance *a, double u,
		 struct measurement *out)
{
	struct sample_stats st;
	int want_ti = !isnan(a->ti_lo) || !isnan(a->ti_hi);
	enum verdict v;
	char what[128];

	stats_describe(x, n, &st);
	snprintf(out->requirement, sizeof(out->requirement), "%s", a->requirement);
	snprintf(out->unit, sizeof(out->unit), "%s", a->unit);
	out->target = a->target;
	out->n = n;
	out->mean = st.mean;
	out->sd = st.sd;
	out->min = st.min;
	out->max = st.max;
	out->mean_lo = a->mean_lo;
	out->mean_hi = a->mean_hi;
	out->lsl = want_ti ? a->ti_lo : a->each_lo;
	out->usl = want_ti ? a->ti_hi : a->each_hi;
	out->uncertainty = u;
	out->guard_band = u;
	out->verdict = VERDICT_PASS;
	out->reason[0] = '\0';

	if (a->count >= 0) {
		out->count = (long)n;
		out->expected = a->count;
		if ((long)n != a->count) {
			snprintf(what, sizeof(what), "%zu values where exactly %ld are required", n,
				 a->count);
			snprintf(out->reason, sizeof(out->reason), "%s", what);
			out->verdict = VERDICT_FAIL;
		}
	}
	if (n == 0) {
		snprintf(out->reason, sizeof(out->reason), "no values");
		out->verdict = VERDICT_FAIL;
		return 0;
	}
	if (!isnan(a->mean_lo) || !isnan(a->mean_hi)) {
		snprintf(what, sizeof(what), "mean %.4g", st.mean);
		note(out, against(st.mean, a->mean_lo, a->mean_hi, u), what, a->mean_lo, a->mean_hi);
	}
	if (want_ti) {
		int sides = (!isnan(a->ti_lo) && !isnan(a->ti_hi)) ? 2 : 1;
		int rc;

		if (n < 2)
			return rig_error(RIG_ERR_INVALID,
					 "%s: a tolerance interval needs at least 2 values, got %zu",
					 a->requirement, n);
		rc = stats_tolerance_k(n, a->confidence, a->coverage, sides, K_APPROX, &out->k);
		if (rc)
			return rc;
		out->confidence = a->confidence;
		out->coverage = a->coverage;
		out->ti_lo = sides == 2 || !isnan(a->ti_lo) ? st.mean - out->k * st.sd : NAN;
		out->ti_hi = sides == 2 || !isnan(a->ti_hi) ? st.mean + out->k * st.sd : NAN;
		v = verdict_worse(isnan(a->ti_lo) ? VERDICT_PASS
						  : against(out->ti_lo, a->ti_lo, NAN, u),
				  isnan(a->ti_hi) ? VERDICT_PASS
						  : against(out->ti_hi, NAN, a->ti_hi, u));
		snprintf(what, sizeof(what), "tolerance interval [%.4g, %.4g]", out->ti_lo,
			 out->ti_hi);
		note(out, v, what, a->ti_lo, a->ti_hi);
	}
	if (!isnan(a->each_lo) || !isnan(a->each_hi)) {
		v = verdict_worse(against(st.min, a->each_lo, a->each_hi, u),
				  against(st.max, a->each_lo, a->each_hi, u));
		snprintf(what, sizeof(what), n == 1 ? "value %.4g" : "values from %.4g to %.4g",
			 st.min, st.max);
		note(out, v, what, a->each_lo, a->each_hi);
	}
	out->cpk = stats_cpk(st.mean, st.sd, out->lsl, out->usl);
	out->cpk_lo = stats_cpk_lower(out->cpk, n, 0.95);
	return 0;
}
