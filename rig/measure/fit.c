#include "rig/measure/fit.h"

#include <complex.h>
#include <math.h>
#include <string.h>

#define MIN_BAND_SAMPLES 4

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
		 double *u, size_t *width)
{
	size_t hmax = centre < n - 1 - centre ? centre : n - 1 - centre, h = hmax;
	double a = y[centre], b = 0, q = 0, var0 = 1, v, sdq;
	int moves = 0;

	*at = (double)centre;
	*u = sqrt(noise_var);
	*width = 0;
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
	*width = h;
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

#define RING_SAMPLES 6

/* Solve the 2x2 or 3x3 normal equations a x = b in place (Gaussian
 * elimination, no pivoting: the matrices are symmetric positive definite
 * when the samples carry the model). Returns 0 when singular. */
static int solve(double *a, double *b, int n)
{
	for (int i = 0; i < n; i++) {
		if (!(fabs(a[i * n + i]) > 1e-300))
			return 0;
		for (int r = i + 1; r < n; r++) {
			double f = a[r * n + i] / a[i * n + i];

			for (int c = i; c < n; c++)
				a[r * n + c] -= f * a[i * n + c];
			b[r] -= f * b[i];
		}
	}
	for (int i = n - 1; i >= 0; i--) {
		for (int c = i + 1; c < n; c++)
			b[i] -= a[i * n + c] * b[c];
		b[i] /= a[i * n + i];
	}
	return 1;
}

/* A fitted ring model: its value x samples after the highest sample. */
struct ring_model {
	double (*at)(const struct ring_model *r, double x);
	double c[5];           /* constant, then each mode's cos and sin terms */
	double rho, th;        /* one mode (fit_ring) */
	const double complex *z; /* the roots (fit_ring2) */
	int nb;
};

/* c0 + rho^x (c1 cos th x + c2 sin th x) */
static double ring_at(const struct ring_model *r, double x)
{
	return r->c[0] + pow(r->rho, x) * (r->c[1] * cos(r->th * x) + r->c[2] * sin(r->th * x));
}

/*
 * The model's maximum within 1.2 samples of y[j], the highest sample:
 * on a 1/100-sample grid, then the parabola through the best point and
 * its neighbours (exact to ~1e-9). NAN when it rises above the samples
 * around j by more than a ring can between samples th apart (its
 * amplitude amp times 1 - cos th/2, plus the noise): no such ring.
 */
static double model_crest(const struct ring_model *r, const double *y, size_t n, size_t j,
			  double amp, double th, double noise_var, double *at)
{
	double best = -INFINITY, top = -INFINITY;
	int bi = 0;

	for (int i = -120; i <= 120; i++) {
		double v = r->at(r, i / 100.0);

		if (v > best) {
			best = v;
			bi = i;
		}
	}
	*at = (double)j + bi / 100.0;
	if (bi > -120 && bi < 120) {
		double lv = r->at(r, (bi - 1) / 100.0), rv = r->at(r, (bi + 1) / 100.0);
		double den = lv - 2 * best + rv;

		if (den < 0) {
			double v = 0.5 * (lv - rv) / den;

			best -= 0.25 * (lv - rv) * v;
			*at += v / 100.0;
		}
	}
	for (int k = -1; k <= 1; k++)
		if ((long)j + k >= 0 && (size_t)((long)j + k) < n)
			top = fmax(top, y[(long)j + k]);
	if (best > top + amp * (1 - cos(th / 2)) + 3 * sqrt(noise_var))
		return NAN;
	return best;
}

double fit_ring(const double *y, size_t n, size_t j, double noise_var, double *at)
{
	double d[RING_SAMPLES - 1], m2[4] = { 0 }, r2[2] = { 0 }, m3[9] = { 0 }, r3[3] = { 0 };
	double p, q, disc, rho, th, rss = 0, amp;

	if (j + RING_SAMPLES > n)
		return NAN;
	/* Prony: a constant plus a damped sine makes the differences obey
	 * d[k+2] = p d[k+1] + q d[k]; p and q by least squares. */
	for (int k = 0; k < RING_SAMPLES - 1; k++)
		d[k] = y[j + (size_t)k + 1] - y[j + (size_t)k];
	for (int k = 0; k + 2 < RING_SAMPLES - 1; k++) {
		m2[0] += d[k + 1] * d[k + 1];
		m2[1] += d[k + 1] * d[k];
		m2[3] += d[k] * d[k];
		r2[0] += d[k + 2] * d[k + 1];
		r2[1] += d[k + 2] * d[k];
	}
	m2[2] = m2[1];
	if (!solve(m2, r2, 2))
		return NAN;
	p = r2[0];
	q = r2[1];
	disc = p * p + 4 * q;
	if (!(disc < 0))
		return NAN;
	rho = sqrt(-q);
	th = atan2(sqrt(-disc) / 2, p / 2);
	/* Only where the samples are too coarse for the parabola (a ring of
	 * 10 samples a period or fewer) but not so coarse that a ring above
	 * Nyquist could alias into one (3 samples a period or more), and a
	 * decaying one. */
	if (!(th > 0.6 && th < 2.0 && rho > 0.2 && rho < 1.05))
		return NAN;
	for (int k = 0; k < RING_SAMPLES; k++) {
		double e = pow(rho, k), f[3] = { 1, e * cos(th * k), e * sin(th * k) };

		for (int r = 0; r < 3; r++) {
			for (int c = 0; c < 3; c++)
				m3[r * 3 + c] += f[r] * f[c];
			r3[r] += f[r] * y[j + (size_t)k];
		}
	}
	if (!solve(m3, r3, 3))
		return NAN;
	for (int k = 0; k < RING_SAMPLES; k++) {
		double e = pow(rho, k);
		double r = y[j + (size_t)k] - (r3[0] + e * (r3[1] * cos(th * k) + r3[2] * sin(th * k)));

		rss += r * r;
	}
	amp = hypot(r3[1], r3[2]);
	/* The ring must stand clear of the noise and the model hold. */
	if (!(amp * amp > 1000 * noise_var && rss <= 9 * noise_var * RING_SAMPLES))
		return NAN;
	{
		struct ring_model r = { .at = ring_at, .c = { r3[0], r3[1], r3[2] }, .rho = rho,
					.th = th };

		return model_crest(&r, y, n, j, amp, th, noise_var, at);
	}
}

#define RING2_ORDER 4

/* The 4 roots of z^4 - a[0] z^3 - a[1] z^2 - a[2] z - a[3] (Durand-Kerner:
 * every root at once; a quartic converges in a few dozen steps). */
static void quartic_roots(const double *a, double complex *z)
{
	for (int k = 0; k < RING2_ORDER; k++)
		z[k] = cpow(0.4 + 0.9 * I, k);
	for (int it = 0; it < 500; it++) {
		double moved = 0;

		for (int k = 0; k < RING2_ORDER; k++) {
			double complex p = ((((z[k] - a[0]) * z[k] - a[1]) * z[k]) - a[2]) * z[k] - a[3];
			double complex d = 1, step;

			for (int l = 0; l < RING2_ORDER; l++)
				if (l != k)
					d *= z[k] - z[l];
			if (cabs(d) < 1e-300)
				d = 1e-12;
			step = p / d;
			z[k] -= step;
			moved = fmax(moved, cabs(step));
		}
		if (moved < 1e-14)
			break;
	}
}

/* The model's k-th basis function at x: a real root's r^x, or of a
 * complex pair (the one with positive angle) r^x cos and r^x sin. */
static int ring2_basis(const double complex *z, double x, double *f)
{
	int n = 0;

	f[n++] = 1;
	for (int k = 0; k < RING2_ORDER; k++) {
		double r = cabs(z[k]), th = carg(z[k]);

		if (fabs(cimag(z[k])) < 1e-9) {
			f[n++] = pow(creal(z[k]), x);  /* positive: fit_ring2 refuses others */
		} else if (th > 0) {
			f[n++] = pow(r, x) * cos(th * x);
			f[n++] = pow(r, x) * sin(th * x);
		}
	}
	return n;
}

static double ring2_at(const struct ring_model *r, double x)
{
	double f[RING2_ORDER + 1], v = 0;

	ring2_basis(r->z, x, f);
	for (int p = 0; p < r->nb; p++)
		v += r->c[p] * f[p];
	return v;
}

double fit_ring2(const double *y, size_t n, size_t j, double noise_var, double *at)
{
	double d[RING2_SAMPLES - 1], m[RING2_ORDER * RING2_ORDER] = { 0 }, r[RING2_ORDER] = { 0 };
	double g[(RING2_ORDER + 1) * (RING2_ORDER + 1)] = { 0 }, c[RING2_ORDER + 1] = { 0 };
	double f[RING2_ORDER + 1], rss = 0, thmax = 0, amp, lo = INFINITY, hi = -INFINITY;
	double complex z[RING2_ORDER];
	int nb = 0, pairs = 0;

	if (j + RING2_SAMPLES > n)
		return NAN;
	/* Prony of order 4 on the differences (the constant drops out):
	 * d[k+4] = a0 d[k+3] + a1 d[k+2] + a2 d[k+1] + a3 d[k], least squares. */
	for (int k = 0; k < RING2_SAMPLES - 1; k++)
		d[k] = y[j + (size_t)k + 1] - y[j + (size_t)k];
	for (int k = 0; k + RING2_ORDER < RING2_SAMPLES - 1; k++)
		for (int p = 0; p < RING2_ORDER; p++) {
			for (int q = 0; q < RING2_ORDER; q++)
				m[p * RING2_ORDER + q] += d[k + RING2_ORDER - 1 - p] *
							  d[k + RING2_ORDER - 1 - q];
			r[p] += d[k + RING2_ORDER] * d[k + RING2_ORDER - 1 - p];
		}
	if (!solve(m, r, RING2_ORDER))
		return NAN;
	quartic_roots(r, z);

	/* Two decaying modes, each of 3 samples a period or more (no alias),
	 * at least one that rings. */
	for (int k = 0; k < RING2_ORDER; k++) {
		double rr = cabs(z[k]), th = fabs(carg(z[k]));

		if (!(rr > 0.2 && rr < 1.05) || th > 3.0 ||
		    (fabs(cimag(z[k])) < 1e-9 && !(creal(z[k]) > 0)))
			return NAN;
		pairs += cimag(z[k]) > 1e-9;
		thmax = fmax(thmax, th);
	}
	/* Only where a mode is too coarse for the parabola (10 samples a
	 * period or fewer), as fit_ring. */
	if (pairs == 0 || !(thmax > 0.6))
		return NAN;
	/* The amplitudes and the constant, by linear least squares. */
	for (int k = 0; k < RING2_SAMPLES; k++) {
		nb = ring2_basis(z, k, f);
		for (int p = 0; p < nb; p++) {
			for (int q = 0; q < nb; q++)
				g[p * nb + q] += f[p] * f[q];
			c[p] += f[p] * y[j + (size_t)k];
		}
	}
	if (!solve(g, c, nb))
		return NAN;
	for (int k = 0; k < RING2_SAMPLES; k++) {
		double v = 0, e;

		ring2_basis(z, k, f);
		for (int p = 0; p < nb; p++)
			v += c[p] * f[p];
		e = y[j + (size_t)k] - v;
		rss += e * e;
		/* The ring's size is what the model does over the samples (half
		 * its swing), not its coefficients: modes that noise makes up
		 * can cancel out there and soar between the samples. */
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	amp = 0.5 * (hi - lo);
	if (!(amp * amp > 1000 * noise_var && rss <= 9 * noise_var * RING2_SAMPLES))
		return NAN;
	{
		struct ring_model rm = { .at = ring2_at, .z = z, .nb = nb };

		memcpy(rm.c, c, sizeof(rm.c));
		return model_crest(&rm, y, n, j, amp, thmax, noise_var, at);
	}
}
