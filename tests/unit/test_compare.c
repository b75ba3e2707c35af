/* The t and F distributions and the two-sample comparisons rig diff uses,
 * against published tables and worked examples. */
#include <math.h>

#include "rig/stats/stats.h"
#include "tests/lib/testutil.h"

START_TEST(incomplete_beta)
{
	/* I_x(2, 3) is a polynomial: 11/16 at x = 1/2. */
	ck_assert_double_eq_tol(stats_beta_inc(2, 3, 0.5), 0.6875, 1e-14);
	ck_assert_double_eq_tol(stats_beta_inc(3, 2, 0.5), 0.3125, 1e-14);
	/* I_x(a, 1) = x^a */
	ck_assert_double_eq_tol(stats_beta_inc(7.5, 1, 0.9), pow(0.9, 7.5), 1e-14);
	ck_assert_double_eq(stats_beta_inc(2, 3, 0), 0);
	ck_assert_double_eq(stats_beta_inc(2, 3, 1), 1);
	ck_assert(isnan(stats_beta_inc(-1, 3, 0.5)));
}
END_TEST

START_TEST(student_t)
{
	/* df = 1 is Cauchy: F(1) = 3/4. */
	ck_assert_double_eq_tol(stats_t_cdf(1, 1), 0.75, 1e-14);
	ck_assert_double_eq_tol(stats_t_cdf(0, 7), 0.5, 1e-15);
	/* Quantiles from the standard tables (NIST/SEMATECH 1.3.6.7.2). */
	ck_assert_double_eq_tol(stats_t_quantile(0.975, 1), 12.706204736, 1e-8);
	ck_assert_double_eq_tol(stats_t_quantile(0.975, 10), 2.228138852, 1e-8);
	ck_assert_double_eq_tol(stats_t_quantile(0.995, 30), 2.749995654, 1e-8);
	ck_assert_double_eq_tol(stats_t_quantile(0.025, 10), -2.228138852, 1e-8);
	/* Large df tends to the normal. */
	ck_assert_double_eq_tol(stats_t_quantile(0.975, 1e7), 1.959964, 1e-5);
	ck_assert_double_eq_tol(stats_t_cdf(stats_t_quantile(0.9, 3.7), 3.7), 0.9, 1e-12);
}
END_TEST

START_TEST(fisher_f)
{
	/* Upper 5 % points (NIST/SEMATECH 1.3.6.7.3). */
	ck_assert_double_eq_tol(stats_f_sf(4.102821015, 2, 10), 0.05, 1e-8);
	ck_assert_double_eq_tol(stats_f_sf(3.920124, 1, 120), 0.05, 1e-6);
	ck_assert_double_eq_tol(stats_f_sf(2.689627574, 4, 30), 0.05, 1e-8);
	/* F(1, v) is t(v) squared. */
	ck_assert_double_eq_tol(stats_f_sf(4.0, 1, 12), 2 * stats_t_cdf(-2.0, 12), 1e-13);
	ck_assert_double_eq(stats_f_sf(0, 3, 4), 1);
}
END_TEST

START_TEST(welch_r_example)
{
	/* R's documented example t.test(1:10, y = c(7:20)): t = -5.4349,
	 * df = 21.982, p = 1.855e-05, 95 % CI -11.052802 .. -4.947198. Here
	 * the change is b - a, so the signs turn. */
	double a[10], b[14];
	struct sample_stats sa, sb;
	struct welch w;

	for (int i = 0; i < 10; i++)
		a[i] = i + 1;
	for (int i = 0; i < 14; i++)
		b[i] = i + 7;
	stats_describe(a, 10, &sa);
	stats_describe(b, 14, &sb);
	ck_assert_int_eq(stats_welch(&sa, &sb, 0.95, &w), 0);
	ck_assert_double_eq_tol(w.diff, 8, 1e-12);
	ck_assert_double_eq_tol(w.t, 5.4349, 1e-4);
	ck_assert_double_eq_tol(w.df, 21.982, 1e-3);
	ck_assert_double_eq_tol(w.p, 1.855e-05, 1e-8);
	ck_assert_double_eq_tol(w.lo, 4.947198, 1e-6);
	ck_assert_double_eq_tol(w.hi, 11.052802, 1e-6);
}
END_TEST

START_TEST(welch_degenerate)
{
	struct sample_stats a = { .n = 5, .mean = 1, .sd = 0 }, b = a, one = { .n = 1 };
	struct welch w;

	ck_assert_int_eq(stats_welch(&a, &b, 0.95, &w), 0);
	ck_assert_double_eq(w.p, 1);
	b.mean = 2;
	ck_assert_int_eq(stats_welch(&a, &b, 0.95, &w), 0);
	ck_assert_double_eq(w.p, 0);
	ck_assert_int_lt(stats_welch(&a, &one, 0.95, &w), 0);
}
END_TEST

START_TEST(brown_forsythe_by_hand)
{
	/* Deviations from the medians: {2,1,0,1,2} and {4,2,0,2,4}; between
	 * 3.6, within 14, F = 3.6 / (14 / 8); p by integrating the t(8)
	 * density numerically (F(1, 8) = t(8)^2): 0.1894037. */
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 6, 8, 10 };
	double f, p;

	ck_assert_int_eq(stats_brown_forsythe(a, 5, b, 5, &f, &p), 0);
	ck_assert_double_eq_tol(f, 3.6 / (14.0 / 8), 1e-12);
	ck_assert_double_eq_tol(p, 0.1894037, 1e-6);
	/* The same spread shifted is no change at all. */
	{
		const double c[] = { 101, 102, 103, 104, 105 };

		ck_assert_int_eq(stats_brown_forsythe(a, 5, c, 5, &f, &p), 0);
		ck_assert_double_eq(f, 0);
		ck_assert_double_eq(p, 1);
	}
	ck_assert_int_lt(stats_brown_forsythe(a, 1, b, 5, &f, &p), 0);
}
END_TEST

START_TEST(control_chart_constants)
{
	/* c4 from Montgomery, Introduction to SQC, Appendix VI. */
	ck_assert_double_eq_tol(stats_c4(2), 0.7979, 1e-4);
	ck_assert_double_eq_tol(stats_c4(5), 0.9400, 1e-4);
	ck_assert_double_eq_tol(stats_c4(25), 0.9896, 1e-4);
	ck_assert(isnan(stats_c4(1)));
}
END_TEST

START_TEST(western_electric_rules)
{
	const double z[] = { 0.1, -0.2, 3.4, 0.0, 2.2, 0.5, 2.5, -0.3, 1.2, 1.5, 0.2, 1.1, 1.3,
			     0.4, 0.3, 0.6, 0.2, 0.9, 0.1, 0.7, -0.1 };
	unsigned r[sizeof(z) / sizeof(z[0])];
	size_t n = sizeof(z) / sizeof(z[0]);

	stats_western_electric(z, n, r);
	ck_assert_uint_eq(r[2], WE_BEYOND_3);
	ck_assert_uint_eq(r[4], WE_2_OF_3);      /* 3.4 and 2.2 within 3 */
	ck_assert_uint_eq(r[6], WE_2_OF_3);      /* 2.2 and 2.5 */
	ck_assert_uint_eq(r[12], WE_4_OF_5);     /* 1.2 1.5 (0.2) 1.1 1.3 */
	ck_assert_uint_eq(r[18], WE_8_SAME_SIDE); /* 11..18 all above */
	ck_assert_uint_eq(r[19], WE_8_SAME_SIDE);
	ck_assert_uint_eq(r[0] | r[1] | r[3] | r[5] | r[7] | r[20], 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("distributions");

	tcase_add_test(tc, incomplete_beta);
	tcase_add_test(tc, student_t);
	tcase_add_test(tc, fisher_f);
	tcase_add_test(tc, welch_r_example);
	tcase_add_test(tc, welch_degenerate);
	tcase_add_test(tc, brown_forsythe_by_hand);
	tcase_add_test(tc, control_chart_constants);
	tcase_add_test(tc, western_electric_rules);
	suite_add_tcase(s, tc);
	return s;
}
