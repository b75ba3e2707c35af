/*
 * rig/stats against published tables and hand calculations.
 *
 * Sources of the reference values (each cell copied from the table named):
 *  [MHE]   Meeker, Hahn & Escobar, Statistical Intervals, 2nd ed., Wiley
 *          2017, Table J.5b: exact two-sided normal tolerance factors.
 *  [ISO]   ISO 16269-6:2014, Annex F, Tables F.4-F.6, column m = 1: exact
 *          two-sided factors to 4 decimals, rounded up in the last place.
 *  [MR]    Montgomery & Runger, Applied Statistics and Probability for
 *          Engineers, 7th ed., Wiley 2018, Appendix Table XII: one-sided
 *          factors (noncentral t).
 *  [NIST]  NIST/SEMATECH e-Handbook of Statistical Methods, section
 *          7.2.6.3, worked example (n = 43, 99 % confidence, 90 % coverage).
 *  [Wilks] Wilks (1941); ISO 16269-6 clause 7 / Table E: distribution-free
 *          sample sizes (59 for one-sided 95/95, 93 two-sided, 662 for
 *          two-sided 99/99).
 * None of these tables has a 97.5 % coverage column; those factors are
 * checked by simulation below instead (independent, but coarser).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/judge.h"
#include "rig/base/record.h"
#include "rig/run/record_json.h"
#include "rig/stats/stats.h"
#include "tests/lib/testutil.h"

struct k_cell {
	size_t n;
	double coverage, k;
};

static double k_of(size_t n, double confidence, double coverage, int sides, enum k_method m)
{
	double k = NAN;

	ck_assert_int_eq(stats_tolerance_k(n, confidence, coverage, sides, m, &k), 0);
	return k;
}

/* [MHE] Table J.5b, confidence 0.95 columns. */
static const struct k_cell two_sided_mhe[] = {
	{ 2, 0.90, 31.092 }, { 2, 0.95, 36.519 }, { 2, 0.99, 46.944 },
	{ 5, 0.90, 4.291 },  { 5, 0.95, 5.077 },  { 5, 0.99, 6.598 },
	{ 10, 0.90, 2.856 }, { 10, 0.95, 3.393 }, { 10, 0.99, 4.437 },
	{ 20, 0.90, 2.319 }, { 20, 0.95, 2.760 }, { 20, 0.99, 3.621 },
	{ 30, 0.90, 2.145 }, { 30, 0.95, 2.555 }, { 30, 0.99, 3.355 },
	{ 60, 0.90, 1.960 }, { 60, 0.95, 2.335 }, { 60, 0.99, 3.068 },
	{ 120, 0.90, 1.851 }, { 120, 0.95, 2.206 }, { 120, 0.99, 2.899 },
};

/* [ISO] Tables F.4 (p = 0.90), F.5 (0.95), F.6 (0.99) at 95 % confidence. */
static const struct k_cell two_sided_iso[] = {
	{ 8, 0.90, 3.1561 },  { 16, 0.90, 2.4486 }, { 35, 0.90, 2.0943 },
	{ 150, 0.90, 1.8260 }, { 500, 0.90, 1.7374 }, { 1000, 0.90, 1.7088 },
	{ 5, 0.95, 5.0769 },  { 10, 0.95, 3.3935 }, { 26, 0.95, 2.6188 },
	{ 90, 0.95, 2.2519 }, { 200, 0.95, 2.1430 }, { 1000, 0.95, 2.0362 },
	{ 3, 0.99, 12.6472 }, { 9, 0.99, 4.6329 },  { 17, 0.99, 3.7606 },
	{ 35, 0.99, 3.2762 }, { 100, 0.99, 2.9356 }, { 500, 0.99, 2.7208 },
};

/* [MR] Table XII, confidence 0.95 columns. */
static const struct k_cell one_sided_mr[] = {
	{ 5, 0.90, 3.407 },  { 5, 0.95, 4.203 },  { 5, 0.99, 5.741 },
	{ 10, 0.90, 2.355 }, { 10, 0.95, 2.911 }, { 10, 0.99, 3.981 },
	{ 20, 0.90, 1.926 }, { 20, 0.95, 2.396 }, { 20, 0.99, 3.295 },
	{ 30, 0.90, 1.777 }, { 30, 0.95, 2.220 }, { 30, 0.99, 3.064 },
	{ 60, 0.90, 1.609 }, { 60, 0.95, 2.022 }, { 60, 0.99, 2.807 },
	{ 100, 0.90, 1.527 }, { 100, 0.95, 1.927 }, { 100, 0.99, 2.684 },
};

static void check_table(const struct k_cell *t, size_t len, int sides, const char *source)
{
	for (size_t i = 0; i < len; i++) {
		double k = k_of(t[i].n, 0.95, t[i].coverage, sides, K_EXACT);

		ck_assert_msg(fabs(k - t[i].k) <= 0.001, "%s n=%zu P=%g: k=%.5f, table %.4f", source,
			      t[i].n, t[i].coverage, k, t[i].k);
	}
}

START_TEST(two_sided_matches_meeker_hahn_escobar)
{
	check_table(two_sided_mhe, sizeof(two_sided_mhe) / sizeof(two_sided_mhe[0]), 2, "MHE J.5b");
}
END_TEST

START_TEST(two_sided_matches_iso_16269_6)
{
	check_table(two_sided_iso, sizeof(two_sided_iso) / sizeof(two_sided_iso[0]), 2, "ISO F");
	/* ISO rounds up in the 4th decimal: the exact value sits just below. */
	ck_assert_double_le(k_of(10, 0.95, 0.95, 2, K_EXACT), 3.3935);
	ck_assert_double_gt(k_of(10, 0.95, 0.95, 2, K_EXACT), 3.3934);
}
END_TEST

START_TEST(one_sided_matches_montgomery_runger)
{
	check_table(one_sided_mr, sizeof(one_sided_mr) / sizeof(one_sided_mr[0]), 1, "MR XII");
}
END_TEST

START_TEST(approximations_match_nist_example)
{
	/* [NIST]: k2 = 2.2173 (Howe), k1 = 1.8752 (Natrella). */
	ck_assert_double_eq_tol(k_of(43, 0.99, 0.90, 2, K_HOWE), 2.2173, 0.0001);
	ck_assert_double_eq_tol(k_of(43, 0.99, 0.90, 1, K_NATRELLA), 1.8752, 0.0001);
	/* Howe is low for small n: at n = 10 (95/95) it misses the exact
	 * factor by more than 0.01, which is why rig defaults to exact. */
	ck_assert_double_gt(k_of(10, 0.95, 0.95, 2, K_EXACT) - k_of(10, 0.95, 0.95, 2, K_HOWE),
			    0.01);
}
END_TEST

/* A seeded 64-bit LCG with Box-Muller: deterministic, and plenty for
 * checking a confidence to a few thousandths. */
static uint64_t lcg_state = 42;
static double uniform01(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return ((double)(lcg_state >> 11) + 0.5) * 0x1.0p-53;
}

static double gaussian(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

/*
 * The 97.5 % column by simulation: draw R normal samples of n, build
 * x̄ ± k s, and count how often it really covers 97.5 % of N(0, 1). That
 * fraction must be the confidence, 0.95, within 4 standard errors (±0.0044).
 */
static double simulated_confidence(size_t n, int sides, double k)
{
	const int reps = 40000;
	int hits = 0;

	for (int r = 0; r < reps; r++) {
		double x[64], sum = 0, ss = 0, mean, sd, cover;

		for (size_t i = 0; i < n; i++) {
			x[i] = gaussian();
			sum += x[i];
		}
		mean = sum / (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		sd = sqrt(ss / (double)(n - 1));
		cover = stats_normal_cdf(mean + k * sd) -
			(sides == 2 ? stats_normal_cdf(mean - k * sd) : 0);
		hits += cover >= 0.975;
	}
	return (double)hits / reps;
}

START_TEST(coverage_975_holds_by_simulation)
{
	static const size_t ns[] = { 5, 10, 20, 30, 60 };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (int sides = 1; sides <= 2; sides++) {
			double k = k_of(ns[i], 0.95, 0.975, sides, K_EXACT);
			double c = simulated_confidence(ns[i], sides, k);

			ck_assert_msg(fabs(c - 0.95) < 0.0044, "n=%zu sides=%d k=%.4f: %.4f", ns[i],
				      sides, k, c);
		}
}
END_TEST

START_TEST(k_grows_with_coverage_and_shrinks_with_n)
{
	static const size_t ns[] = { 5, 10, 20, 30, 60, 100 };
	static const double cov[] = { 0.90, 0.95, 0.975, 0.99 };

	for (int sides = 1; sides <= 2; sides++)
		for (size_t i = 0; i < 6; i++)
			for (size_t j = 0; j < 4; j++) {
				double k = k_of(ns[i], 0.95, cov[j], sides, K_EXACT);

				if (j > 0)
					ck_assert_double_gt(k, k_of(ns[i], 0.95, cov[j - 1], sides,
								    K_EXACT));
				if (i > 0)
					ck_assert_double_lt(k, k_of(ns[i - 1], 0.95, cov[j], sides,
								    K_EXACT));
				/* never below the known-sigma limit */
				ck_assert_double_gt(k, stats_normal_quantile(
							       sides == 2 ? (1 + cov[j]) / 2 : cov[j]));
			}
}
END_TEST

START_TEST(k_rejects_bad_arguments)
{
	double k;

	ck_assert_int_eq(stats_tolerance_k(1, 0.95, 0.95, 2, K_EXACT, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 1.0, 0.95, 2, K_EXACT, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 0.95, 0.0, 2, K_EXACT, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 0.95, NAN, 2, K_EXACT, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 0.95, 0.95, 3, K_EXACT, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 0.95, 0.95, 1, K_HOWE, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_tolerance_k(10, 0.95, 0.95, 2, K_NATRELLA, &k), RIG_ERR_INVALID);
	/* Natrella's form has no real root for n = 2 at 95 % confidence. */
	ck_assert_int_eq(stats_tolerance_k(2, 0.95, 0.95, 1, K_NATRELLA, &k), RIG_ERR_INVALID);
	ck_assert_int_eq(stats_k_method_parse("wald", &(enum k_method){ K_EXACT }),
			 RIG_ERR_INVALID);
}
END_TEST

START_TEST(chi_square_quantiles_match_tables)
{
	/* Any chi-square table (e.g. NIST e-Handbook 1.3.6.7.4). */
	ck_assert_double_eq_tol(stats_chi2_quantile(0.95, 1), 3.8415, 0.0001);
	ck_assert_double_eq_tol(stats_chi2_quantile(0.95, 10), 18.3070, 0.0001);
	ck_assert_double_eq_tol(stats_chi2_quantile(0.05, 10), 3.9403, 0.0001);
	ck_assert_double_eq_tol(stats_chi2_quantile(0.99, 2), 9.2103, 0.0001);
	ck_assert_double_eq_tol(stats_chi2_quantile(0.975, 100), 129.5612, 0.0001);
	/* [NIST] example: chi2_{0.01, 42} = 23.650. */
	ck_assert_double_eq_tol(stats_chi2_quantile(0.01, 42), 23.6501, 0.0001);
	/* and the inverse really inverts */
	ck_assert_double_eq_tol(stats_chi2_cdf(stats_chi2_quantile(1e-6, 7), 7), 1e-6, 1e-15);
}
END_TEST

START_TEST(distribution_free_sample_sizes)
{
	ck_assert_uint_eq(stats_df_min_n(0.95, 0.95, 1), 59);  /* [Wilks] */
	ck_assert_uint_eq(stats_df_min_n(0.95, 0.95, 2), 93);
	ck_assert_uint_eq(stats_df_min_n(0.99, 0.99, 2), 662);
	ck_assert_uint_eq(stats_df_min_n(0.95, 0.99, 1), 299);
	/* 1 - 0.95^59 */
	ck_assert_double_eq_tol(stats_df_confidence(59, 1, 0.95), 1 - pow(0.95, 59), 1e-12);
	ck_assert_uint_eq(stats_df_trim(59, 0.95, 0.95, 1), 1);
	ck_assert_uint_eq(stats_df_trim(58, 0.95, 0.95, 1), 0);
	/* two-sided trims come in pairs */
	ck_assert_uint_eq(stats_df_trim(400, 0.95, 0.975, 2) % 2, 0);
	ck_assert_double_ge(stats_df_confidence(400, stats_df_trim(400, 0.95, 0.975, 2), 0.975),
			    0.95);
	ck_assert_double_lt(
		stats_df_confidence(400, stats_df_trim(400, 0.95, 0.975, 2) + 2, 0.975), 0.95);
}
END_TEST

START_TEST(cpk_and_bissell_by_hand)
{
	/*
	 * mean 10.0, sd 0.1, limits 9.4 .. 10.9:
	 *   Cpk = min(10.9 - 10, 10 - 9.4) / 0.3 = min(3.0, 2.0) = 2.0
	 * Bissell, n = 25, 95 %: 2.0 - 1.644854 sqrt(1/225 + 4/48)
	 *   = 2.0 - 1.644854 * 0.296273 = 1.51267
	 */
	ck_assert_double_eq_tol(stats_cpk(10.0, 0.1, 9.4, 10.9), 2.0, 1e-12);
	ck_assert_double_eq_tol(stats_cpk_lower(2.0, 25, 0.95), 1.51267, 0.00001);
	/* one-sided: only the upper limit counts */
	ck_assert_double_eq_tol(stats_cpk(10.0, 0.1, NAN, 10.9), 3.0, 1e-12);
	ck_assert(isnan(stats_cpk(10.0, 0.0, 9.4, 10.9)));
}
END_TEST

START_TEST(judge_reports_cpk_of_the_sample)
{
	/* 9.9, 10.0, 10.1: mean 10, sd 0.1 exactly; Cpk 2.0; Bissell n = 3:
	 * 2.0 - 1.644854 sqrt(1/27 + 4/4) = 2.0 - 1.675040 = 0.32496 */
	const double x[] = { 9.9, 10.0, 10.1 };
	struct acceptance a;
	struct measurement m;

	acceptance_init(&a);
	a.ti_lo = 9.4;
	a.ti_hi = 10.9;
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 3, &a, 0, &m), 0);
	ck_assert_double_eq_tol(m.cpk, 2.0, 1e-9);
	ck_assert_double_eq_tol(m.cpk_lo, 0.32496, 0.00001);
}
END_TEST

/* Normal scores Phi^-1((i - 0.5) / n): as normal as n values get. */
static void normal_scores(double *x, size_t n, double mean, double sd)
{
	for (size_t i = 0; i < n; i++)
		x[i] = mean + sd * stats_normal_quantile(((double)i + 0.5) / (double)n);
}

/* Two equal clusters 0.2 apart, each with a little spread: clearly bimodal. */
static void bimodal(double *x, size_t n, double centre)
{
	for (size_t i = 0; i < n; i++)
		x[i] = centre + (i % 2 ? 0.1 : -0.1) +
		       0.01 * stats_normal_quantile(((double)(i / 2) + 0.5) / (double)((n + 1) / 2));
}

START_TEST(anderson_darling_separates_normal_from_bimodal)
{
	double x[400], a2, p;

	normal_scores(x, 60, 4.0, 0.03);
	ck_assert_int_eq(stats_anderson_darling(x, 60, &a2, &p), 0);
	ck_assert_double_gt(p, 0.9);
	bimodal(x, 60, 4.0);
	ck_assert_int_eq(stats_anderson_darling(x, 60, &a2, &p), 0);
	ck_assert_double_lt(p, 1e-6);
	ck_assert_double_gt(a2, 3);
	ck_assert_int_eq(stats_anderson_darling(x, 7, &a2, &p), RIG_ERR_INVALID);
	for (int i = 0; i < 10; i++)
		x[i] = 1.0;
	ck_assert_int_eq(stats_anderson_darling(x, 10, &a2, &p), RIG_ERR_INVALID);
}
END_TEST

START_TEST(anderson_darling_rejects_at_its_level)
{
	/* On normal samples the test must reject about 5 % at alpha = 0.05:
	 * 4000 samples of 30, binomial sd 0.0034, allow ±0.015. */
	int rejected = 0;

	lcg_state = 7;
	for (int r = 0; r < 4000; r++) {
		double x[30], a2, p;

		for (int i = 0; i < 30; i++)
			x[i] = gaussian();
		ck_assert_int_eq(stats_anderson_darling(x, 30, &a2, &p), 0);
		rejected += p < 0.05;
	}
	ck_assert_double_eq_tol(rejected / 4000.0, 0.05, 0.015);
}
END_TEST

static void depth_acceptance(struct acceptance *a)
{
	acceptance_init(a);
	snprintf(a->requirement, sizeof(a->requirement), "DEPTH-ACC");
	a->target = 4;
	a->mean_lo = 3.9;
	a->mean_hi = 4.1;
	a->ti_lo = 3.7;
	a->ti_hi = 4.3;
}

START_TEST(judge_guard_band_on_the_mean)
{
	double x[60];
	struct acceptance a;
	struct measurement m;

	depth_acceptance(&a);
	/* mean 4.095: inside the limit 4.1, inside its guard band (U 0.01) */
	normal_scores(x, 60, 4.095, 0.012);
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_int_eq(m.verdict, VERDICT_INDETERMINATE);
	ck_assert_ptr_nonnull(strstr(m.reason, "mean 4.095 inside the guard band (U = 0.01)"));
	ck_assert_double_eq(m.guard_band, 0.01);
	/* the same values without uncertainty pass ... */
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0, &m), 0);
	ck_assert_int_eq(m.verdict, VERDICT_PASS);
	/* ... and 4.105 fails whatever U */
	normal_scores(x, 60, 4.105, 0.012);
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_int_eq(m.verdict, VERDICT_FAIL);
}
END_TEST

START_TEST(judge_guard_band_on_the_ti)
{
	double x[60], k = k_of(60, 0.95, 0.975, 2, K_EXACT);
	struct acceptance a;
	struct measurement m;

	depth_acceptance(&a);
	/* sd chosen so that the TI's upper end is 4.295: within 4.3, not 4.29 */
	normal_scores(x, 60, 4.0, 1);
	{
		struct sample_stats st;

		stats_describe(x, 60, &st);
		normal_scores(x, 60, 4.0, 0.295 / (k * st.sd));
	}
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_str_eq(m.ti_method, "exact");
	ck_assert_double_eq_tol(m.k, k, 1e-12);
	ck_assert_double_eq_tol(m.ti_hi, 4.295, 1e-9);
	ck_assert_int_eq(m.verdict, VERDICT_INDETERMINATE);
	ck_assert_ptr_nonnull(strstr(m.reason, "tolerance interval"));
}
END_TEST

START_TEST(judge_bimodal_too_few_is_indeterminate)
{
	double x[60];
	struct acceptance a;
	struct measurement m;

	depth_acceptance(&a);
	bimodal(x, 60, 4.0);
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_double_lt(m.normality_p, m.normality_alpha);
	ck_assert_str_eq(m.ti_method, "distribution-free");
	ck_assert_uint_eq(m.ti_n_required, 188);
	ck_assert(isnan(m.ti_lo) && isnan(m.ti_hi));
	ck_assert_int_eq(m.verdict, VERDICT_INDETERMINATE);
	ck_assert_ptr_nonnull(strstr(m.reason, "normality rejected"));
	ck_assert_ptr_nonnull(strstr(m.reason, "needs 188"));
}
END_TEST

START_TEST(judge_bimodal_uses_order_statistics)
{
	double x[400];
	struct acceptance a;
	struct measurement m;
	size_t trim = stats_df_trim(400, 0.95, 0.975, 2);

	depth_acceptance(&a);
	bimodal(x, 400, 4.0);
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 400, &a, 0.01, &m), 0);
	ck_assert_str_eq(m.ti_method, "distribution-free");
	ck_assert_uint_eq(m.ti_rank_lo, trim / 2);
	ck_assert_uint_eq(m.ti_rank_hi, 401 - trim / 2);
	/* the interval ends are sample values, inside the two clusters */
	ck_assert_double_lt(m.ti_lo, 3.9);
	ck_assert_double_gt(m.ti_hi, 4.1);
	ck_assert(isnan(m.k));
	ck_assert_int_eq(m.verdict, VERDICT_PASS);
}
END_TEST

START_TEST(judge_too_many_outside_fails_without_normality)
{
	double x[60];
	struct acceptance a;
	struct measurement m;

	depth_acceptance(&a);
	a.mean_lo = a.mean_hi = NAN;
	bimodal(x, 60, 4.0);
	/* 6 of 60 beyond 4.3: Pr[Bin(60, 0.025) >= 6] = 0.004 < 0.05; 4 would not do (0.063) */
	for (int i = 0; i < 6; i++)
		x[2 * i + 1] = 4.35;
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_int_eq(m.verdict, VERDICT_FAIL);
	ck_assert_ptr_nonnull(strstr(m.reason, "6 of 60 values outside"));
	ck_assert_double_eq_tol(stats_binomial_upper(6, 60, 0.025), 0.0038532, 1e-7);
	ck_assert_double_gt(stats_binomial_upper(4, 60, 0.025), 0.05);
}
END_TEST

START_TEST(judge_options_choose_the_method)
{
	double x[60];
	struct acceptance a;
	struct measurement m;

	depth_acceptance(&a);
	normal_scores(x, 60, 4.0, 0.03);
	a.method = K_HOWE;
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_str_eq(m.ti_method, "howe");
	ck_assert_double_eq_tol(m.k, k_of(60, 0.95, 0.975, 2, K_HOWE), 1e-12);
	/* one-sided upper limit, forced distribution-free, n >= 72 needed */
	a.ti_lo = NAN;
	a.distribution_free = 1;
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 60, &a, 0.01, &m), 0);
	ck_assert_str_eq(m.ti_method, "distribution-free");
	ck_assert_uint_eq(m.ti_n_required, stats_df_min_n(0.95, 0.975, 1));
	ck_assert_int_eq(m.verdict, VERDICT_INDETERMINATE);
	ck_assert_ptr_null(strstr(m.reason, "normality rejected"));
}
END_TEST

START_TEST(statistics_fields_survive_the_journal)
{
	/* What a recovered run reports must be what was judged. */
	double x[400];
	struct acceptance a;
	struct measurement m, back;
	json_t *j;

	depth_acceptance(&a);
	bimodal(x, 400, 4.0);
	measurement_init(&m);
	ck_assert_int_eq(judge_sample(x, 400, &a, 0.01, &m), 0);
	j = measurement_to_json(&m);
	ck_assert(json_is_true(json_object_get(j, "normality_rejected")));
	measurement_from_json(j, &back);
	json_decref(j);
	ck_assert_str_eq(back.ti_method, "distribution-free");
	ck_assert_uint_eq(back.ti_rank_lo, m.ti_rank_lo);
	ck_assert_uint_eq(back.ti_rank_hi, m.ti_rank_hi);
	ck_assert_uint_eq(back.ti_n_required, 188);
	ck_assert_double_eq_tol(back.normality_p, m.normality_p, 1e-9 * m.normality_p);
	ck_assert_double_eq_tol(back.normality_a2, m.normality_a2, 1e-9);
	ck_assert_double_eq(back.normality_alpha, m.normality_alpha);
	ck_assert_double_eq(back.guard_band, 0.01);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("stats");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, two_sided_matches_meeker_hahn_escobar);
	tcase_add_test(t, two_sided_matches_iso_16269_6);
	tcase_add_test(t, one_sided_matches_montgomery_runger);
	tcase_add_test(t, approximations_match_nist_example);
	tcase_add_test(t, coverage_975_holds_by_simulation);
	tcase_add_test(t, k_grows_with_coverage_and_shrinks_with_n);
	tcase_add_test(t, k_rejects_bad_arguments);
	tcase_add_test(t, chi_square_quantiles_match_tables);
	tcase_add_test(t, distribution_free_sample_sizes);
	tcase_add_test(t, cpk_and_bissell_by_hand);
	tcase_add_test(t, judge_reports_cpk_of_the_sample);
	tcase_add_test(t, anderson_darling_separates_normal_from_bimodal);
	tcase_add_test(t, anderson_darling_rejects_at_its_level);
	tcase_add_test(t, judge_guard_band_on_the_mean);
	tcase_add_test(t, judge_guard_band_on_the_ti);
	tcase_add_test(t, judge_bimodal_too_few_is_indeterminate);
	tcase_add_test(t, judge_bimodal_uses_order_statistics);
	tcase_add_test(t, judge_too_many_outside_fails_without_normality);
	tcase_add_test(t, judge_options_choose_the_method);
	tcase_add_test(t, statistics_fields_survive_the_journal);
	suite_add_tcase(s, t);
	return s;
}
