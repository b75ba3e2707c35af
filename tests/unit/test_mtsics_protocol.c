/* MT-SICS reply parsing alone (drivers/balance/protocol.c). */
#include <string.h>

#include "drivers/balance/protocol.h"
#include "rig/base/error.h"
#include "tests/lib/testutil.h"

static void expect_error(const char *cmd, const char *line, int code, const char *what)
{
	struct sics_reply r;

	ck_assert_int_eq(sics_parse(cmd, line, &r), code);
	ck_assert_msg(strstr(rig_last_error(), what), "\"%s\" -> \"%s\" lacks \"%s\"", line,
		      rig_last_error(), what);
}

START_TEST(stable_weight)
{
	struct sics_reply r;
	double g;

	ck_assert_int_eq(sics_parse("S", "S S      12.34567 g", &r), 0);
	ck_assert_str_eq(r.id, "S");
	ck_assert_int_eq(r.status, SICS_STABLE);
	ck_assert_int_eq(sics_grams(&r, &g), 0);
	ck_assert_double_eq_tol(g, 12.34567, 1e-12);

	ck_assert_int_eq(sics_parse("S", "S S     -0.00012 g", &r), 0);
	ck_assert_int_eq(sics_grams(&r, &g), 0);
	ck_assert_double_eq_tol(g, -0.00012, 1e-15);

	ck_assert_int_eq(sics_parse("S", "S S   2999.87 mg", &r), 0);
	ck_assert_int_eq(sics_grams(&r, &g), 0);
	ck_assert_double_eq_tol(g, 2.99987, 1e-12);
}
END_TEST

START_TEST(immediate_weight_stable_or_dynamic)
{
	struct sics_reply r;

	ck_assert_int_eq(sics_parse("SI", "S D       3.00140 g", &r), 0);
	ck_assert_int_eq(r.status, SICS_DYNAMIC);
	ck_assert_int_eq(sics_parse("SI", "S S       3.00140 g", &r), 0);
	ck_assert_int_eq(r.status, SICS_STABLE);
	/* S waits for stability: a dynamic value is not an answer to it. */
	expect_error("S", "S D       3.00140 g", RIG_ERR_PROTOCOL, "unknown status");
}
END_TEST

START_TEST(tare_zero_and_identity)
{
	struct sics_reply r;

	ck_assert_int_eq(sics_parse("T", "T S      25.00310 g", &r), 0);
	ck_assert_double_eq_tol(r.value, 25.0031, 1e-12);
	ck_assert_int_eq(sics_parse("Z", "Z A", &r), 0);
	ck_assert_int_eq(sics_parse("I4", "I4 A \"B123456789\"", &r), 0);
	ck_assert_str_eq(r.text, "B123456789");
	ck_assert_int_eq(sics_parse("@", "I4 A \"B123456789\"", &r), 0);
	ck_assert_str_eq(r.text, "B123456789");
	ck_assert_int_eq(sics_parse("I2", "I2 A \"XPR205 220.00000 g\"", &r), 0);
	ck_assert_str_eq(r.text, "XPR205 220.00000 g");
}
END_TEST

START_TEST(general_errors)
{
	expect_error("S", "ES", RIG_ERR_PROTOCOL, "syntax error");
	expect_error("T", "ET", RIG_ERR_PROTOCOL, "transmission error (check baud rate");
	expect_error("Z", "EL", RIG_ERR_DEVICE, "logical error");
	expect_error("S", "ES extra", RIG_ERR_PROTOCOL, "malformed");
}
END_TEST

START_TEST(refusals)
{
	struct sics_reply r;

	ck_assert_int_eq(sics_parse("S", "S I", &r), RIG_ERR_TIMEOUT);
	ck_assert_int_eq(r.status, SICS_NOT_NOW);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "not executable now"));
	expect_error("S", "S +", RIG_ERR_DEVICE, "overload");
	expect_error("SI", "S -", RIG_ERR_DEVICE, "underload (is the weighing pan in place?)");
	expect_error("Z", "Z +", RIG_ERR_DEVICE, "above the zero/tare range");
	expect_error("T", "T -", RIG_ERR_DEVICE, "below the zero/tare range");
	ck_assert_int_eq(sics_parse("T", "T I", &r), RIG_ERR_TIMEOUT);
}
END_TEST

START_TEST(malformed_replies)
{
	struct sics_reply r;
	double g;

	expect_error("S", "", RIG_ERR_PROTOCOL, "no reply ID");
	expect_error("S", "S", RIG_ERR_PROTOCOL, "no status");
	expect_error("S", "S S", RIG_ERR_PROTOCOL, "no weight value");
	expect_error("S", "S S   abc g", RIG_ERR_PROTOCOL, "no weight value");
	expect_error("S", "S S   12.5", RIG_ERR_PROTOCOL, "no unit");
	expect_error("S", "S S   12.5 g junk", RIG_ERR_PROTOCOL, "no unit");
	expect_error("S", "S S   1e999 g", RIG_ERR_PROTOCOL, "no weight value");
	expect_error("S", "S S   1e308 g", RIG_ERR_PROTOCOL, "weight beyond any balance's display");
	expect_error("S", "S Q   12.5 g", RIG_ERR_PROTOCOL, "unknown status");
	expect_error("S", "S SS  12.5 g", RIG_ERR_PROTOCOL, "no status");
	expect_error("S", "S S \x01 12.5 g", RIG_ERR_PROTOCOL, "control");
	expect_error("S", "S S  12.5 g\xff", RIG_ERR_PROTOCOL, "non-ASCII");
	expect_error("I4", "I4 A B123", RIG_ERR_PROTOCOL, "quoted");
	expect_error("I4", "I4 A \"B123", RIG_ERR_PROTOCOL, "quoted");
	expect_error("Z", "Z A now", RIG_ERR_PROTOCOL, "unexpected text");
	expect_error("S I", "S I extra", RIG_ERR_PROTOCOL, "another command");
	expect_error("S", "S I extra", RIG_ERR_PROTOCOL, "text after the status");
	/* A reply to another command: a stale line, or another program on the port. */
	expect_error("T", "S S    1.0 g", RIG_ERR_PROTOCOL, "another command");

	ck_assert_int_eq(sics_parse("S", "S S    1.0 lb", &r), 0);
	ck_assert_int_eq(sics_grams(&r, &g), RIG_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "\"lb\""));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("MT-SICS protocol");
	TCase *tc = tcase_create("replies");

	tcase_add_test(tc, stable_weight);
	tcase_add_test(tc, immediate_weight_stable_or_dynamic);
	tcase_add_test(tc, tare_zero_and_identity);
	tcase_add_test(tc, general_errors);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, malformed_replies);
	suite_add_tcase(s, tc);
	return s;
}
