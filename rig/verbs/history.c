/* `rig history`: the runs in the store, newest first. */
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
	struct store_filter f = { .limit = 50 };
	const char *db = NULL;
	json_t *list = NULL;
	struct store st;
	uint64_t limit = 50;
	int rc, i, json = 0;
	const struct cli_option options[] = {
		{ .name = "serial", .arg = CLI_TEXT, .out = &f.serial },
		{ .name = "firmware", .arg = CLI_TEXT, .out = &f.firmware },
		{ .name = "branch", .arg = CLI_TEXT, .out = &f.branch },
		{ .name = "model", .arg = CLI_TEXT, .out = &f.model },
		{ .name = "verdict", .arg = CLI_TEXT, .out = &f.verdict },
		{ .name = "limit", .arg = CLI_U64, .out = &limit, .max = 1000000000 },
		{ .name = "json", .arg = CLI_FLAG, .out = &json },
		{ .name = "db", .arg = CLI_TEXT, .out = &db },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "history", .options = options };

	rc = cli_options(&verb, argc, argv, &i);
	if (rc == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	f.limit = (long)limit;
	if (!rc && i < argc)
		rc = rig_error(RIG_ERR_INVALID, "history: unexpected argument \"%s\"", argv[i]);
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
