#include <stdio.h>
#include <string.h>

#include "rig/verbs/cli.h"
#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"
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

/* The option table every verb shares: each kind of value, a short form,
 * operands in any order, help, and the three messages. */
static int even(void *out, const char *opt, const char *value)
{
	int rc = cli_parse_u64(opt, value, 100, out);

	if (!rc && *(uint64_t *)out % 2)
		return rig_error(RIG_ERR_INVALID, "%s must be even", opt);
	return rc;
}

static char *operands[16];

static int options(int nonempty, int argc, const char *const *args, int *first, int *quiet,
		   const char **name, uint64_t *count, double *level, uint64_t *pairs)
{
	static char store[16][64];
	const struct cli_option table[] = {
		{ .name = "quiet", .arg = CLI_FLAG, .out = quiet, .letter = 'q' },
		{ .name = "name", .arg = CLI_TEXT, .out = name },
		{ .name = "count", .arg = CLI_U64, .out = count, .max = 10 },
		{ .name = "level", .arg = CLI_DOUBLE, .out = level },
		{ .name = "pairs", .arg = CLI_CALL, .out = pairs, .call = even },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "demo", .options = table, .nonempty = nonempty };

	for (int i = 0; i < argc; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", args[i]);
		operands[i] = store[i];
	}
	operands[argc] = NULL;
	return cli_options(&verb, argc, operands, first);
}

#define OPTIONS(nonempty, ...)                                                                \
	options((nonempty), (int)(sizeof(ARGS(__VA_ARGS__)) / sizeof(char *)), ARGS(__VA_ARGS__), \
		&first, &quiet, &name, &count, &level, &pairs)

START_TEST(option_table)
{
	int first = -1, quiet = 0;
	const char *name = NULL;
	uint64_t count = 0, pairs = 0;
	double level = 0;

	ck_assert_int_eq(OPTIONS(0, "demo", "a", "-q", "--name", "x", "b", "--count", "7",
				 "--level=2.5", "--pairs", "4", "--", "--c"), 0);
	ck_assert_int_eq(quiet, 1);
	ck_assert_str_eq(name, "x");
	ck_assert_uint_eq(count, 7);
	ck_assert_double_eq(level, 2.5);
	ck_assert_uint_eq(pairs, 4);
	/* The operands, moved behind the options, in order; "--" ended the options. */
	ck_assert_int_eq(first, 10);
	ck_assert_str_eq(operands[10], "a");
	ck_assert_str_eq(operands[11], "b");
	ck_assert_str_eq(operands[12], "--c");
	ck_assert_int_eq(OPTIONS(0, "demo", "--help"), CLI_HELP);
	ck_assert_int_eq(OPTIONS(0, "demo", "-h"), CLI_HELP);
	ck_assert_int_eq(OPTIONS(0, "demo", "--bogus"), RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "unknown option --bogus (see rig demo --help)");
	ck_assert_int_eq(OPTIONS(0, "demo", "-z"), RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "unknown option -z (see rig demo --help)");
	ck_assert_int_eq(OPTIONS(0, "demo", "--count"), RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "--count needs a value (see rig demo --help)");
	ck_assert_int_eq(OPTIONS(0, "demo", "--count", "11"), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "up to 10"));
	ck_assert_int_eq(OPTIONS(0, "demo", "--pairs", "3"), RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "--pairs must be even");
	ck_assert_int_eq(OPTIONS(0, "demo", "--level", "nan"), RIG_ERR_INVALID);
	name = NULL;
	ck_assert_int_eq(OPTIONS(0, "demo", "--name", ""), 0);
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(OPTIONS(1, "demo", "--name", ""), RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "--name needs a value (see rig demo --help)");
}
END_TEST

/* The checked path builder: fits exactly, or refuses naming the path. */
START_TEST(path_builder)
{
	char buf[16], big[64];
	struct datafile df;
	struct df_table t;
	char longpath[5000];

	ck_assert_int_eq(path_format(buf, sizeof(buf), "%s/%s", "runs", "r-12345678"), 0);
	ck_assert_str_eq(buf, "runs/r-12345678"); /* 15 bytes: fits with its NUL */
	ck_assert_int_eq(path_format(buf, sizeof(buf), "%s/%s", "runs", "r-123456789"),
			 RIG_ERR_INVALID);
	ck_assert_str_eq(rig_last_error(), "path too long (16 bytes, at most 15): runs/r-12345678...");
	ck_assert_int_eq(path_format(big, sizeof(big), "%s.torn", "j"), 0);
	ck_assert_str_eq(big, "j.torn");
	/* A data file path longer than rig keeps is refused, not shortened. */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(datafile_load(&df, longpath, &t), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "path too long (4999 bytes"));
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
	tcase_add_test(tc, option_table);
	tcase_add_test(tc, path_builder);
	suite_add_tcase(s, tc);
	return s;
}
