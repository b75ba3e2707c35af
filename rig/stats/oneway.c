/*
 * One-way analysis of variance from group summaries, and the Games-Howell
 * comparison of every pair of groups (unequal variances and sizes), with
 * the studentized range distribution it needs. Used by `rig line` to
 * compare stations (docs/line.md). References: Games & Howell (1976),
 * J. Educ. Stat. 1(2) 113-125; the studentized range as the integral of
 * the range of k normals over the distribution of s/sigma (Hartley 1942,
 * Copenhaver & Holland 1988).
 */
#include <math.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"

int stats_oneway(const struct sample_stats *g, size_t k, struct oneway *out)
{
	double n = 0, sum = 0, ssb = 0, ssw = 0;

	memset(out, 0, sizeof(*out));
	if (k < 2)
		return rig_error(RIG_ERR_INVALID, "one-way ANOVA needs two groups or more");
	for (size_t i = 0; i < k; i++) {
		if (g[i].n < 1)
			return rig_error(RIG_ERR_INVALID, "one-way ANOVA: an empty group");
		n += (double)g[i].n;
		sum += (double)g[i].n * g[i].mean;
		if (g[i].n > 1)
			ssw += (double)(g[i].n - 1) * g[i].sd * g[i].sd;
	}
	if (n <= (double)k)
		return rig_error(RIG_ERR_INVALID, "one-way ANOVA needs more values than groups");
	for (size_t i = 0; i < k; i++) {
		double d = g[i].mean - sum / n;

		ssb += (double)g[i].n * d * d;
	}
	out->df_between = (double)k - 1;
	out->df_within = n - (double)k;
	out->ss_between = ssb;
	out->ss_within = ssw;
	out->ms_between = ssb / out->df_between;
	out->ms_within = ssw / out->df_within;
	out->f = out->ms_within > 0 ? out->ms_between / out->ms_within : INFINITY;
	out->p = out->ms_within > 0 ? stats_f_sf(out->f, out->df_between, out->df_within)
				    : (ssb > 0 ? 0 : 1);
	return 0;
}

/* Simpson's rule over [a, b] with m (even) intervals. */
static double simpson(double (*f)(double x, const double *par), const double *par, double a,
		      double b, int m)
{
	double h = (b - a) / m, s = f(a, par) + f(b, par);

	for (int i = 1; i < m; i++)
		s += f(a + i * h, par) * (i % 2 ? 4 : 2);
	return s * h / 3;
}

/* Integrand of the range distribution: k phi(z) [Phi(z) - Phi(z - w)]^(k-1). */
static double range_integrand(double z, const double *par)
{
	double w = par[0], k = par[1], d = stats_normal_cdf(z) - stats_normal_cdf(z - w);

	if (d <= 0)
		return 0;
	return k * exp(-0.5 * z * z) / sqrt(2 * M_PI) * pow(d, k - 1);
}

/* Pr[range of k standard normals <= w]. */
static double range_cdf(double w, double k)
{
	double par[2] = { w, k };

	if (w <= 0)
		return 0;
	/* Beyond +-8.5 the normal density is below 1e-15. */
	return fmin(1, simpson(range_integrand, par, -8.5, 8.5, 240));
}

/* Integrand over s = S/sigma, S^2 ~ sigma^2 chi2(df)/df. */
static double tukey_integrand(double s, const double *par)
{
	double q = par[0], k = par[1], df = par[2], logf;

	if (s <= 0)
		return 0;
	logf = (df / 2) * log(df / 2) - lgamma(df / 2) + log(2.0) + (df - 1) * log(s) -
	       df * s * s / 2;
	return range_cdf(q * s, k) * exp(logf);
}

double stats_ptukey(double q, double k, double df)
{
	double par[3] = { q, k, df }, sd, lo, hi;

	if (!(k >= 2) || !(df >= 1) || isnan(q))
		return NAN;
	if (q <= 0)
		return 0;
	if (isinf(q))
		return 1;
	if (df > 25000)
		return range_cdf(q, k);
	/* s has mean ~1 and sd ~1/sqrt(2 df); small df have a long right
	 * tail. The bounds hold the density's mass to ~1e-12. */
	sd = 1 / sqrt(2 * df);
	lo = fmax(0, 1 - 9 * sd);
	hi = 1 + 9 * sd + (df < 10 ? 60 / df : 0);
	return fmin(1, simpson(tukey_integrand, par, lo, hi, df < 10 ? 600 : 160));
}

int stats_games_howell(const struct sample_stats *a, const struct sample_stats *b, size_t k,
		       struct pairwise *out)
{
	double va, vb;

	memset(out, 0, sizeof(*out));
	if (a->n < 2 || b->n < 2)
		return rig_error(RIG_ERR_INVALID, "Games-Howell needs two values per group");
	va = a->sd * a->sd / (double)a->n;
	vb = b->sd * b->sd / (double)b->n;
	out->diff = a->mean - b->mean;
	out->se = sqrt(va + vb);
	if (!(out->se > 0)) {
		out->t = out->diff != 0 ? INFINITY : 0;
		out->p = out->diff != 0 ? 0 : 1;
		out->df = (double)(a->n + b->n - 2);
		return 0;
	}
	out->df = (va + vb) * (va + vb) /
		  (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	out->t = out->diff / out->se;
	out->p = 1 - stats_ptukey(fabs(out->t) * M_SQRT2, (double)k, out->df);
	if (out->p < 0)
		out->p = 0;
	return 0;
}
