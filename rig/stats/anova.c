/*
 * Crossed gauge R&R by the ANOVA method (AIAG MSA, 4th ed., 2010,
 * ch. III-B, "Analysis of Variance (ANOVA) Method"; Montgomery, Design and
 * Analysis of Experiments, 13.3, the two-factor random-effects model).
 *
 * Parts and operators are random samples, so Part and Operator are tested
 * against the Part x Operator mean square, and the interaction against
 * repeatability. When the interaction is not significant (p >= alpha) it
 * is pooled into repeatability and the reduced model is fitted: that is
 * what AIAG's worked example and Minitab do.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"
#include "rig/stats/msa.h"

const char *grr_verdict_name(enum grr_verdict v)
{
	switch (v) {
	case GRR_ACCEPTABLE: return "acceptable";
	case GRR_CONDITIONAL: return "conditional";
	case GRR_UNACCEPTABLE: return "unacceptable";
	}
	return "?";
}

const char *grr_source_name(enum grr_source s)
{
	static const char *const names[GRR_SOURCES] = {
		[GRR_TOTAL_GRR] = "Total Gage R&R",
		[GRR_REPEATABILITY] = "Repeatability",
		[GRR_REPRODUCIBILITY] = "Reproducibility",
		[GRR_OPERATOR] = "Operator",
		[GRR_INTERACTION] = "Part x Operator",
		[GRR_PART] = "Part-to-Part",
		[GRR_TOTAL] = "Total Variation",
	};

	return (unsigned)s < GRR_SOURCES ? names[s] : "?";
}

void grr_options_default(struct grr_options *o)
{
	o->alpha_interaction = 0.05;
	o->k_sigma = 6;
	o->tolerance = NAN;
}

static void row(struct anova_row *r, double ss, double df)
{
	r->ss = ss;
	r->df = df;
	r->ms = df > 0 ? ss / df : NAN;
	r->f = r->p = NAN;
}

/* F = num / den with its upper-tail p. A zero denominator under a positive
 * numerator is an infinitely significant effect; both zero tells nothing. */
static void f_test(struct anova_row *r, const struct anova_row *den)
{
	if (den->ms > 0) {
		r->f = r->ms / den->ms;
		r->p = stats_f_sf(r->f, r->df, den->df);
	} else if (r->ms > 0) {
		r->f = INFINITY;
		r->p = 0;
	}
}

static double at_least_0(double v)
{
	return v > 0 ? v : 0;
}

static double mean_of(const double *y, size_t count)
{
	double s = 0;

	for (size_t i = 0; i < count; i++)
		s += y[i];
	return s / (double)count;
}

/* Sums of squares of the balanced two-way layout, each from deviations of
 * means (two passes), so values like 4.0012 vs 4.0009 keep their digits. */
static int sums_of_squares(const double *y, size_t p, size_t o, size_t r, double *ss_p,
			   double *ss_o, double *ss_po, double *ss_e, double *ss_t)
{
	size_t n = p * o * r;
	double *mp = calloc(p, sizeof(*mp)), *mo = calloc(o, sizeof(*mo)), m;

	if (!mp || !mo) {
		free(mp);
		free(mo);
		return rig_error(RIG_ERR_NOMEM, "out of memory for the ANOVA");
	}
	m = mean_of(y, n);
	for (size_t i = 0; i < p; i++)
		mp[i] = mean_of(y + i * o * r, o * r);
	for (size_t j = 0; j < o; j++) {
		double s = 0;

		for (size_t i = 0; i < p; i++)
			for (size_t t = 0; t < r; t++)
				s += y[(i * o + j) * r + t];
		mo[j] = s / (double)(p * r);
	}
	*ss_p = *ss_o = *ss_po = *ss_e = *ss_t = 0;
	for (size_t i = 0; i < p; i++)
		*ss_p += (mp[i] - m) * (mp[i] - m);
	*ss_p *= (double)(o * r);
	for (size_t j = 0; j < o; j++)
		*ss_o += (mo[j] - m) * (mo[j] - m);
	*ss_o *= (double)(p * r);
	for (size_t i = 0; i < p; i++) {
		for (size_t j = 0; j < o; j++) {
			const double *cell = y + (i * o + j) * r;
			double mc = mean_of(cell, r), d = mc - mp[i] - mo[j] + m;

			*ss_po += d * d;
			for (size_t t = 0; t < r; t++) {
				*ss_e += (cell[t] - mc) * (cell[t] - mc);
				*ss_t += (cell[t] - m) * (cell[t] - m);
			}
		}
	}
	*ss_po *= (double)r;
	free(mp);
	free(mo);
	return 0;
}

static void components(struct grr_result *res, double v_rep, double v_int, double v_op,
		       double v_part, const struct grr_options *o)
{
	struct grr_component *c = res->c;
	double total;

	c[GRR_REPEATABILITY].var = v_rep;
	c[GRR_INTERACTION].var = v_int;
	c[GRR_OPERATOR].var = v_op;
	c[GRR_REPRODUCIBILITY].var = v_op + v_int;
	c[GRR_TOTAL_GRR].var = v_rep + v_op + v_int;
	c[GRR_PART].var = v_part;
	c[GRR_TOTAL].var = total = c[GRR_TOTAL_GRR].var + v_part;
	for (int s = 0; s < GRR_SOURCES; s++) {
		c[s].sd = sqrt(c[s].var);
		c[s].study_var = o->k_sigma * c[s].sd;
		c[s].contribution = total > 0 ? 100 * c[s].var / total : NAN;
		c[s].pct_study = total > 0 ? 100 * c[s].sd / sqrt(total) : NAN;
		c[s].pct_tol = o->tolerance > 0 ? 100 * c[s].study_var / o->tolerance : NAN;
	}
}

static void judge(struct grr_result *res)
{
	const struct grr_component *g = &res->c[GRR_TOTAL_GRR], *pv = &res->c[GRR_PART];
	double ndc;

	if (g->sd > 0)
		ndc = floor(1.41 * pv->sd / g->sd);
	else
		ndc = pv->sd > 0 ? INT_MAX : 0;
	res->ndc = ndc > INT_MAX ? INT_MAX : (int)ndc;
	res->pct_grr = g->pct_study;
	if (!isnan(g->pct_tol) && !(g->pct_tol <= res->pct_grr))
		res->pct_grr = g->pct_tol;
	if (res->ndc < 5 || !(res->pct_grr <= 30))
		res->verdict = GRR_UNACCEPTABLE;
	else if (res->pct_grr < 10)
		res->verdict = GRR_ACCEPTABLE;
	else
		res->verdict = GRR_CONDITIONAL;
}

int grr_anova(const double *y, size_t p, size_t o, size_t r, const struct grr_options *opt,
	      struct grr_result *res)
{
	double ss_p = 0, ss_o = 0, ss_po = 0, ss_e = 0, ss_t = 0, a, b;
	double n;
	int rc;

	if (p < 2 || o < 2 || r < 2 || p > 100000 || o > 100000 || r > 100000 ||
	    (double)p * (double)o * (double)r > 1e8)
		return rig_error(RIG_ERR_INVALID,
				 "a gauge R&R needs at least 2 parts, 2 operators and 2 trials "
				 "(got %zu, %zu, %zu)", p, o, r);
	if (!(opt->alpha_interaction >= 0 && opt->alpha_interaction <= 1) ||
	    !(opt->k_sigma > 0 && isfinite(opt->k_sigma)) ||
	    !(isnan(opt->tolerance) || (opt->tolerance > 0 && isfinite(opt->tolerance))))
		return rig_error(RIG_ERR_INVALID, "gauge R&R options out of range (alpha in "
				 "[0, 1], k_sigma and tolerance > 0)");
	n = (double)(p * o * r);
	for (size_t i = 0; i < p * o * r; i++)
		if (!isfinite(y[i]))
			return rig_error(RIG_ERR_INVALID,
					 "gauge R&R value %zu (part %zu, operator %zu, trial %zu) is "
					 "not a finite number", i, i / (o * r) + 1, i / r % o + 1,
					 i % r + 1);
	rc = sums_of_squares(y, p, o, r, &ss_p, &ss_o, &ss_po, &ss_e, &ss_t);
	if (rc)
		return rc;
	res->parts = p;
	res->operators = o;
	res->trials = r;
	row(&res->part, ss_p, (double)(p - 1));
	row(&res->oper, ss_o, (double)(o - 1));
	row(&res->inter, ss_po, (double)((p - 1) * (o - 1)));
	row(&res->repeat, ss_e, (double)(p * o * (r - 1)));
	row(&res->total, ss_t, n - 1);
	f_test(&res->part, &res->inter);
	f_test(&res->oper, &res->inter);
	f_test(&res->inter, &res->repeat);

	/* The reduced model: interaction pooled into repeatability. */
	res->part_r = res->part;
	res->oper_r = res->oper;
	row(&res->repeat_r, ss_po + ss_e, res->inter.df + res->repeat.df);
	f_test(&res->part_r, &res->repeat_r);
	f_test(&res->oper_r, &res->repeat_r);

	res->pooled = !(res->inter.p < opt->alpha_interaction);
	a = (double)(o * r);
	b = (double)(p * r);
	if (res->pooled)
		components(res, res->repeat_r.ms, 0, at_least_0((res->oper.ms - res->repeat_r.ms) / b),
			   at_least_0((res->part.ms - res->repeat_r.ms) / a), opt);
	else
		components(res, res->repeat.ms,
			   at_least_0((res->inter.ms - res->repeat.ms) / (double)r),
			   at_least_0((res->oper.ms - res->inter.ms) / b),
			   at_least_0((res->part.ms - res->inter.ms) / a), opt);
	judge(res);
	return 0;
}
