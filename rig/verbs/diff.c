/* `rig diff [BASE] RUN`: has a firmware build changed the unit's behaviour? */
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/verbs/cli.h"
#include "rig/base/paths.h"
#include "rig/regress/compare.h"
#include "rig/regress/diff_out.h"
#include "rig/verbs/verbs.h"
#include "rig/store/store.h"

static const char usage[] =
	"usage: rig diff [BASE] RUN [--spec F] [--json FILE|-] [--junit FILE] [--quiet]\n"
	"                [--db PATH]\n"
	"  compares every measurement of RUN with BASE (default: RUN's baseline, see\n"
	"  rig baseline); a regression is a significant change, larger than the spec's\n"
	"  threshold, for the worse. Runs are ids, unique id prefixes (rig history)\n"
	"  or latest.\n"
	"  --spec F   thresholds: F's regression table (default scripts/specs/mi350.lua)\n"
	"  --json F   the comparison as JSON (- : stdout, instead of the table)\n"
	"  --junit F  JUnit XML: one testcase per comparison, a failure per regression\n"
	"  --quiet    print only the regressions\n"
	"Exit status: 0 no regression, 1 regression, 2 the comparison could not be made.\n";

struct diff_args {
	const char *base, *run, *spec, *json, *junit, *db;
	int quiet;
};

static int parse(int argc, char **argv, struct diff_args *a)
{
	const struct cli_option options[] = {
		{ .name = "spec", .arg = CLI_TEXT, .out = &a->spec },
		{ .name = "json", .arg = CLI_TEXT, .out = &a->json },
		{ .name = "junit", .arg = CLI_TEXT, .out = &a->junit },
		{ .name = "quiet", .arg = CLI_FLAG, .out = &a->quiet, .letter = 'q' },
		{ .name = "db", .arg = CLI_TEXT, .out = &a->db },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "diff", .options = options };
	int rc, i;

	memset(a, 0, sizeof(*a));
	if ((rc = cli_options(&verb, argc, argv, &i)) != 0)
		return rc;
	if (argc - i < 1 || argc - i > 2)
		return rig_error(RIG_ERR_INVALID, "diff needs RUN, or BASE and RUN (see rig diff "
				 "--help)");
	if (argc - i == 2)
		a->base = argv[i++];
	a->run = argv[i];
	return 0;
}

/* The first module of the run that is a spec with a regression table. */
struct spec_search {
	struct regress_spec *spec;
	int seen;  /* modules whose text the store holds */
};

static int try_module(void *ctx, const char *path, const char *sha256, const void *text,
		      size_t len)
{
	struct spec_search *ss = ctx;

	(void)sha256;
	if (!text)
		return 0;
	ss->seen++;
	if (regress_spec_load_text(ss->spec, path, text, len) == 0)
		return 1;
	rig_error_clear();
	return 0;
}

/*
 * The thresholds: --spec, else the spec module the run required (its text
 * as the store kept it, by hash: what the run was judged against, even if
 * the file changed since), else -- a run recorded before the store kept
 * modules -- the installed MI-350 spec. spec->origin says which.
 */
static int choose_spec(const struct diff_args *a, struct store *st, const char *run_id,
		       struct regress_spec *spec)
{
	struct spec_search ss = { spec, 0 };
	char path[4096];
	int rc;

	if (a->spec) {
		if ((rc = regress_spec_load(spec, a->spec)) == 0)
			snprintf(spec->origin, sizeof(spec->origin), "given with --spec");
		return rc;
	}
	rc = store_list_modules(st, run_id, try_module, &ss);
	if (rc == 1) {
		snprintf(spec->origin, sizeof(spec->origin), "the spec run %s required", run_id);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (paths_find_data("scripts/specs/mi350.lua", path, sizeof(path)) != 0)
		return rig_error(RIG_ERR_INVALID, "run %s recorded no spec with a regression table, "
				 "and scripts/specs/mi350.lua is not found (use --spec)", run_id);
	if ((rc = regress_spec_load(spec, path)) == 0)
		snprintf(spec->origin, sizeof(spec->origin), "default: run %s recorded %s", run_id,
			 ss.seen ? "no spec with a regression table" : "no spec in the store");
	return rc;
}

/* Find, load and compare; out: the exit status. */
static int diff_runs(const struct diff_args *a, struct store *st, struct run_record *base,
		     struct run_record *run, struct regress_spec *spec, int *status)
{
	char base_id[64], run_id[64];
	const char *how = "given";
	struct diff d;
	int rc;

	/* A spec given on the command line is checked first, like any argument:
	 * a bad one is refused whatever the store holds. */
	if (a->spec && (rc = choose_spec(a, st, NULL, spec)) != 0)
		return rc;
	if ((rc = store_resolve_run(st, a->run, run_id)) != 0 ||
	    (!a->spec && (rc = choose_spec(a, st, run_id, spec)) != 0))
		return rc;
	if (a->base)
		rc = store_resolve_run(st, a->base, base_id);
	else
		rc = store_find_baseline(st, run_id, base_id, &how);
	if (!rc && !strcmp(base_id, run_id))
		rc = rig_error(RIG_ERR_INVALID, "%s is its own baseline: nothing to compare", run_id);
	if (rc || (rc = store_load_run(st, base_id, base)) != 0 ||
	    (rc = store_load_run(st, run_id, run)) != 0 ||
	    (rc = regress_diff(base, run, spec, &d)) != 0)
		return rc;
	if (!a->quiet && !(a->json && !strcmp(a->json, "-")))
		printf("baseline: %s (%s)\n", base_id, how);
	if (a->json)
		rc = diff_write_json(&d, a->json);
	if (!rc && a->junit)
		rc = diff_write_junit(&d, a->junit);
	if (!rc && !(a->json && !strcmp(a->json, "-")))
		diff_write_text(&d, a->quiet, stdout);
	*status = d.regressions ? 1 : 0;
	regress_diff_release(&d);
	return rc;
}

int diff_command(int argc, char **argv)
{
	static struct regress_spec spec;
	struct diff_args a;
	struct run_record base, run;
	struct store st;
	int rc, status = 2;

	rc = parse(argc, argv, &a);
	if (rc == 1) {
		fputs(usage, stdout);
		return 0;
	}
	run_record_init(&base);
	run_record_init(&run);
	if (!rc && (rc = store_open_existing(&st, a.db)) == 0) {
		rc = diff_runs(&a, &st, &base, &run, &spec, &status);
		store_close(&st);
	}
	run_record_release(&base);
	run_record_release(&run);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return status;
}
