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

/* One-way ANOVA from group summaries (n, mean, sd of each group). */
struct oneway {
	double df_between, df_within;
	double ss_between, ss_within, ms_between, ms_within;
	double f, p;
};
int stats_oneway(const struct sample_stats *groups, size_t k, struct oneway *out);

/* Studentized range: Pr[Q <= q] for k means and df degrees of freedom
 * (R's ptukey(q, k, df)), absolute error below ~1e-8. */
double stats_ptukey(double q, double k, double df);

/* Games-Howell comparison of two of k groups: Welch's t and df, and the
 * p-value from the studentized range of k means. */
struct pairwise {
	double diff, se, df, t, p;
};
int stats_games_howell(const struct sample_stats *a, const struct sample_stats *b, size_t k,
		       struct pairwise *out);

/* Whether Games-Howell finds a and b different at level alpha: the same
 * decision as stats_games_howell's p < alpha, most often without
 * integrating the studentized range. */
int stats_games_howell_differ(const struct sample_stats *a, const struct sample_stats *b,
			      size_t k, double alpha);

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
