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
