#include "rig/base/paths.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rig/base/error.h"

#ifndef RIG_DATADIR
#define RIG_DATADIR "/usr/local/share/rig"
#endif

int path_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		return 0;
	if (n < 0)
		return rig_error(RIG_ERR_INVALID, "path cannot be formatted");
	return rig_error(RIG_ERR_INVALID, "path too long (%d bytes, at most %zu): %.60s...", n,
			 len ? len - 1 : 0, buf);
}

int paths_find_data(const char *rel, char *out, size_t len)
{
	const char *bases[] = { ".", getenv("RIG_DATADIR"), RIG_DATADIR };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i] || !bases[i][0])
			continue;
		/* A data directory too deep for out holds nothing we can name. */
		if ((i == 0 ? path_format(out, len, "%s", rel)
			    : path_format(out, len, "%s/%s", bases[i], rel)) != 0)
			continue;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}
