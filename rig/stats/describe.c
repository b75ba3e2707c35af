#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/stats/stats.h"

void stats_describe(const double *x, size_t n, struct sample_stats *s)
{
	double mean = 0, m2 = 0;

	s->n = n;
	s->min = n ? x[0] : NAN;
	s->max = n ? x[0] : NAN;
	/* Welford: stable for long runs of nearly equal values. */
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - mean;

		mean += d / (double)(i + 1);
		m2 += d * (x[i] - mean);
		if (x[i] < s->min)
			s->min = x[i];
		if (x[i] > s->max)
			s->max = x[i];
	}
	s->mean = n ? mean : NAN;
	s->sd = n > 1 ? sqrt(m2 / (double)(n - 1)) : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double *stats_sorted_copy(const double *x, size_t n)
{
	double *y = malloc((n ? n : 1) * sizeof(*y));

	if (!y)
		return NULL;
	memcpy(y, x, n * sizeof(*y));
	qsort(y, n, sizeof(*y), cmp_double);
	return y;
}
