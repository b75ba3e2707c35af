/* One-way ANOVA, the studentized range and Games-Howell (rig line's
 * station comparison), against published tables and exact identities. */
#include <math.h>

#include "rig/stats/stats.h"
#include "tests/lib/testutil.h"

START_TEST(studentized_range_table)
{
	/* Upper points of the studentized range (Harter 1960; the same in
	 * R's qtukey): Pr[Q <= q] is the table's confidence. */
	static const struct { double q, k, df, p; } t[] = {
		{ 3.876777, 3, 10, 0.95 }, { 3.958293, 4, 20, 0.95 }, { 3.977418, 5, 60, 0.95 },
		{ 5.270162, 3, 10, 0.99 }, { 5.756255, 10, 30, 0.99 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_double_eq_tol(stats_ptukey(t[i].q, t[i].k, t[i].df), t[i].p, 2e-6);
}
END_TEST

START_TEST(studentized_range_two_means_is_t)
{
	/* For k = 2, Q = |T| sqrt 2: Pr[Q <= q] = 2 F_t(q / sqrt 2) - 1, exactly. */
	static const double q[] = { 0.3, 1, 2.5, 4, 6 }, df[] = { 2, 5, 13.7, 40, 500 };

	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 5; j++)
			ck_assert_double_eq_tol(stats_ptukey(q[i], 2, df[j]),
						2 * stats_t_cdf(q[i] / M_SQRT2, df[j]) - 1, 1e-8);
	ck_assert_double_eq(stats_ptukey(0, 3, 10), 0);
	ck_assert(isnan(stats_ptukey(1, 1, 10)));
}
END_TEST

START_TEST(oneway_by_hand)
{
	/* 1 2 3 | 4 5 6 | 7 8 9: SSB = 54, SSW = 6, F = 27 on (2, 6), and
	 * 27 is F(2, 6)'s upper 0.1 % point: p = 0.001. */
	struct sample_stats g[3] = { { 3, 2, 1, 1, 3 }, { 3, 5, 1, 4, 6 }, { 3, 8, 1, 7, 9 } };
	struct oneway a;

	ck_assert_int_eq(stats_oneway(g, 3, &a), 0);
	ck_assert_double_eq_tol(a.ss_between, 54, 1e-12);
	ck_assert_double_eq_tol(a.ss_within, 6, 1e-12);
	ck_assert_double_eq_tol(a.f, 27, 1e-12);
	ck_assert_double_eq_tol(a.p, 0.001, 1e-12);
	ck_assert_int_ne(stats_oneway(g, 1, &a), 0);
}
END_TEST

START_TEST(games_howell_two_groups_is_welch)
{
	/* With two groups Games-Howell is Welch's t-test. */
	struct sample_stats a = { 8, 10.0, 0.5, 0, 0 }, b = { 12, 10.6, 0.9, 0, 0 };
	struct pairwise pw;
	struct welch w;

	ck_assert_int_eq(stats_games_howell(&a, &b, 2, &pw), 0);
	ck_assert_int_eq(stats_welch(&a, &b, 0.95, &w), 0);
	ck_assert_double_eq_tol(pw.df, w.df, 1e-12);
	ck_assert_double_eq_tol(fabs(pw.t), fabs(w.t), 1e-12);
	ck_assert_double_eq_tol(pw.p, w.p, 1e-8);
	/* More groups: the same difference counts for less. */
	ck_assert_int_eq(stats_games_howell(&a, &b, 4, &pw), 0);
	ck_assert(pw.p > w.p);
}
END_TEST

START_TEST(games_howell_decision_matches_p)
{
	/* The bounded decision is the exact p's, over near and far pairs. */
	for (int i = 0; i < 40; i++) {
		struct sample_stats a = { 3 + (size_t)(i % 7), 0, 0.3 + 0.05 * (i % 5), 0, 0 };
		struct sample_stats b = { 4 + (size_t)(i % 5), 0.02 * i, 0.4, 0, 0 };
		struct pairwise pw;

		for (size_t k = 3; k <= 8; k += 5) {
			ck_assert_int_eq(stats_games_howell(&a, &b, k, &pw), 0);
			ck_assert_int_eq(stats_games_howell_differ(&a, &b, k, 0.05), pw.p < 0.05);
		}
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("oneway");
	TCase *tc = tcase_create("oneway");

	tcase_add_test(tc, studentized_range_table);
	tcase_add_test(tc, studentized_range_two_means_is_t);
	tcase_add_test(tc, oneway_by_hand);
	tcase_add_test(tc, games_howell_two_groups_is_welch);
	tcase_add_test(tc, games_howell_decision_matches_p);
	suite_add_tcase(s, tc);
	return s;
}
