/*
 * Two samples compared: Welch's t for the means (no equal-variance
 * assumption) and the Brown-Forsythe test for the spreads (Levene's test
 * on deviations from the median: robust when the data are not normal,
 * which the F ratio of variances is not).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"

int stats_welch(const struct sample_stats *a, const struct sample_stats *b, double confidence,
		struct welch *w)
{
	double va, vb, q;

	if (a->n < 2 || b->n < 2 || !(confidence > 0 && confidence < 1))
		return rig_error(RIG_ERR_INVALID,
				 "Welch's test needs two samples of at least 2 values and a "
				 "confidence in (0, 1)");
	va = a->sd * a->sd / (double)a->n;
	vb = b->sd * b->sd / (double)b->n;
	w->diff = b->mean - a->mean;
	w->se = sqrt(va + vb);
	if (w->se == 0) {
		w->df = (double)(a->n + b->n - 2);
		w->t = w->diff == 0 ? 0 : copysign(INFINITY, w->diff);
		w->p = w->diff == 0 ? 1 : 0;
		w->lo = w->hi = w->diff;
		return 0;
	}
	w->df = (va + vb) * (va + vb) /
		(va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	w->t = w->diff / w->se;
	w->p = 2 * stats_t_cdf(-fabs(w->t), w->df);
	q = stats_t_quantile(1 - (1 - confidence) / 2, w->df);
	w->lo = w->diff - q * w->se;
	w->hi = w->diff + q * w->se;
	return 0;
}

static int by_value(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* Absolute deviations of x from its median, into z; their mean. */
static double deviations(const double *x, size_t n, double *z)
{
	double med, sum = 0;

	memcpy(z, x, n * sizeof(*z));
	qsort(z, n, sizeof(*z), by_value);
	med = n % 2 ? z[n / 2] : (z[n / 2 - 1] + z[n / 2]) / 2;
	for (size_t i = 0; i < n; i++)
		sum += z[i] = fabs(x[i] - med);
	return sum / (double)n;
}

int stats_brown_forsythe(const double *a, size_t na, const double *b, size_t nb, double *f,
			 double *p)
{
	double *z, ma, mb, m, between, within = 0;
	size_t n = na + nb;

	if (na < 2 || nb < 2)
		return rig_error(RIG_ERR_INVALID,
				 "the Brown-Forsythe test needs two samples of at least 2 values");
	z = malloc(n * sizeof(*z));
	if (!z)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	ma = deviations(a, na, z);
	mb = deviations(b, nb, z + na);
	m = (ma * (double)na + mb * (double)nb) / (double)n;
	between = (double)na * (ma - m) * (ma - m) + (double)nb * (mb - m) * (mb - m);
	for (size_t i = 0; i < n; i++) {
		double d = z[i] - (i < na ? ma : mb);

		within += d * d;
	}
	free(z);
	/* One-way ANOVA of the deviations, 2 groups: F(1, n - 2). */
	if (within == 0) {
		*f = between == 0 ? 0 : INFINITY;
		*p = between == 0 ? 1 : 0;
		return 0;
	}
	*f = between / (within / (double)(n - 2));
	*p = stats_f_sf(*f, 1, (double)(n - 2));
	return 0;
}
