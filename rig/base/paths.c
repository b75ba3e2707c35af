#include "rig/base/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef RIG_DATADIR
#define RIG_DATADIR "/usr/local/share/rig"
#endif

int paths_find_data(const char *rel, char *out, size_t len)
{
	const char *bases[] = { ".", getenv("RIG_DATADIR"), RIG_DATADIR };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i] || !bases[i][0])
			continue;
		if (i == 0)
			snprintf(out, len, "%s", rel);
		else
			snprintf(out, len, "%s/%s", bases[i], rel);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}
