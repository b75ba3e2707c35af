#include <float.h>
#include <math.h>

#include "rig/stats/stats.h"
#include "rig/stats/numeric.h"

double stats_normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Acklam's rational approximation refined by one Halley step (|error| < 1e-15). */
double stats_normal_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
				    -2.759285104469687e+02, 1.383577518672690e+02,
				    -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
				    -1.556989798598866e+02, 6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
				    -2.400758277161838e+00, -2.549732539343734e+00,
				    4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
				    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	e = stats_normal_cdf(x) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* lgamma(a + 1) - Stirling's (a + 1/2) log a - a + log(2 pi)/2, for a >= 10. */
static double stirling_rest(double a)
{
	double a2 = a * a;

	return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * a2)) / a2) / a2) / a;
}

/*
 * log(x^a e^-x / Gamma(a + 1)): the factor both expansions share. For
 * large a its terms are ~a log a and nearly cancel, so it is written as
 * -a (t - 1 - log t) with t = x / a, which keeps the precision that the
 * tolerance integrals need at n in the millions.
 */
static double gamma_prefactor(double a, double x)
{
	double t = x / a;

	if (a < 10)
		return a * log(x) - x - lgamma(a + 1);
	return -a * ((t - 1) - log1p(t - 1)) - 0.5 * log(2 * M_PI * a) - stirling_rest(a);
}

/* P(a, x) by its power series; converges fast for x < a + 1. */
static double gamma_p_series(double a, double x)
{
	double term = 1, sum = 1;

	for (double k = 1; k < 1e7; k++) {
		term *= x / (a + k);
		sum += term;
		if (term < sum * DBL_EPSILON)
			break;
	}
	return exp(gamma_prefactor(a, x)) * sum;
}

/* Q(a, x) by Legendre's continued fraction (modified Lentz); x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;

	for (double i = 1; i < 1e7; i++) {
		double an = -i * (i - a), delta;

		b += 2;
		d = an * d + b;
		d = fabs(d) < tiny ? tiny : d;
		c = b + an / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < DBL_EPSILON)
			break;
	}
	/* x^a e^-x / Gamma(a) = a * (the shared prefactor) */
	return exp(gamma_prefactor(a, x) + log(a)) * h;
}

/* P(a, x), or Q(a, x) when upper: each from the expansion that converges
 * there, the other as its complement. */
static double gamma_pq(double a, double x, int upper)
{
	double lower;

	if (!(a > 0) || isnan(x))
		return NAN;
	if (x <= 0 || isinf(x))
		lower = x <= 0 ? 0 : 1;
	else if (x < a + 1)
		lower = gamma_p_series(a, x);
	else
		return upper ? gamma_q_fraction(a, x) : 1 - gamma_q_fraction(a, x);
	return upper ? 1 - lower : lower;
}

double stats_gamma_p(double a, double x)
{
	return gamma_pq(a, x, 0);
}

double stats_gamma_q(double a, double x)
{
	return gamma_pq(a, x, 1);
}

double stats_chi2_cdf(double x, double df)
{
	return stats_gamma_p(df / 2, x / 2);
}

struct chi2_target {
	double p, df;
};

static double chi2_miss(double x, void *ctx)
{
	const struct chi2_target *t = ctx;

	/* Compare in the smaller tail so small p keep their precision. */
	return t->p < 0.5 ? stats_chi2_cdf(x, t->df) - t->p
			  : 1 - t->p - stats_gamma_q(t->df / 2, x / 2);
}

/*
 * Invert the regularized incomplete gamma function. Wilson-Hilferty gives
 * the starting bracket; Brent's method polishes to full precision.
 */
double stats_chi2_quantile(double p, double df)
{
	struct chi2_target t = { p, df };
	double z, h, w, lo, hi;

	if (!(df > 0) || !(p >= 0 && p <= 1))
		return NAN;
	if (p == 0)
		return 0;
	if (p == 1)
		return INFINITY;
	z = stats_normal_quantile(p);
	h = 2.0 / (9.0 * df);
	w = 1 - h + z * sqrt(h);
	w = w > 0.01 ? df * w * w * w : df * 0.01;
	lo = w / 2;
	hi = w * 2;
	while (chi2_miss(lo, &t) > 0 && lo > 1e-300)
		lo /= 4;
	while (chi2_miss(hi, &t) < 0 && hi < 1e300)
		hi *= 4;
	return stats_solve(chi2_miss, &t, lo, hi, 1e-14 * hi);
}

/* log C(n, k) */
static double log_choose(double n, double k)
{
	return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double stats_binomial_upper(size_t k, size_t n, double p)
{
	double below = 0;

	if (k == 0)
		return 1;
	if (k > n || p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	/* 1 - P(X < k): absolute precision is what the callers compare with. */
	for (size_t j = 0; j < k; j++)
		below += exp(log_choose((double)n, (double)j) + (double)j * log(p) +
			     (double)(n - j) * log1p(-p));
	return below >= 1 ? 0 : 1 - below;
}
