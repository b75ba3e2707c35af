/* `rig history`: the runs in the store, newest first. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "rig/verbs/cli.h"
#include "rig/base/error.h"
#include "rig/verbs/verbs.h"
#include "rig/store/store.h"

static const char usage[] =
	"usage: rig history [--serial S] [--firmware V] [--branch B] [--model M]\n"
	"                   [--verdict V] [--limit N] [--json] [--db PATH]\n"
	"  lists the runs in the results store, newest first (default: the last 50)\n";

static int print_row(void *ctx, const struct store_run_row *r)
{
	json_t *list = ctx;

	if (list)
		return json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
					r->id, "started", r->started, "verdict", r->verdict, "model",
					r->model, "serial", r->serial, "firmware", r->firmware,
					"branch", r->branch, "script", r->script, "out_dir",
					r->out_dir, "steps", (json_int_t)r->steps));
	printf("%-22s %-20s %-10s %-12s %-13s %-5ld %-14s %s\n", r->id, r->started, r->serial,
	       r->firmware, r->verdict, r->steps, r->script, r->out_dir);
	return 0;
}

int history_command(int argc, char **argv)
{
	enum { OPT_SERIAL = 256, OPT_FIRMWARE, OPT_BRANCH, OPT_MODEL, OPT_VERDICT, OPT_LIMIT,
	       OPT_JSON, OPT_DB };
	static const struct option longopts[] = {
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "firmware", required_argument, NULL, OPT_FIRMWARE },
		{ "branch", required_argument, NULL, OPT_BRANCH },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "verdict", required_argument, NULL, OPT_VERDICT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_filter f = { .limit = 50 };
	const char *db = NULL;
	json_t *list = NULL;
	struct store st;
	uint64_t limit;
	int c, rc = 0, json = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && !rc) {
		switch (c) {
		case OPT_SERIAL: f.serial = optarg; break;
		case OPT_FIRMWARE: f.firmware = optarg; break;
		case OPT_BRANCH: f.branch = optarg; break;
		case OPT_MODEL: f.model = optarg; break;
		case OPT_VERDICT: f.verdict = optarg; break;
		case OPT_LIMIT:
			rc = cli_parse_u64("--limit", optarg, 1000000000, &limit);
			f.limit = (long)limit;
			break;
		case OPT_JSON: json = 1; break;
		case OPT_DB: db = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			rc = rig_error(RIG_ERR_INVALID, "history: %s %s (see rig history --help)",
				       c == ':' ? "missing value for" : "unknown option",
				       argv[optind - 1]);
		}
	}
	if (!rc && optind < argc)
		rc = rig_error(RIG_ERR_INVALID, "history: unexpected argument \"%s\"", argv[optind]);
	if (!rc && (rc = store_open_existing(&st, db)) == 0) {
		if (json)
			list = json_array();
		else
			printf("%-22s %-20s %-10s %-12s %-13s %-5s %-14s %s\n", "run", "started",
			       "serial", "firmware", "verdict", "steps", "script", "directory");
		rc = store_list_runs(&st, &f, print_row, list);
		store_close(&st);
	}
	if (!rc && list) {
		json_dumpf(list, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
	}
	json_decref(list);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
