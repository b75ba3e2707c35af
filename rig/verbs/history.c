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

static int add_row(void *ctx, const struct store_run_row *r)
{
	return json_array_append_new(
		ctx, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", r->id,
			       "started", r->started, "verdict", r->verdict, "model", r->model,
			       "serial", r->serial, "firmware", r->firmware, "branch", r->branch,
			       "script", r->script, "out_dir", r->out_dir, "steps",
			       (json_int_t)r->steps));
}

/* The table, each column as wide as its widest cell (serials, scripts and
 * firmware versions have no fixed length). */
static void print_table(json_t *list)
{
	static const char *const key[] = { "id", "started", "serial", "firmware", "verdict",
					   "steps", "script", "out_dir" };
	static const char *const head[] = { "run", "started", "serial", "firmware", "verdict",
					    "steps", "script", "directory" };
	enum { NCOL = sizeof(key) / sizeof(key[0]) };
	int width[NCOL];
	size_t i;
	json_t *row;
	char cell[32];

	for (int c = 0; c < NCOL; c++)
		width[c] = (int)strlen(head[c]);
	json_array_foreach(list, i, row) {
		for (int c = 0; c < NCOL; c++) {
			const char *v = json_string_value(json_object_get(row, key[c]));
			int n = v ? (int)strlen(v) : snprintf(cell, sizeof(cell), "%" JSON_INTEGER_FORMAT,
							      json_integer_value(json_object_get(row, key[c])));

			if (n > width[c])
				width[c] = n;
		}
	}
	for (int c = 0; c < NCOL; c++)
		printf("%-*s%s", c < NCOL - 1 ? width[c] : 0, head[c], c < NCOL - 1 ? " " : "\n");
	json_array_foreach(list, i, row) {
		for (int c = 0; c < NCOL; c++) {
			const char *v = json_string_value(json_object_get(row, key[c]));

			if (!v) {
				snprintf(cell, sizeof(cell), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(json_object_get(row, key[c])));
				v = cell;
			}
			printf("%-*s%s", c < NCOL - 1 ? width[c] : 0, v, c < NCOL - 1 ? " " : "\n");
		}
	}
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
		list = json_array();
		rc = list ? store_list_runs(&st, &f, add_row, list)
			  : rig_error(RIG_ERR_NOMEM, "history: out of memory");
		store_close(&st);
	}
	if (!rc && json) {
		json_dumpf(list, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
	} else if (!rc)
		print_table(list);
	json_decref(list);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
