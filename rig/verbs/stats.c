#include "rig/verbs/verbs.h"

#include <stdio.h>
#include <string.h>

#include "rig/verbs/cli.h"
#include "rig/base/error.h"
#include "rig/stats/stats.h"

static const char usage[] =
	"usage: rig stats k --n N [--confidence 0.95] [--coverage 0.975] [--sides 1|2]\n"
	"                      [--method exact|howe|natrella]\n"
	"         normal tolerance-interval factor k (mean ± k sd), 4 decimals\n"
	"       rig stats n [--confidence 0.95] [--coverage 0.975] [--sides 1|2]\n"
	"         fewest values for a distribution-free tolerance interval\n"
	"  --sides defaults to 2; --method to exact (howe is two-sided only,\n"
	"  natrella one-sided only). See docs/statistics.md.\n";

/* What judge accepts (JUDGE_MAX_VALUES); beyond, k is z to 4 decimals anyway. */
#define STATS_CMD_N_MAX 10000000

struct stats_options {
	uint64_t n;
	double confidence, coverage;
	uint64_t sides;
	enum k_method method;
};

static int fraction(const char *opt, const char *text, double *out)
{
	int rc = cli_parse_double(opt, text, out);

	if (!rc && !(*out > 0 && *out < 1))
		return rig_error(RIG_ERR_INVALID, "%s must lie strictly between 0 and 1, got %s", opt,
				 text);
	return rc;
}

static int parse_n(void *out, const char *opt, const char *value)
{
	int rc = cli_parse_u64(opt, value, STATS_CMD_N_MAX, out);

	if (!rc && *(uint64_t *)out < 2)
		return rig_error(RIG_ERR_INVALID, "--n must be at least 2, got %s", value);
	return rc;
}

static int parse_fraction(void *out, const char *opt, const char *value)
{
	return fraction(opt, value, out);
}

static int parse_sides(void *out, const char *opt, const char *value)
{
	int rc = cli_parse_u64(opt, value, 2, out);

	if (!rc && *(uint64_t *)out == 0)
		return rig_error(RIG_ERR_INVALID, "--sides must be 1 or 2, got %s", value);
	return rc;
}

static int parse_method(void *out, const char *opt, const char *value)
{
	(void)opt;
	return stats_k_method_parse(value, out);
}

/* rig stats n computes n and is distribution-free: it refuses both. */
static int refuse_for_n(void *out, const char *opt, const char *value)
{
	(void)out;
	(void)value;
	return rig_error(RIG_ERR_INVALID, "n takes no %s (%s)", opt,
			 strcmp(opt, "--n") ? "it is distribution-free" : "it computes n");
}

static int parse(int argc, char **argv, int is_k, struct stats_options *o)
{
	const struct cli_option options[] = {
		{ .name = "n", .arg = CLI_CALL, .out = &o->n, .call = is_k ? parse_n : refuse_for_n },
		{ .name = "confidence", .arg = CLI_CALL, .out = &o->confidence, .call = parse_fraction },
		{ .name = "coverage", .arg = CLI_CALL, .out = &o->coverage, .call = parse_fraction },
		{ .name = "sides", .arg = CLI_CALL, .out = &o->sides, .call = parse_sides },
		{ .name = "method", .arg = CLI_CALL, .out = &o->method,
		  .call = is_k ? parse_method : refuse_for_n },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "stats", .options = options };
	int rc, i;

	o->n = 0;
	o->confidence = 0.95;
	o->coverage = 0.975;
	o->sides = 2;
	o->method = K_EXACT;
	if ((rc = cli_options(&verb, argc, argv, &i)) != 0)
		return rc; /* CLI_HELP too: the usage */
	if (i < argc)
		return rig_error(RIG_ERR_INVALID, "unexpected argument \"%s\" (see rig stats --help)",
				 argv[i]);
	if (is_k && !o->n)
		return rig_error(RIG_ERR_INVALID, "k needs --n N (the sample size)");
	return 0;
}

static int run(int argc, char **argv)
{
	struct stats_options o;
	const char *what = argc > 1 ? argv[1] : "";
	double k;
	size_t n;
	int rc;

	if (strcmp(what, "k") && strcmp(what, "n"))
		return rig_error(RIG_ERR_INVALID, "which factor: k or n, got \"%s\" (see rig stats "
						  "--help)", what);
	if ((rc = parse(argc - 1, argv + 1, what[0] == 'k', &o)) != 0)
		return rc;
	if (what[0] == 'n') {
		n = stats_df_min_n(o.confidence, o.coverage, (int)o.sides);
		if (!n)
			return rig_error(RIG_ERR_INVALID, "a distribution-free interval would need "
							  "more than a billion values");
		printf("%zu\n", n);
		return 0;
	}
	if ((rc = stats_tolerance_k((size_t)o.n, o.confidence, o.coverage, (int)o.sides, o.method,
				    &k)) != 0)
		return rc;
	printf("%.4f\n", k);
	return 0;
}

int stats_command(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	switch (run(argc, argv)) {
	case 0: return 0;
	case CLI_HELP: fputs(usage, stdout); return 0;
	default:
		fprintf(stderr, "rig: stats: %s\n", rig_last_error());
		return 2;
	}
}
