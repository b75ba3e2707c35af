/* `rig sync`: push the station store's closed runs to the line's central
 * store (store-and-forward, docs/line.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/store/central.h"
#include "rig/store/store.h"
#include "rig/verbs/verbs.h"

static const char usage[] =
	"usage: rig sync [--to CONNINFO] [--db PATH] [--with-captures] [--quiet]\n"
	"  push every run of the station's results store that the central store has not\n"
	"  confirmed (default --to: \"central\" in $XDG_CONFIG_HOME/rig/station.conf).\n"
	"  Credentials come from ~/.pgpass or a service file, never the command line.\n"
	"  Exit 0 up to date, 1 a run conflicts with the central store's copy,\n"
	"  2 could not sync (the runs stay in the outbox for the next sync).\n";

static int report(void *ctx, const char *run_id, enum push_outcome o, long long ms)
{
	if (o == PUSH_CONFLICT)
		fprintf(stderr, "CONFLICT %s: %s\n", run_id, rig_last_error());
	else if (!*(const int *)ctx)
		printf("%s %s %lld ms\n", o == PUSH_STORED ? "pushed " : "present", run_id, ms);
	return 0;
}

int sync_command(int argc, char **argv)
{
	enum { OPT_TO = 256, OPT_DB, OPT_CAPTURES, OPT_QUIET };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "db", required_argument, NULL, OPT_DB },
		{ "with-captures", no_argument, NULL, OPT_CAPTURES },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *db = NULL;
	char conf[1024];
	int c, rc = 0, captures = 0, quiet = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && !rc) {
		switch (c) {
		case OPT_TO: to = optarg; break;
		case OPT_DB: db = optarg; break;
		case OPT_CAPTURES: captures = 1; break;
		case OPT_QUIET: quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			rc = rig_error(RIG_ERR_INVALID, "sync: %s %s (see rig sync --help)",
				       c == ':' ? "missing value for" : "unknown option",
				       argv[optind - 1]);
		}
	}
	if (!rc && optind < argc)
		rc = rig_error(RIG_ERR_INVALID, "sync: unexpected argument \"%s\"", argv[optind]);
	if (!rc && !to) {
		if ((rc = central_configured(conf, sizeof(conf))) == 0 && !conf[0])
			rc = rig_error(RIG_ERR_INVALID, "sync: no central store: give --to CONNINFO "
				       "or set \"central = ...\" in station.conf (docs/line.md)");
		to = conf;
	}
	if (!rc && !central_is_conninfo(to))
		rc = rig_error(RIG_ERR_INVALID, "sync: --to: not a PostgreSQL connection string");
	if (!rc) {
		struct sync_counts n;
		char target[256];

		rc = central_sync_to(to, db, captures, 10, report, &quiet, &n, target, sizeof(target));
		if (!rc && !quiet)
			printf("sync: %ld pushed, %ld already there, %ld conflicting (%s)\n", n.pushed,
			       n.already, n.conflicts, target);
		if (!rc && n.conflicts)
			rc = 1;
	}
	if (rc < 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return rc;
}
