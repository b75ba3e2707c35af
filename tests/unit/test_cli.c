#include <stdio.h>
#include <string.h>

#include "rig/verbs/cli.h"
#include "rig/base/error.h"
#include "tests/lib/testutil.h"

/* getopt wants writable argv: copy the literals. */
static int parse(struct run_options *o, int argc, const char *const *args)
{
	static char store[16][128];
	static char *argv[17];

	for (int i = 0; i < argc; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", args[i]);
		argv[i] = store[i];
	}
	argv[argc] = NULL;
	return cli_parse_run(argc, argv, o);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__ })
#define PARSE(o, ...) parse((o), (int)(sizeof(ARGS(__VA_ARGS__)) / sizeof(char *)), ARGS(__VA_ARGS__))

START_TEST(run_defaults)
{
	struct run_options o;

	ck_assert_int_eq(PARSE(&o, "run", "scripts/certify.lua"), 0);
	ck_assert_str_eq(o.script, "scripts/certify.lua");
	ck_assert_ptr_null(o.fixture);
	ck_assert_ptr_null(o.sim_unit);
	ck_assert_ptr_null(o.out);
	ck_assert_uint_eq(o.seed, 1);
	ck_assert_int_eq(o.realtime + o.batch + o.allow_expired_cal + o.quiet, 0);
}
END_TEST

START_TEST(run_options_after_script)
{
	struct run_options o;

	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--sim-unit", "u.lua", "--seed", "42", "--out",
			       "d", "--fixture", "f.lua", "--operator", "Ana", "--realtime",
			       "--batch", "--allow-expired-cal", "--quiet"),
			 0);
	ck_assert_str_eq(o.script, "s.lua");
	ck_assert_str_eq(o.sim_unit, "u.lua");
	ck_assert_str_eq(o.fixture, "f.lua");
	ck_assert_str_eq(o.out, "d");
	ck_assert_str_eq(o.operator_name, "Ana");
	ck_assert_uint_eq(o.seed, 42);
	ck_assert_int_eq(o.realtime && o.batch && o.allow_expired_cal && o.quiet, 1);
}
END_TEST

START_TEST(run_rejects_bad_input)
{
	struct run_options o;

	ck_assert_int_eq(PARSE(&o, "run"), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "needs a SCRIPT"));
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--seed", "-3"), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "--seed"));
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--seed", "12x"), RIG_ERR_INVALID);
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--seed", "99999999999999999999"),
			 RIG_ERR_INVALID);
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--frobnicate"), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "--frobnicate"));
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--seed"), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "needs a value"));
	ck_assert_int_eq(PARSE(&o, "run", "a.lua", "b.lua"), RIG_ERR_INVALID);
	ck_assert_int_eq(PARSE(&o, "run", "s.lua", "--operator", ""), RIG_ERR_INVALID);
}
END_TEST

START_TEST(numbers)
{
	uint64_t u;
	double d;

	ck_assert_int_eq(cli_parse_u64("--n", "60", 1000, &u), 0);
	ck_assert_uint_eq(u, 60);
	ck_assert_int_eq(cli_parse_u64("--n", "1001", 1000, &u), RIG_ERR_INVALID);
	ck_assert_int_eq(cli_parse_u64("--n", "", 1000, &u), RIG_ERR_INVALID);
	ck_assert_int_eq(cli_parse_double("--p", "0.975", &d), 0);
	ck_assert_double_eq(d, 0.975);
	ck_assert_int_eq(cli_parse_double("--p", "nan", &d), RIG_ERR_INVALID);
	ck_assert_int_eq(cli_parse_double("--p", "1e999", &d), RIG_ERR_INVALID);
	ck_assert_int_eq(cli_parse_double("--p", "0.9x", &d), RIG_ERR_INVALID);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("run");

	tcase_add_test(tc, run_defaults);
	tcase_add_test(tc, run_options_after_script);
	tcase_add_test(tc, run_rejects_bad_input);
	tcase_add_test(tc, numbers);
	suite_add_tcase(s, tc);
	return s;
}
