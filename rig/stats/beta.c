/*
 * The regularized incomplete beta function and the distributions built on
 * it: Student's t (Welch's comparison of means) and Fisher's F (comparison
 * of spreads).
 */
#include <float.h>
#include <math.h>

#include "rig/stats/stats.h"
#include "rig/stats/numeric.h"

/* Continued fraction of I_x(a, b) (DLMF 8.17.22), modified Lentz;
 * converges fast for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m < 10000; m++) {
		double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)), delta;

		for (int half = 0; half < 2; half++) {
			d = 1 + num * d;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = 1 + num / c;
			c = fabs(c) < tiny ? tiny : c;
			h *= delta = c * d;
			num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		}
		if (fabs(delta - 1) < DBL_EPSILON)
			break;
	}
	return h;
}

double stats_beta_inc(double a, double b, double x)
{
	double front;

	if (!(a > 0 && b > 0) || isnan(x))
		return NAN;
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	/* Pr[|T| > |t|] = I_{df/(df+t^2)}(df/2, 1/2) */
	tail = stats_beta_inc(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail / 2 : tail / 2;
}

struct t_target {
	double p, df;
};

static double t_miss(double t, void *ctx)
{
	const struct t_target *g = ctx;

	return stats_t_cdf(t, g->df) - g->p;
}

double stats_t_quantile(double p, double df)
{
	struct t_target g = { p, df };
	double hi = 1;

	if (!(df > 0) || !(p >= 0 && p <= 1))
		return NAN;
	if (p == 0 || p == 1)
		return p == 0 ? -INFINITY : INFINITY;
	if (p < 0.5)
		return -stats_t_quantile(1 - p, df);
	while (stats_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	return stats_solve(t_miss, &g, 0, hi, 1e-14 * hi);
}

double stats_f_sf(double f, double df1, double df2)
{
	if (isnan(f) || !(df1 > 0 && df2 > 0))
		return NAN;
	if (f <= 0)
		return 1;
	if (isinf(f))
		return 0;
	/* Pr[F > f] = I_{df2/(df2 + df1 f)}(df2/2, df1/2) */
	return stats_beta_inc(df2 / 2, df1 / 2, df2 / (df2 + df1 * f));
}
