/* rig recover [DIR]: close interrupted runs (rig/run/recover.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reports/keys.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/run/recover.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/verbs.h"

#define DEFAULT_RUNS "reports/out"

static const char usage[] = "usage: rig recover [DIR]   (default: every unclosed run under "
			    DEFAULT_RUNS ")\n";

/* A run closed already: say so, and see it is in its results store. */
static int closed_already(const char *dir)
{
	char path[4400];

	if (path_join(path, sizeof(path), dir, "journal.jsonl") != 0 || access(path, F_OK) != 0) {
		fprintf(stderr, "rig: %s: not a run directory (no journal.jsonl)\n", dir);
		return 2;
	}
	printf("rig: %s: already closed and signed (check it with rig verify)\n", dir);
	recover_store_closed(dir, stdout);
	return 0;
}

int recover_command(int argc, char **argv)
{
	static const struct cli_option options[] = { { .name = NULL } };
	const struct cli_verb verb = { .verb = "recover", .options = options };
	struct station_key k;
	const char *dir, *why;
	int first, rc = cli_options(&verb, argc, argv, &first);

	if (rc == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	if (argc - first > 1) {
		fprintf(stderr, "rig: recover: one run directory at most\n%s", usage);
		return 2;
	}
	dir = first < argc ? argv[first] : NULL;
	/* A directory too long to name its files is refused before any key is made. */
	if (dir && recover_dir_check(dir) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	if (key_station(&k, stderr) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	if (!dir) {
		if (recover_leftovers(DEFAULT_RUNS, NULL, &k, stdout) == 0)
			printf("rig: no unclosed runs under %s\n", DEFAULT_RUNS);
		return 0;
	}
	if (!recover_needed(dir))
		return closed_already(dir);
	if ((why = recover_not_ours(dir, 0)) != NULL) {
		fprintf(stderr, "rig: %s: %s; not recovered\n", dir, why);
		return 2;
	}
	if (recover_run(dir, &k, stdout) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
