/* `rig baseline set RUN` / `rig baseline show RUN`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/verbs/verbs.h"
#include "rig/store/store.h"

static const char usage[] =
	"usage: rig baseline set RUN [--note TEXT] [--operator NAME] [--db PATH]\n"
	"       rig baseline show RUN [--db PATH]\n"
	"  set:  RUN becomes the baseline of its unit model, firmware branch (major.minor)\n"
	"        and script; rig diff RUN' compares later runs of the same with it\n"
	"  show: the baseline rig diff would use for RUN (set by hand, else the latest\n"
	"        earlier PASS run of the same model, branch and script)\n";

static int baseline(const char *action, const char *run, const char *note, const char *who,
		    const char *db)
{
	struct store st;
	char id[64], base[64];
	const char *how;
	int rc = store_open_existing(&st, db);

	if (rc)
		return rc;
	rc = store_resolve_run(&st, run, id);
	if (!rc && !strcmp(action, "set")) {
		rc = store_set_baseline(&st, id, who, note);
		if (!rc)
			printf("baseline set: %s\n", id);
	} else if (!rc) {
		rc = store_find_baseline(&st, id, base, &how);
		if (!rc)
			printf("%s (%s)\n", base, how);
	}
	store_close(&st);
	return rc;
}

int baseline_command(int argc, char **argv)
{
	enum { OPT_NOTE = 256, OPT_OPERATOR, OPT_DB };
	static const struct option longopts[] = {
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *note = "", *who = getenv("USER"), *db = NULL;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && !rc) {
		switch (c) {
		case OPT_NOTE: note = optarg; break;
		case OPT_OPERATOR: who = optarg; break;
		case OPT_DB: db = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			rc = rig_error(RIG_ERR_INVALID, "baseline: %s %s (see rig baseline --help)",
				       c == ':' ? "missing value for" : "unknown option",
				       argv[optind - 1]);
		}
	}
	if (!rc && (argc - optind != 2 ||
		    (strcmp(argv[optind], "set") != 0 && strcmp(argv[optind], "show") != 0)))
		rc = rig_error(RIG_ERR_INVALID, "baseline needs set RUN or show RUN (see rig "
			       "baseline --help)");
	if (!rc)
		rc = baseline(argv[optind], argv[optind + 1], note, who && who[0] ? who : "unknown",
			      db);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
