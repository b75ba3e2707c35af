#include "rig/regress/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

static const double *values_of(const struct step_record *s, const struct measurement *m)
{
	return s->values + m->value_at;
}

/* Verdicts ranked as record.c combines them. */
static int worse_verdict(enum verdict a, enum verdict b)
{
	return a != b && verdict_worse(a, b) == b;
}

static void mean_change(struct comparison *c, const struct step_record *bs,
			const struct step_record *rs, double alpha)
{
	const struct measurement *b = c->base, *r = c->run;
	struct sample_stats sb, sr;
	double target = r->target, moved;

	stats_describe(values_of(bs, b), b->nvalues, &sb);
	stats_describe(values_of(rs, r), r->nvalues, &sr);
	if (stats_welch(&sb, &sr, 1 - alpha, &c->mean) != 0)
		return;
	c->tested = 1;
	c->sd_ratio = sb.sd > 0 ? sr.sd / sb.sd : NAN;
	stats_brown_forsythe(values_of(bs, b), b->nvalues, values_of(rs, r), r->nvalues, &c->bf_f,
			     &c->bf_p);
	if (!(c->mean.p < alpha) || !(fabs(c->mean.diff) > c->mean_threshold))
		return;
	/* Worse when the mean moved away from the setting. */
	moved = isnan(target) ? 1 : fabs(sr.mean - target) - fabs(sb.mean - target);
	if (moved > 0)
		c->worse |= CHANGE_MEAN;
	else
		c->better |= CHANGE_MEAN;
}

/* One value each (a gravimetric burst): the only variance known is the
 * measurement's, so the z test uses the standard uncertainties U / 2. */
static void single_change(struct comparison *c, double alpha)
{
	const struct measurement *b = c->base, *r = c->run;
	double u = hypot(b->uncertainty, r->uncertainty) / 2, target = r->target;
	double q = stats_normal_quantile(1 - alpha / 2), moved;

	c->single = 1;
	c->mean.diff = r->mean - b->mean;
	c->mean.se = u;
	c->mean.lo = c->mean.diff - q * u;
	c->mean.hi = c->mean.diff + q * u;
	c->mean.p = u > 0 ? 2 * stats_normal_cdf(-fabs(c->mean.diff) / u) : c->mean.diff != 0 ? 0 : 1;
	if (!(c->mean.p < alpha) || !(fabs(c->mean.diff) > c->mean_threshold))
		return;
	moved = isnan(target) ? 1 : fabs(r->mean - target) - fabs(b->mean - target);
	if (moved > 0)
		c->worse |= CHANGE_MEAN;
	else
		c->better |= CHANGE_MEAN;
}

static void spread_change(struct comparison *c, double alpha)
{
	double lim = c->th ? c->th->sd_ratio : NAN;

	if (!(c->bf_p < alpha) || isnan(lim))
		return;
	if (c->sd_ratio > lim)
		c->worse |= CHANGE_SPREAD;
	else if (c->sd_ratio < 1 / lim)
		c->better |= CHANGE_SPREAD;
}

/* Bissell's standard error of Cpk from n values. */
static double cpk_se(double cpk, size_t n)
{
	return sqrt(1.0 / (9.0 * (double)n) + cpk * cpk / (2.0 * ((double)n - 1)));
}

/* A drop in Cpk matters when it is significant and leaves the process
 * below the spec's minimum capability: high Cpk values are too noisy, and
 * a drop from 6 to 5 changes nothing in practice. */
static void cpk_change(struct comparison *c, double alpha)
{
	const struct measurement *b = c->base, *r = c->run;
	double se, q = stats_normal_quantile(1 - alpha / 2), floor = c->th ? c->th->cpk_min : NAN;

	if (!isfinite(b->cpk) || !isfinite(r->cpk) || b->n < 2 || r->n < 2)
		return;
	se = hypot(cpk_se(b->cpk, b->n), cpk_se(r->cpk, r->n));
	c->cpk_diff = r->cpk - b->cpk;
	c->cpk_lo = c->cpk_diff - q * se;
	c->cpk_hi = c->cpk_diff + q * se;
	c->cpk_p = 2 * stats_normal_cdf(-fabs(c->cpk_diff) / se);
	if (!(c->cpk_p < alpha) || isnan(floor))
		return;
	if (r->cpk < floor && b->cpk >= floor)
		c->worse |= CHANGE_CPK;
	else if (b->cpk < floor && r->cpk >= floor)
		c->better |= CHANGE_CPK;
}

static void compare(struct comparison *c, const struct step_record *bs,
		    const struct step_record *rs, const struct regress_spec *spec)
{
	const struct measurement *b = c->base, *r = c->run;

	c->th = regress_threshold(spec, c->requirement);
	c->mean_threshold = NAN;
	c->mean.diff = c->mean.p = c->sd_ratio = c->bf_p = c->cpk_diff = c->cpk_p = NAN;
	if (!r) {
		c->worse |= CHANGE_MISSING;
		return;
	}
	if (!b)
		return;
	if (worse_verdict(b->verdict, r->verdict))
		c->worse |= CHANGE_VERDICT;
	else if (worse_verdict(r->verdict, b->verdict))
		c->better |= CHANGE_VERDICT;
	if (c->th)
		c->mean_threshold = !isnan(c->th->mean) ? c->th->mean
				    : !isnan(c->th->mean_pct) && isfinite(r->target)
					    ? fabs(r->target) * c->th->mean_pct / 100
					    : NAN;
	if (b->nvalues >= 2 && r->nvalues >= 2) {
		mean_change(c, bs, rs, spec->alpha);
		spread_change(c, spec->alpha);
		cpk_change(c, spec->alpha);
	} else if (b->nvalues == 1 && r->nvalues == 1) {
		single_change(c, spec->alpha);
	}
}

static const struct step_record *find_step(const struct run_record *r, const char *id)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].id, id))
			return &r->steps[i];
	return NULL;
}

static const struct measurement *find_measurement(const struct step_record *s,
						   const struct measurement *like)
{
	for (size_t j = 0; s && j < s->nm; j++)
		if (!strcmp(s->m[j].name, like->name) &&
		    !strcmp(s->m[j].requirement, like->requirement))
			return &s->m[j];
	return NULL;
}

static struct comparison *add(struct diff *d, const struct step_record *s,
			      const struct measurement *m)
{
	struct comparison *c = realloc(d->c, (d->n + 1) * sizeof(*c));

	if (!c)
		return NULL;
	d->c = c;
	c += d->n++;
	memset(c, 0, sizeof(*c));
	snprintf(c->step_id, sizeof(c->step_id), "%s", s->id);
	snprintf(c->label, sizeof(c->label), "%s", s->label);
	snprintf(c->requirement, sizeof(c->requirement), "%s", m->requirement);
	snprintf(c->name, sizeof(c->name), "%s", m->name);
	snprintf(c->unit, sizeof(c->unit), "%s", m->unit);
	return c;
}

int regress_diff(const struct run_record *base, const struct run_record *run,
		 const struct regress_spec *spec, struct diff *d)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->run = run;
	d->spec = spec;
	/* The run's measurements in its order, then what only the base had. */
	for (int pass = 0; pass < 2; pass++) {
		const struct run_record *a = pass ? base : run, *other = pass ? run : base;

		for (size_t i = 0; i < a->nsteps; i++) {
			const struct step_record *s = &a->steps[i], *os = find_step(other, s->id);

			for (size_t j = 0; j < s->nm; j++) {
				const struct measurement *m = &s->m[j], *om = find_measurement(os, m);
				struct comparison *c;

				if (pass && om)
					continue;
				if (!(c = add(d, s, m)))
					return rig_error(RIG_ERR_NOMEM, "out of memory comparing runs");
				c->run = pass ? NULL : m;
				c->base = pass ? m : om;
				compare(c, pass ? s : os, pass ? os : s, spec);
				d->regressions += c->worse != 0;
			}
		}
	}
	return 0;
}

void regress_diff_release(struct diff *d)
{
	free(d->c);
	memset(d, 0, sizeof(*d));
}

void regress_change_names(unsigned flags, char *buf, size_t len)
{
	static const char *const names[] = { "mean", "spread", "Cpk", "verdict", "missing" };
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && o < len; i++)
		if (flags & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i]);
}
