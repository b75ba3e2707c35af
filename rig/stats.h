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

/* Regularized incomplete beta function I_x(a, b). */
double stats_beta_inc(double a, double b, double x);

/* Student's t: CDF and quantile with df (> 0, not necessarily whole)
 * degrees of freedom. */
double stats_t_cdf(double t, double df);
double stats_t_quantile(double p, double df);

/* Fisher's F: Pr[F > f] with df1 and df2 degrees of freedom. */
double stats_f_sf(double f, double df1, double df2);

/* Welch's two-sample t for the change in mean from sample a to b. */
struct welch {
	double diff;     /* mean(b) - mean(a) */
	double se, df;   /* its standard error; Welch-Satterthwaite df */
	double t, p;     /* statistic; two-sided p-value */
	double lo, hi;   /* confidence interval of diff */
};
int stats_welch(const struct sample_stats *a, const struct sample_stats *b, double confidence,
		struct welch *w);

/* Brown-Forsythe (median-centred Levene) test of equal spread: statistic
 * F(1, na + nb - 2) and its p-value. */
int stats_brown_forsythe(const double *a, size_t na, const double *b, size_t nb, double *f,
			 double *p);

/* c4(n): E[s] = c4 sigma for n normal values (n >= 2; NAN otherwise). */
double stats_c4(size_t n);

/* Western Electric rules (Western Electric 1956; Montgomery, Introduction
 * to SQC, 5.3.6), each flagged at the point that completes its pattern. */
enum we_rule {
	WE_BEYOND_3 = 1u << 0,     /* one point beyond 3 sigma */
	WE_2_OF_3 = 1u << 1,       /* 2 of 3 in a row beyond 2 sigma, one side */
	WE_4_OF_5 = 1u << 2,       /* 4 of 5 in a row beyond 1 sigma, one side */
	WE_8_SAME_SIDE = 1u << 3,  /* 8 in a row on one side of the centre */
};

/* z[i]: point i's distance from the centre line in its own sigmas. */
void stats_western_electric(const double *z, size_t n, unsigned *rules);

#endif
