#include "rig/base/paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig_config.h"

static const char *data_bases(int i)
{
	switch (i) {
	case 0: return getenv("RIG_DATADIR");
	case 1: return RIG_DATADIR;
	default: return NULL;
	}
}

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

int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return path_format(buf, len, "%s/%s", dir, name);
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
		/* A data directory too deep for out holds nothing we can name. */
		if (path_format(out, len, "%s/%s", base, rel) != 0)
			continue;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* Append ", what" to the list of places looked in. */
static void add_looked(char *looked, size_t size, const char *what)
{
	size_t used = strlen(looked);

	if (snprintf(looked + used, size - used, "%s%s", used ? ", " : "", what) >=
	    (int)(size - used))
		snprintf(looked + size - 5, 5, "...");
}

static int try_place(const char *path, char *out, size_t len, char *looked, size_t size)
{
	if (access(path, R_OK) == 0) {
		snprintf(out, len, "%s", path);
		return 1;
	}
	add_looked(looked, size, path);
	return 0;
}

int paths_resolve(const char *given, enum paths_kind kind, char *out, size_t len)
{
	/* The folder in the installed data, and the one in a source checkout. */
	static const char *const folder[] = { "scripts", "fixtures", "units" };
	static const char *const tree[] = { "scripts/", "fixtures/", "fixtures/units/" };
	size_t n = strlen(tree[kind]);
	const char *bare = given;
	char looked[2048] = "", cand[4096];

	/* An existing file is the one meant, readable or not (its read says why not). */
	if (access(given, F_OK) == 0) {
		snprintf(out, len, "%s", given);
		return 0;
	}
	add_looked(looked, sizeof(looked), given);
	if (given[0] != '/') {
		/* "scripts/certify.lua" is certify.lua in the data folder's scripts/. */
		if (!strncmp(given, tree[kind], n) && given[n])
			bare = given + n;
		else {
			snprintf(cand, sizeof(cand), "%s%s", tree[kind], given);
			if (try_place(cand, out, len, looked, sizeof(looked)))
				return 0;
		}
		for (int i = 0; i < 2; i++) {
			const char *base = data_bases(i);

			if (!base || !base[0])
				continue;
			snprintf(cand, sizeof(cand), "%s/%s/%s", base, folder[kind], bare);
			if (try_place(cand, out, len, looked, sizeof(looked)))
				return 0;
		}
	}
	out[0] = '\0';
	return rig_error(RIG_ERR_INVALID, "%s: cannot open: %s (looked in %s)", given,
			 strerror(ENOENT), looked);
}
