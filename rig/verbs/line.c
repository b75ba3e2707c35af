/* `rig line`: the line's central store: statistics across stations, and
 * setting it up (docs/line.md). */
#include <getopt.h>
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
	enum { OPT_DB = 256, OPT_REQ, OPT_JSON, OPT_HTML, OPT_ALPHA, OPT_CONF, OPT_ROLE, OPT_KEY };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "requirement", required_argument, NULL, OPT_REQ },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "confidence", required_argument, NULL, OPT_CONF },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct line_options o = { NULL, 0.05, 0.95 };
	const char *db = NULL, *html = NULL, *role = NULL, *key = NULL, *sub = NULL, *name = NULL;
	enum line_format fmt = LINE_TEXT;
	char conf[1024];
	struct central c;
	int ch, rc = 0;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && !rc) {
		switch (ch) {
		case OPT_DB: db = optarg; break;
		case OPT_REQ: o.requirement = optarg; break;
		case OPT_JSON: fmt = LINE_JSON; break;
		case OPT_HTML: fmt = LINE_HTML; html = optarg; break;
		case OPT_ALPHA:
			rc = cli_parse_double("--alpha", optarg, &o.alpha);
			if (!rc && !(o.alpha > 0 && o.alpha < 0.5))
				rc = rig_error(RIG_ERR_INVALID, "line: --alpha must be in (0, 0.5)");
			break;
		case OPT_CONF:
			rc = cli_parse_double("--confidence", optarg, &o.confidence);
			if (!rc && !(o.confidence >= 0.5 && o.confidence < 1))
				rc = rig_error(RIG_ERR_INVALID, "line: --confidence must be in [0.5, 1)");
			break;
		case OPT_ROLE: role = optarg; break;
		case OPT_KEY: key = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			rc = rig_error(RIG_ERR_INVALID, "line: %s %s (see rig line --help)",
				       ch == ':' ? "missing value for" : "unknown option",
				       argv[optind - 1]);
		}
	}
	if (rc)
		return fail();
	if (optind < argc)
		sub = argv[optind++];
	if (sub && !strcmp(sub, "add-station") && optind < argc)
		name = argv[optind++];
	if (optind < argc)
		return rig_error(RIG_ERR_INVALID, "line: unexpected argument \"%s\"", argv[optind]),
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
		char *pub = NULL, kid[2 * KEY_NUM_BYTES + 1];
		size_t len;

		if ((rc = key_load_public(key, &k)) == 0 &&
		    (rc = file_read_all(key, 4096, &pub, &len)) == 0) {
			key_id(&k, kid);
			if ((rc = central_add_station(&c, name, role, kid, pub)) == 0)
				printf("station %s (role %s) trusted with key %s\n", name, role, kid);
		}
		free(pub);
	}
	central_close(&c);
	return rc ? fail() : 0;
}
