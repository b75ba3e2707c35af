#include "rig/measure/fit.h"

#include <math.h>

#define MIN_BAND_SAMPLES 4

double fit_peak(const double *y, size_t n, double *at)
{
	/* Centre the abscissa: the normal equations stay well conditioned. */
	double c = (double)(n - 1) / 2;
	double s2 = 0, s4 = 0, sy = 0, sxy = 0, sxxy = 0;
	double det, a, b, q, v;

	*at = c;
	if (n < 3)
		return n == 2 ? fmax(y[0], y[1]) : y[0];
	for (size_t i = 0; i < n; i++) {
		double x = (double)i - c, xx = x * x;

		s2 += xx;
		s4 += xx * xx;
		sy += y[i];
		sxy += x * y[i];
		sxxy += xx * y[i];
	}
	/* Symmetric abscissa: odd sums vanish, the 3x3 system splits. */
	det = (double)n * s4 - s2 * s2;
	a = (s4 * sy - s2 * sxxy) / det;
	b = sxy / s2;
	q = ((double)n * sxxy - s2 * sy) / det;
	if (q < 0) {
		v = -b / (2 * q);
		if (fabs(v) <= c) {
			*at = c + v;
			return a - b * b / (4 * q);
		}
	}
	return a;
}

double fit_crossing(const double *y, size_t upto, double level, double band)
{
	size_t i, lo, hi;
	double linear, n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, slope, x;

	for (i = 1; i <= upto; i++)
		if (y[i - 1] < level && y[i] >= level)
			break;
	if (i > upto)
		return -1;
	linear = (double)(i - 1) + (level - y[i - 1]) / (y[i] - y[i - 1]);
	for (lo = i - 1; lo > 0 && fabs(y[lo - 1] - level) <= band; lo--)
		;
	for (hi = i; hi < upto && fabs(y[hi + 1] - level) <= band; hi++)
		;
	if (hi - lo + 1 < MIN_BAND_SAMPLES)
		return linear;
	for (size_t k = lo; k <= hi; k++) {
		double d = (double)k - (double)i;

		n++;
		sx += d;
		sy += y[k];
		sxx += d * d;
		sxy += d * y[k];
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	if (!(slope > 0))
		return linear;
	x = (double)i + (level - (sy - slope * sx) / n) / slope;
	return x >= (double)lo && x <= (double)hi ? x : linear;
}

/* Least-squares parabola a + b x + q x^2 through y[0..n), x centred on the
 * middle sample; returns the residual sum of squares and, in *var0, the
 * variance factor of a (times the noise variance: a's variance). */
static double quad_fit(const double *y, size_t n, double *a, double *b, double *q, double *var0)
{
	double c = (double)(n - 1) / 2, s2 = 0, s4 = 0, sy = 0, sxy = 0, sxxy = 0, det, rss = 0;

	for (size_t i = 0; i < n; i++) {
		double x = (double)i - c, xx = x * x;

		s2 += xx;
		s4 += xx * xx;
		sy += y[i];
		sxy += x * y[i];
		sxxy += xx * y[i];
	}
	det = (double)n * s4 - s2 * s2;
	*a = (s4 * sy - s2 * sxxy) / det;
	*b = sxy / s2;
	*q = ((double)n * sxxy - s2 * sy) / det;
	*var0 = s4 / det;
	for (size_t i = 0; i < n; i++) {
		double x = (double)i - c, r = y[i] - (*a + *b * x + *q * x * x);

		rss += r * r;
	}
	return rss;
}

double fit_crest(const double *y, size_t n, size_t centre, double noise_var, double *at,
		 double *u)
{
	size_t hmax = centre < n - 1 - centre ? centre : n - 1 - centre, h = hmax;
	double a = y[centre], b = 0, q = 0, var0 = 1, v, sdq;
	int moves = 0;

	*at = (double)centre;
	*u = sqrt(noise_var);
	if (hmax == 0)
		return y[centre];
	/* The widest window the parabola explains down to the noise: wide on
	 * a flat stop (the noise averages out), a few samples on a sharp ring
	 * (the parabola only holds near its crest). */
	for (;;) {
		size_t m = 2 * h + 1, c2, h2;
		double rss = quad_fit(y + centre - h, m, &a, &b, &q, &var0);
		double dof = (double)m - 3;
		long step;

		if (h > 1 && rss > noise_var * (dof + 2.5 * sqrt(2 * dof))) {
			h = h * 3 / 4 < h - 1 ? h * 3 / 4 : h - 1;
			continue;
		}
		/* The crest lies off the window's middle (or beyond it): look
		 * again around it, a few times at most. */
		v = q < 0 ? -b / (2 * q) : (b > 0 ? (double)h : -(double)h);
		if (moves >= 4 || fabs(v) <= 0.5 * (double)h)
			break;
		step = lround(fmax(fmin(v, (double)h), -(double)h));
		if (step == 0)
			break;
		if ((step < 0 && (size_t)-step > centre) || (step > 0 && centre + (size_t)step > n - 1))
			break;
		c2 = (size_t)((long)centre + step);
		h2 = c2 < n - 1 - c2 ? c2 : n - 1 - c2;
		if (h2 < 1)
			break;
		centre = c2;
		h = h < h2 ? h : h2;
		moves++;
	}
	*u = sqrt(noise_var * var0);
	/* A curvature the noise could have made: a flat top, whose level
	 * is the fit's middle, not the top of a parabola through noise. */
	{
		double s2 = 0, s4 = 0, nn = (double)(2 * h + 1);

		for (long i = -(long)h; i <= (long)h; i++) {
			s2 += (double)(i * i);
			s4 += (double)(i * i) * (double)(i * i);
		}
		sdq = sqrt(noise_var * nn / (nn * s4 - s2 * s2));
	}
	/* Three samples, one of them level with the middle one: the rise ran
	 * into a flat stop between samples; a parabola would bridge the
	 * corner above the stop. The two level samples are the stop. */
	if (h == 1) {
		double tol = 3 * sqrt(noise_var), l = y[centre - 1], r = y[centre + 1], mid = y[centre];

		if (fabs(r - mid) <= tol && r >= l) {
			*at = (double)centre + 0.5;
			return 0.5 * (mid + r);
		}
		if (fabs(l - mid) <= tol && l > r) {
			*at = (double)centre - 0.5;
			return 0.5 * (mid + l);
		}
	}
	if (q < -2 * sdq || h == 1) {
		v = q < 0 ? -b / (2 * q) : 0;
		/* Three samples bound any parabola: the next sample on the
		 * crest's side says whether it is one (a sharp ring's crest
		 * falls away as the parabola does) or a corner (a rise into a
		 * stop that rings faster than the samples come: the curve
		 * stays up). A corner reads its highest sample. */
		if (h == 1 && q < 0) {
			long side = v >= 0 ? 1 : -1;
			long k2 = (long)centre + 2 * side;

			if (k2 >= 0 && k2 < (long)n) {
				double pred = a + b * 2 * (double)side + 4 * q;
				double top = a - b * b / (4 * q);

				if (y[k2] - pred > 0.5 * (top - pred)) {
					size_t best = centre;

					for (size_t i = centre - 1; i <= centre + 1; i++)
						best = y[i] > y[best] ? i : best;
					*at = (double)best;
					return y[best];
				}
			}
		}
		if (q < 0 && fabs(v) <= (double)h) {
			*at = (double)centre + v;
			return a - b * b / (4 * q);
		}
		/* No crest inside: the fitted end that is higher. */
		v = b > 0 ? (double)h : -(double)h;
		*at = (double)centre + v;
		return a + b * v + q * v * v;
	}
	return a;
}
