#ifndef RIG_STATS_H
#define RIG_STATS_H

/*
 * Statistics for acceptance decisions: descriptive statistics, normal and
 * distribution-free tolerance intervals, a normality test, process
 * capability with its confidence bound. docs/statistics.md gives the
 * methods and references.
 */
#include <stddef.h>

struct sample_stats {
	size_t n;
	double mean, sd, min, max;  /* sd with n - 1; NAN when n < 2 */
};

void stats_describe(const double *x, size_t n, struct sample_stats *s);

/* x sorted ascending in a new array (free() it); NULL when out of memory. */
double *stats_sorted_copy(const double *x, size_t n);

enum k_method {
	K_EXACT,     /* two-sided: Odeh/Owen integral; one-sided: noncentral t */
	K_HOWE,      /* Howe (1969), two-sided only */
	K_NATRELLA,  /* Natrella (1963), one-sided only */
};

/*
 * Factor k so that mean ± k·sd (two-sided) or mean + k·sd (one-sided)
 * contains at least `coverage` of a normal population with `confidence`.
 * n >= 2, 0 < confidence, coverage < 1, sides 1 or 2.
 */
int stats_tolerance_k(size_t n, double confidence, double coverage, int sides,
		      enum k_method method, double *k);

/* "exact", "howe", "natrella"; parse returns RIG_ERR_INVALID for others. */
const char *stats_k_method_name(enum k_method m);
int stats_k_method_parse(const char *name, enum k_method *m);

/*
 * Distribution-free (order-statistic) tolerance intervals, valid for any
 * continuous distribution. Dropping m of the n sorted values in all
 * (below and above), the interval between the remaining extremes covers
 * at least `coverage` with confidence Pr[Binomial(n, 1 - coverage) >= m].
 */
double stats_df_confidence(size_t n, size_t m, double coverage);

/* Smallest n for which a one-sided (m = 1: the extreme value) or two-sided
 * (m = 2: min and max) interval reaches the confidence; 0 when out of reach. */
size_t stats_df_min_n(double confidence, double coverage, int sides);

/* Largest m that keeps the confidence; 0 when n < stats_df_min_n(). */
size_t stats_df_trim(size_t n, double confidence, double coverage, int sides);

/*
 * Anderson-Darling test of normality with mean and variance estimated
 * (Stephens' case 3): a2 is the statistic with Stephens' small-sample
 * modification A2 (1 + 0.75/n + 2.25/n^2), p its p-value (D'Agostino &
 * Stephens 1986, Table 4.9). Needs n >= 8 and a non-zero spread;
 * RIG_ERR_INVALID otherwise.
 */
#define STATS_AD_MIN_N 8
int stats_anderson_darling(const double *x, size_t n, double *a2, double *p);

/* Standard normal quantile and CDF. */
double stats_normal_quantile(double p);
double stats_normal_cdf(double x);

/* Regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P. */
double stats_gamma_p(double a, double x);
double stats_gamma_q(double a, double x);

/* Chi-square CDF and its exact inverse, df degrees of freedom. */
double stats_chi2_cdf(double x, double df);
double stats_chi2_quantile(double p, double df);

/* Pr[X >= k] for X ~ Binomial(n, p), to absolute precision ~1e-15. */
double stats_binomial_upper(size_t k, size_t n, double p);

/* Cpk = min(usl - mean, mean - lsl) / (3 sd); a NAN limit is one-sided. */
double stats_cpk(double mean, double sd, double lsl, double usl);

/* Bissell (1990) lower confidence bound of Cpk from n values. */
double stats_cpk_lower(double cpk, size_t n, double confidence);

#endif
