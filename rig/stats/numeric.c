#include "rig/stats/numeric.h"

#include <math.h>

#define GAUSS_POINTS 16
/* 2^16 panels at most: the integrands carry rounding noise of ~1e-14
 * relative, which no amount of splitting removes. */
#define MAX_DEPTH 16

struct rule {
	double x[GAUSS_POINTS], w[GAUSS_POINTS]; /* nodes and weights on [-1, 1] */
};

/* Nodes are the roots of the Legendre polynomial P_N, found by Newton's
 * method from Tricomi's estimate; computing them avoids a table of
 * 32 transcribed constants. */
static void gauss_legendre(struct rule *r)
{
	const int n = GAUSS_POINTS;

	for (int i = 0; i < n; i++) {
		double x = cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1;

		for (int iter = 0; iter < 100; iter++) {
			double p0 = 1, p1 = x, dx;

			for (int j = 2; j <= n; j++) {
				double p2 = ((2.0 * j - 1) * x * p1 - (j - 1.0) * p0) / j;

				p0 = p1;
				p1 = p2;
			}
			dp = n * (x * p1 - p0) / (x * x - 1);
			dx = p1 / dp;
			x -= dx;
			if (fabs(dx) < 1e-16)
				break;
		}
		r->x[i] = x;
		r->w[i] = 2 / ((1 - x * x) * dp * dp);
	}
}

static double panel(const struct rule *r, stats_fn f, void *ctx, double a, double b)
{
	double mid = (a + b) / 2, half = (b - a) / 2, sum = 0;

	for (int i = 0; i < GAUSS_POINTS; i++)
		sum += r->w[i] * f(mid + half * r->x[i], ctx);
	return sum * half;
}

static double adapt(const struct rule *r, stats_fn f, void *ctx, double a, double b,
		    double whole, double tol, int depth)
{
	double m = (a + b) / 2;
	double left = panel(r, f, ctx, a, m), right = panel(r, f, ctx, m, b);

	if (depth >= MAX_DEPTH || fabs(left + right - whole) <= tol)
		return left + right;
	return adapt(r, f, ctx, a, m, left, tol / 2, depth + 1) +
	       adapt(r, f, ctx, m, b, right, tol / 2, depth + 1);
}

double stats_integrate(stats_fn f, void *ctx, double a, double b, double tol)
{
	struct rule r;

	gauss_legendre(&r);
	return adapt(&r, f, ctx, a, b, panel(&r, f, ctx, a, b), tol, 0);
}

double stats_solve(stats_fn f, void *ctx, double lo, double hi, double tol)
{
	double a = lo, b = hi, fa = f(a, ctx), fb = f(b, ctx), c, fc, d, e;

	if (fa == 0)
		return a;
	if (fb == 0)
		return b;
	if (isnan(fa) || isnan(fb) || (fa > 0) == (fb > 0))
		return NAN;
	c = a;
	fc = fa;
	d = e = b - a;
	for (int iter = 0; iter < 200; iter++) {
		double m, t, p, q, r, s;

		if ((fb > 0) == (fc > 0)) { /* keep the root between b and c */
			c = a;
			fc = fa;
			d = e = b - a;
		}
		if (fabs(fc) < fabs(fb)) {
			a = b;
			b = c;
			c = a;
			fa = fb;
			fb = fc;
			fc = fa;
		}
		t = 2 * 2.2e-16 * fabs(b) + tol / 2;
		m = (c - b) / 2;
		if (fabs(m) <= t || fb == 0)
			return b;
		if (fabs(e) >= t && fabs(fa) > fabs(fb)) {
			s = fb / fa;
			if (a == c) { /* secant */
				p = 2 * m * s;
				q = 1 - s;
			} else {      /* inverse quadratic */
				q = fa / fc;
				r = fb / fc;
				p = s * (2 * m * q * (q - r) - (b - a) * (r - 1));
				q = (q - 1) * (r - 1) * (s - 1);
			}
			if (p > 0)
				q = -q;
			else
				p = -p;
			if (2 * p < 3 * m * q - fabs(t * q) && p < fabs(e * q / 2)) {
				e = d;
				d = p / q;
			} else {
				d = e = m;
			}
		} else {
			d = e = m;
		}
		a = b;
		fa = fb;
		b += fabs(d) > t ? d : (m > 0 ? t : -t);
		fb = f(b, ctx);
	}
	return b;
}
