/* `rig line`: the line's central store: statistics across stations, and
 * setting it up (docs/line.md). */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "reports/keys.h"
#include "rig/base/file.h"
#include "rig/base/error.h"
#include "rig/line/line.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/verbs.h"

static const char usage[] =
	"usage: rig line [--db CONNINFO] [--requirement R] [--json | --html FILE]\n"
	"                [--alpha A] [--confidence C]\n"
	"         yields, capability and the station comparison across the line\n"
	"       rig line init --db CONNINFO\n"
	"         create or upgrade the central store's schema (as its administrator)\n"
	"       rig line add-station NAME --role DBROLE --key STATION.pub --db CONNINFO\n"
	"         register a station, the login role it pushes as, and its key\n"
	"       rig line ingest --db CONNINFO\n"
	"         accept pushed runs whose signature a trusted key of their station made\n"
	"  --db defaults to \"central\" in $XDG_CONFIG_HOME/rig/station.conf.\n";

static int fail(void)
{
	fprintf(stderr, "rig: %s\n", rig_last_error());
	return 2;
}

int line_command(int argc, char **argv)
{
	struct line_options o = { NULL, 0.05, 0.95 };
	const char *db = NULL, *html = NULL, *role = NULL, *key = NULL, *sub = NULL, *name = NULL;
	enum line_format fmt = LINE_TEXT;
	char conf[1024];
	struct central c;
	int rc, i, json = 0;
	const struct cli_option options[] = {
		{ .name = "db", .arg = CLI_TEXT, .out = &db },
		{ .name = "requirement", .arg = CLI_TEXT, .out = &o.requirement },
		{ .name = "json", .arg = CLI_FLAG, .out = &json },
		{ .name = "html", .arg = CLI_TEXT, .out = &html },
		{ .name = "alpha", .arg = CLI_DOUBLE, .out = &o.alpha },
		{ .name = "confidence", .arg = CLI_DOUBLE, .out = &o.confidence },
		{ .name = "role", .arg = CLI_TEXT, .out = &role },
		{ .name = "key", .arg = CLI_TEXT, .out = &key },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "line", .options = options, .nonempty = 1 };

	rc = cli_options(&verb, argc, argv, &i);
	if (rc == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (!rc && !(o.alpha > 0 && o.alpha < 0.5))
		rc = rig_error(RIG_ERR_INVALID, "line: --alpha must be in (0, 0.5)");
	if (!rc && !(o.confidence >= 0.5 && o.confidence < 1))
		rc = rig_error(RIG_ERR_INVALID, "line: --confidence must be in [0.5, 1)");
	if (!rc && json && html)
		rc = rig_error(RIG_ERR_INVALID, "line: --json and --html exclude each other");
	if (rc)
		return fail();
	fmt = json ? LINE_JSON : html ? LINE_HTML : LINE_TEXT;
	if (i < argc)
		sub = argv[i++];
	if (sub && !strcmp(sub, "add-station") && i < argc)
		name = argv[i++];
	if (i < argc)
		return rig_error(RIG_ERR_INVALID, "line: unexpected argument \"%s\"", argv[i]),
		       fail();
	if (sub && strcmp(sub, "init") && strcmp(sub, "add-station") && strcmp(sub, "ingest"))
		return rig_error(RIG_ERR_INVALID, "line: unknown subcommand \"%s\" (see rig line "
				 "--help)", sub), fail();
	if (sub && !strcmp(sub, "add-station") && (!name || !role || !key))
		return rig_error(RIG_ERR_INVALID, "line add-station: NAME, --role and --key are "
				 "required"), fail();
	if (!db) {
		if (central_configured(conf, sizeof(conf)) != 0)
			return fail();
		if (!conf[0])
			return rig_error(RIG_ERR_INVALID, "line: no central store: give --db CONNINFO "
					 "(docs/line.md)"), fail();
		db = conf;
	}
	if (!central_is_conninfo(db))
		return rig_error(RIG_ERR_INVALID, "line: --db: not a PostgreSQL connection string"),
		       fail();
	if (central_connect(&c, db, 10) != 0)
		return fail();
	if (!sub) {
		FILE *out = stdout;

		if (html && !(out = fopen(html, "w")))
			rc = rig_error_errno(RIG_ERR_IO, "%s", html);
		if (!rc)
			rc = line_report(&c, &o, fmt, out);
		if (html && out && fclose(out) != 0 && !rc)
			rc = rig_error_errno(RIG_ERR_IO, "%s", html);
	} else if (!strcmp(sub, "init")) {
		if ((rc = central_migrate(&c)) == 0)
			printf("central store %s: schema ready\n", c.target);
	} else if (!strcmp(sub, "ingest")) {
		long acc, rej;

		if ((rc = line_ingest(&c, &acc, &rej)) == 0)
			printf("ingest: %ld accepted, %ld rejected\n", acc, rej);
	} else {
		struct station_key k;
		char pub[256], kid[2 * KEY_NUM_BYTES + 1];

		/* Trusted as the runs' station.pub will carry it (ingest compares texts). */
		if ((rc = key_load_public(key, &k)) == 0) {
			key_public_text(&k, pub, sizeof(pub));
			key_id(&k, kid);
			if ((rc = central_add_station(&c, name, role, kid, pub)) == 0)
				printf("station %s (role %s) trusted with key %s\n", name, role, kid);
		}
	}
	central_close(&c);
	return rc ? fail() : 0;
}
