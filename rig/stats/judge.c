#include "rig/stats/judge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

void acceptance_init(struct acceptance *a)
{
	memset(a, 0, sizeof(*a));
	a->target = a->mean_lo = a->mean_hi = NAN;
	a->ti_lo = a->ti_hi = a->each_lo = a->each_hi = NAN;
	a->confidence = 0.95;
	a->coverage = 0.975;
	a->method = K_EXACT;
	a->normality_alpha = JUDGE_NORMALITY_ALPHA;
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

/* Append one clause to the reason and worsen the verdict to v. */
static void say(struct measurement *m, enum verdict v, const char *text)
{
	size_t len = strlen(m->reason);

	snprintf(m->reason + len, sizeof(m->reason) - len, "%s%s", len ? "; " : "", text);
	m->verdict = verdict_worse(m->verdict, v);
}

/* "<what> outside [lo, hi]" or "<what> inside the guard band (U = u) of [lo, hi]". */
static void note(struct measurement *m, enum verdict v, const char *what, double lo, double hi)
{
	char l[32], h[32], text[400];

	if (v == VERDICT_PASS)
		return;
	fmt_limit(l, sizeof(l), lo, "-inf");
	fmt_limit(h, sizeof(h), hi, "+inf");
	if (v == VERDICT_FAIL)
		snprintf(text, sizeof(text), "%s outside [%s, %s]", what, l, h);
	else
		snprintf(text, sizeof(text), "%s inside the guard band (U = %.3g) of [%s, %s]", what,
			 m->guard_band, l, h);
	say(m, v, text);
}

/* Anderson-Darling on every sample that can take it; only the TI depends on it. */
static int test_normality(const double *x, size_t n, const struct sample_stats *st,
			  const struct acceptance *a, struct measurement *out)
{
	out->normality_alpha = a->normality_alpha;
	if (n < STATS_AD_MIN_N || !(st->sd > 0))
		return 0;
	return stats_anderson_darling(x, n, &out->normality_a2, &out->normality_p);
}

static int normality_rejected(const struct measurement *m)
{
	return !isnan(m->normality_p) && m->normality_p < m->normality_alpha;
}

/* x̄ ± k s with the spec's k-factor method. */
static int normal_ti(const struct sample_stats *st, const struct acceptance *a, int sides,
		     struct measurement *out)
{
	int rc = stats_tolerance_k(st->n, a->confidence, a->coverage, sides, a->method, &out->k);

	if (rc)
		return rc;
	snprintf(out->ti_method, sizeof(out->ti_method), "%s", stats_k_method_name(a->method));
	out->ti_lo = sides == 2 || !isnan(a->ti_lo) ? st->mean - out->k * st->sd : NAN;
	out->ti_hi = sides == 2 || !isnan(a->ti_hi) ? st->mean + out->k * st->sd : NAN;
	return 0;
}

/*
 * Too few values for a distribution-free interval: the coverage cannot be
 * shown, so INDETERMINATE - unless so many values lie outside the limits
 * that coverage >= P is itself rejected at the same confidence (a binomial
 * test), which is a FAIL.
 */
static void df_short(const double *x, size_t n, const struct acceptance *a, const char *why,
		     struct measurement *out)
{
	size_t outside = 0;
	char text[400];

	for (size_t i = 0; i < n; i++)
		outside += (!isnan(a->ti_lo) && x[i] < a->ti_lo) ||
			   (!isnan(a->ti_hi) && x[i] > a->ti_hi);
	if (stats_binomial_upper(outside, n, 1 - a->coverage) < 1 - a->confidence) {
		snprintf(text, sizeof(text),
			 "%zu of %zu values outside the TI limits: coverage below %.4g %% at "
			 "%.4g %% confidence",
			 outside, n, 100 * a->coverage, 100 * a->confidence);
		say(out, VERDICT_FAIL, text);
		return;
	}
	snprintf(text, sizeof(text),
		 "%s%zu values are too few for a distribution-free %.4g %%/%.4g %% interval "
		 "(needs %zu)",
		 why, n, 100 * a->confidence, 100 * a->coverage, out->ti_n_required);
	say(out, VERDICT_INDETERMINATE, text);
}

/* Order statistics: drop m values in all, half from each end when two-sided. */
static int df_ti(const double *x, size_t n, const struct acceptance *a, int sides,
		 struct measurement *out)
{
	size_t m = stats_df_trim(n, a->confidence, a->coverage, sides);
	double *y;

	snprintf(out->ti_method, sizeof(out->ti_method), "distribution-free");
	out->ti_n_required = stats_df_min_n(a->confidence, a->coverage, sides);
	if (m == 0)
		return 0;
	y = stats_sorted_copy(x, n);
	if (!y)
		return rig_error(RIG_ERR_NOMEM, "out of memory for %zu values", n);
	if (sides == 2 || !isnan(a->ti_lo))
		out->ti_rank_lo = sides == 2 ? m / 2 : m;
	if (sides == 2 || !isnan(a->ti_hi))
		out->ti_rank_hi = n + 1 - (sides == 2 ? m / 2 : m);
	out->ti_lo = out->ti_rank_lo ? y[out->ti_rank_lo - 1] : NAN;
	out->ti_hi = out->ti_rank_hi ? y[out->ti_rank_hi - 1] : NAN;
	free(y);
	return 0;
}

static int judge_ti(const double *x, const struct sample_stats *st, const struct acceptance *a,
		    double u, struct measurement *out)
{
	int sides = (!isnan(a->ti_lo) && !isnan(a->ti_hi)) ? 2 : 1;
	char what[96], why[256] = "";
	enum verdict v;
	int rc;

	if (st->n < 2)
		return rig_error(RIG_ERR_INVALID,
				 "%s: a tolerance interval needs at least 2 values, got %zu",
				 a->requirement, st->n);
	out->confidence = a->confidence;
	out->coverage = a->coverage;
	if (!a->distribution_free && !normality_rejected(out))
		rc = normal_ti(st, a, sides, out);
	else
		rc = df_ti(x, st->n, a, sides, out);
	if (rc)
		return rc;
	if (normality_rejected(out))
		snprintf(why, sizeof(why), "normality rejected (Anderson-Darling p = %.2g < %.2g); ",
			 out->normality_p, out->normality_alpha);
	if (isnan(out->ti_lo) && isnan(out->ti_hi)) {
		df_short(x, st->n, a, why, out);
		return 0;
	}
	v = verdict_worse(isnan(a->ti_lo) ? VERDICT_PASS : against(out->ti_lo, a->ti_lo, NAN, u),
			  isnan(a->ti_hi) ? VERDICT_PASS : against(out->ti_hi, NAN, a->ti_hi, u));
	fmt_limit(what, sizeof(what), out->ti_lo, "-inf");
	snprintf(what + strlen(what), sizeof(what) - strlen(what), ", ");
	fmt_limit(what + strlen(what), sizeof(what) - strlen(what), out->ti_hi, "+inf");
	snprintf(why + strlen(why), sizeof(why) - strlen(why), "%stolerance interval [%s]",
		 strcmp(out->ti_method, "distribution-free") ? "" : "distribution-free ", what);
	note(out, v, why, a->ti_lo, a->ti_hi);
	return 0;
}

int judge_sample(const double *x, size_t n, const struct acceptance *a, double u,
		 struct measurement *out)
{
	struct sample_stats st;
	int want_ti = !isnan(a->ti_lo) || !isnan(a->ti_hi);
	enum verdict v;
	char what[128];
	int rc;

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
			say(out, VERDICT_FAIL, what);
		}
	}
	if (n == 0) {
		snprintf(out->reason, sizeof(out->reason), "no values");
		out->verdict = VERDICT_FAIL;
		return 0;
	}
	if ((rc = test_normality(x, n, &st, a, out)) != 0)
		return rc;
	if (!isnan(a->mean_lo) || !isnan(a->mean_hi)) {
		snprintf(what, sizeof(what), "mean %.4g", st.mean);
		note(out, against(st.mean, a->mean_lo, a->mean_hi, u), what, a->mean_lo, a->mean_hi);
	}
	if (want_ti && (rc = judge_ti(x, &st, a, u, out)) != 0)
		return rc;
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

void judge_shot_count(size_t measured, unsigned commanded, unsigned unit_counted,
		      unsigned burst, const char *requirement, struct measurement *m)
{
	measurement_init(m);
	snprintf(m->name, sizeof(m->name), "shot_count");
	snprintf(m->unit, sizeof(m->unit), "shots");
	snprintf(m->requirement, sizeof(m->requirement), "%s", requirement);
	m->n = 1;
	m->mean = m->min = m->max = (double)measured;
	m->lsl = m->usl = m->target = commanded;
	m->count = (long)measured;
	m->expected = commanded;
	m->verdict = VERDICT_PASS;
	if (measured != commanded || unit_counted != commanded) {
		m->verdict = VERDICT_FAIL;
		snprintf(m->reason, sizeof(m->reason),
			 "%zu shots measured, %u commanded, unit counted %u (burst %u)", measured,
			 commanded, unit_counted, burst);
	}
}

int judge_safe_depth(const double *depth, size_t n, const char *requirement, double set_mm,
		     double over_mm, double u, struct measurement *m)
{
	struct acceptance a;
	int rc;

	acceptance_init(&a);
	snprintf(a.requirement, sizeof(a.requirement), "%s", requirement);
	snprintf(a.unit, sizeof(a.unit), "mm");
	a.target = set_mm;
	a.each_hi = set_mm + over_mm;
	measurement_init(m);
	snprintf(m->name, sizeof(m->name), "depth_mm");
	rc = judge_sample(depth, n, &a, u, m);
	if (n == 0) {
		m->verdict = VERDICT_PASS;
		m->reason[0] = '\0';
	}
	return rc;
}

double acceptance_setting(const struct acceptance *a)
{
	return isnan(a->target) ? 0 : a->target;
}

int judge_sample_u(const double *x, size_t n, const struct acceptance *a,
		   const struct fixture *fx, double guard_u, struct measurement *out)
{
	int rc = judge_sample(x, n, a, guard_u, out);

	if (!rc)
		out->uncertainty = fixture_uncertainty(fx, out->name, acceptance_setting(a));
	return rc;
}

int judge_safe_depth_u(const double *depth, size_t n, const char *requirement, double set_mm,
		       double over_mm, const struct fixture *fx, double guard_u,
		       struct measurement *m)
{
	int rc = judge_safe_depth(depth, n, requirement, set_mm, over_mm, guard_u, m);

	m->uncertainty = fixture_uncertainty(fx, "depth_mm", set_mm);
	return rc;
}
