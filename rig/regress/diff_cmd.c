/* `rig diff [BASE] RUN`: has a firmware build changed the unit's behaviour? */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
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
	enum { OPT_SPEC = 256, OPT_JSON, OPT_JUNIT, OPT_QUIET, OPT_DB };
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SPEC: a->spec = optarg; break;
		case OPT_JSON: a->json = optarg; break;
		case OPT_JUNIT: a->junit = optarg; break;
		case 'q':
		case OPT_QUIET: a->quiet = 1; break;
		case OPT_DB: a->db = optarg; break;
		case 'h': return 1;
		default:
			return rig_error(RIG_ERR_INVALID, "diff: %s %s (see rig diff --help)",
					 c == ':' ? "missing value for" : "unknown option",
					 argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return rig_error(RIG_ERR_INVALID, "diff needs RUN, or BASE and RUN (see rig diff "
				 "--help)");
	if (argc - optind == 2)
		a->base = argv[optind++];
	a->run = argv[optind];
	return 0;
}

/* Find, load and compare; out: the exit status. */
static int diff_runs(const struct diff_args *a, struct store *st, struct run_record *base,
		     struct run_record *run, struct regress_spec *spec, int *status)
{
	char base_id[64], run_id[64], spec_path[4096];
	const char *how = "given";
	struct diff d;
	int rc;

	if (a->spec)
		snprintf(spec_path, sizeof(spec_path), "%s", a->spec);
	else if (paths_find_data("scripts/specs/mi350.lua", spec_path, sizeof(spec_path)) != 0)
		return rig_error(RIG_ERR_INVALID, "scripts/specs/mi350.lua not found (use --spec)");
	if ((rc = regress_spec_load(spec, spec_path)) != 0 ||
	    (rc = store_resolve_run(st, a->run, run_id)) != 0)
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
