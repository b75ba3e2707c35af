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

/* Gauss-Legendre nodes and weights on [-1, 1], n points (Newton on the
 * Legendre polynomial's roots; Numerical Recipes' gauleg in outline). */
#define GL_N 16
static double gl_x[GL_N], gl_w[GL_N];

static void gl_init(void)
{
	if (gl_w[0] != 0)
		return;
	for (int i = 0; i < GL_N; i++) {
		double z = cos(M_PI * (i + 0.75) / (GL_N + 0.5)), pp = 1;

		for (int it = 0; it < 100; it++) {
			double p1 = 1, p2 = 0, z1 = z;

			for (int j = 1; j <= GL_N; j++) {
				double p3 = p2;

				p2 = p1;
				p1 = ((2.0 * j - 1) * z * p2 - (j - 1.0) * p3) / j;
			}
			pp = GL_N * (z * p1 - p2) / (z * z - 1);
			z = z1 - p1 / pp;
			if (fabs(z - z1) < 1e-15)
				break;
		}
		gl_x[i] = z;
		gl_w[i] = 2 / ((1 - z * z) * pp * pp);
	}
}

/* The integral over [a, b] in `panels` equal panels of 16-point
 * Gauss-Legendre each. */
static double gauss_legendre(double (*f)(double x, const double *par), const double *par,
			     double a, double b, int panels)
{
	double h = (b - a) / panels, s = 0;

	gl_init();
	for (int p = 0; p < panels; p++) {
		double mid = a + (p + 0.5) * h;

		for (int i = 0; i < GL_N; i++)
			s += gl_w[i] * f(mid + 0.5 * h * gl_x[i], par);
	}
	return s * h / 2;
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
	return fmin(1, gauss_legendre(range_integrand, par, -8.5, 8.5, 8));
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
	return fmin(1, gauss_legendre(tukey_integrand, par, lo, hi, df < 10 ? 24 : 6));
}

/* Welch's difference, standard error, degrees of freedom and t of a pair:
 * everything of Games-Howell but its p-value (the costly part). */
static int welch_pair(const struct sample_stats *a, const struct sample_stats *b,
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
	return 0;
}

static void games_howell_p(size_t k, struct pairwise *pw)
{
	pw->p = 1 - stats_ptukey(fabs(pw->t) * M_SQRT2, (double)k, pw->df);
	if (pw->p < 0)
		pw->p = 0;
}

int stats_games_howell(const struct sample_stats *a, const struct sample_stats *b, size_t k,
		       struct pairwise *out)
{
	int rc = welch_pair(a, b, out);

	if (rc == 0 && out->se > 0)
		games_howell_p(k, out);
	return rc;
}

int stats_games_howell_differ(const struct sample_stats *a, const struct sample_stats *b,
			      size_t k, double alpha)
{
	struct pairwise pw;
	double tail, pairs = (double)k * ((double)k - 1) / 2;

	if (welch_pair(a, b, &pw) != 0)
		return 0;
	if (!isfinite(pw.t) || pw.se == 0)
		return pw.diff != 0;
	/* The range of k means exceeds q exactly when one of the k(k-1)/2
	 * pairs does, so Pr[Q > q] lies between one pair's two-sided t tail
	 * and the sum over all pairs (the union bound). Most pairs are
	 * decided by these bounds; the exact p only in between. */
	tail = 2 * (1 - stats_t_cdf(fabs(pw.t), pw.df));
	if (tail >= alpha)
		return 0;
	if (pairs * tail < alpha)
		return 1;
	games_howell_p(k, &pw);
	return pw.p < alpha;
}
