#ifndef RIG_STATS_H
#define RIG_STATS_H

/*
 * Statistics for acceptance decisions: descriptive statistics, normal
 * tolerance-interval factors, process capability with its confidence bound.
 * docs/statistics.md gives the methods and references.
 */
#include <stddef.h>

struct sample_stats {
	size_t n;
	double mean, sd, min, max;  /* sd with n - 1; NAN when n < 2 */
};

void stats_describe(const double *x, size_t n, struct sample_stats *s);

enum k_method {
	K_EXACT,   /* two-sided: Odeh/Owen integral; one-sided: noncentral t */
	K_APPROX,  /* two-sided: Howe (1969); one-sided: Natrella (1963) */
};

/*
 * Factor k so that mean ± k·sd (two-sided) or mean + k·sd (one-sided)
 * contains at least `coverage` of a normal population with `confidence`.
 * n >= 2, 0 < confidence, coverage < 1, sides 1 or 2.
 */
int stats_tolerance_k(size_t n, double confidence, double coverage, int sides,
		      enum k_method method, double *k);

/* Standard normal quantile and CDF. */
double stats_normal_quantile(double p);
double stats_normal_cdf(double x);

/* Chi-square quantile with df degrees of freedom. */
double stats_chi2_quantile(double p, double df);

/* Cpk = min(usl - mean, mean - lsl) / (3 sd); a NAN limit is one-sided. */
double stats_cpk(double mean, double sd, double lsl, double usl);

/* Bissell (1990) lower confidence bound of Cpk from n values. */
double stats_cpk_lower(double cpk, size_t n, double confidence);

#endif
