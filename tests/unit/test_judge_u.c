/*
 * A judgement's two uncertainties (rig/stats/judge.h, judge_sample_u and
 * judge_safe_depth_u): the guard band is the guard U given (the fixture's
 * with a Type A term), the uncertainty the measurement shows is the
 * fixture's own, U = u + rel % of the setting (docs/file-formats.md).
 * The figures are worked by hand from those definitions.
 */
#include <math.h>
#include <string.h>

#include "rig/stats/judge.h"
#include "tests/lib/testutil.h"

static void fixture_with_u(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->uncertainties[0].quantity, sizeof(fx->uncertainties[0].quantity), "volume_ul");
	fx->uncertainties[0].u = 0.05;
	fx->uncertainties[0].rel_pct = 0.3;
	snprintf(fx->uncertainties[1].quantity, sizeof(fx->uncertainties[1].quantity), "depth_mm");
	fx->uncertainties[1].u = 0.01;
	fx->nuncertainties = 2;
}

/* Mean 19.5 of a 19.4 .. 20.6 limit: inside the limits, 0.1 from the
 * lower one. A guard U of 0.2 puts it outside the acceptance zone
 * (INDETERMINATE), one of 0.05 inside (PASS); either way the measurement
 * shows the fixture's U at 20 ul, 0.05 + 0.3 % of 20 = 0.11. */
START_TEST(sample_guard_and_shown_u)
{
	static const double x[] = { 19.45, 19.55, 19.48, 19.52, 19.5, 19.46, 19.54, 19.5 };
	struct fixture fx;
	struct acceptance a;
	struct measurement m;

	fixture_with_u(&fx);
	acceptance_init(&a);
	a.target = 20;
	a.mean_lo = 19.4;
	a.mean_hi = 20.6;
	measurement_init(&m);
	snprintf(m.name, sizeof(m.name), "volume_ul");
	ck_assert_double_eq(acceptance_setting(&a), 20);
	ck_assert_int_eq(judge_sample_u(x, 8, &a, &fx, 0.2, &m), 0);
	ck_assert_str_eq(verdict_name(m.verdict), "INDETERMINATE");
	ck_assert_double_eq_tol(m.guard_band, 0.2, 1e-12);
	ck_assert_double_eq_tol(m.uncertainty, 0.11, 1e-12);
	measurement_init(&m);
	snprintf(m.name, sizeof(m.name), "volume_ul");
	ck_assert_int_eq(judge_sample_u(x, 8, &a, &fx, 0.05, &m), 0);
	ck_assert_str_eq(verdict_name(m.verdict), "PASS");
	ck_assert_double_eq_tol(m.guard_band, 0.05, 1e-12);
	ck_assert_double_eq_tol(m.uncertainty, 0.11, 1e-12);
	a.target = NAN;
	ck_assert_double_eq(acceptance_setting(&a), 0);
}
END_TEST

/* Deepest shot 4.45 mm at a 4 mm setting, limit set + 0.5 = 4.5: a guard
 * U of 0.1 leaves it in the guard band, 0.01 passes it; the U shown is
 * the fixture's depth U, 0.01. */
START_TEST(safe_depth_guard_and_shown_u)
{
	static const double d[] = { 4.01, 4.45, 3.99 };
	struct fixture fx;
	struct measurement m;

	fixture_with_u(&fx);
	measurement_init(&m);
	judge_safe_depth_u(d, 3, "SAFE-DEPTH", 4, 0.5, &fx, 0.1, &m);
	ck_assert_str_ne(verdict_name(m.verdict), "PASS");
	ck_assert_str_ne(verdict_name(m.verdict), "FAIL");
	ck_assert_double_eq_tol(m.uncertainty, 0.01, 1e-12);
	measurement_init(&m);
	judge_safe_depth_u(d, 3, "SAFE-DEPTH", 4, 0.5, &fx, 0.01, &m);
	ck_assert_str_eq(verdict_name(m.verdict), "PASS");
	ck_assert_double_eq_tol(m.uncertainty, 0.01, 1e-12);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("judge_u");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sample_guard_and_shown_u);
	tcase_add_test(tc, safe_depth_guard_and_shown_u);
	suite_add_tcase(s, tc);
	return s;
}
