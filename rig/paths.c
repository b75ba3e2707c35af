#include "rig/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/error.h"
#include "rig_config.h"

static const char *data_bases(int i)
{
	switch (i) {
	case 0: return getenv("RIG_DATADIR");
	case 1: return RIG_DATADIR;
	default: return NULL;
	}
}

int paths_find_data(const char *rel, char *out, size_t len)
{
	if (access(rel, R_OK) == 0) {
		snprintf(out, len, "%s", rel);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const char *base = data_bases(i);

		if (!base || !base[0])
			continue;
		snprintf(out, len, "%s/%s", base, rel);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

int paths_resolve(const char *given, enum paths_kind kind, char *out, size_t len)
{
	/* The folder in the installed data, and the one in the source tree. */
	static const char *const folder[] = { "scripts", "fixtures", "units" };
	static const char *const tree[] = { "scripts/", "fixtures/", "fixtures/units/" };
	char looked[2048] = "", cand[4096];
	size_t used = 0;

	/* An existing file is the one meant, readable or not (its read says why not). */
	if (access(given, F_OK) == 0) {
		snprintf(out, len, "%s", given);
		return 0;
	}
	used += (size_t)snprintf(looked, sizeof(looked), "%s", given);
	for (int i = 0; given[0] != '/' && i < 2; i++) {
		const char *base = data_bases(i);
		const char *names[2] = { given, NULL };
		size_t n = strlen(tree[kind]);

		if (!base || !base[0])
			continue;
		if (!strncmp(given, tree[kind], n) && given[n])
			names[1] = given + n;
		for (int j = 0; j < 2 && names[j]; j++) {
			snprintf(cand, sizeof(cand), "%s/%s/%s", base, folder[kind], names[j]);
			if (access(cand, R_OK) == 0) {
				snprintf(out, len, "%s", cand);
				return 0;
			}
			if (used < sizeof(looked))
				used += (size_t)snprintf(looked + used, sizeof(looked) - used,
							 ", %s", cand);
		}
	}
	out[0] = '\0';
	return rig_error(RIG_ERR_INVALID, "%s: cannot open: no such file (looked in %s)", given,
			 looked);
}
