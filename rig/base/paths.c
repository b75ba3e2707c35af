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

int path_vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	if (n >= 0 && (size_t)n < len)
		return 0;
	if (n < 0)
		return rig_error(RIG_ERR_INVALID, "path cannot be formatted");
	return rig_error(RIG_ERR_INVALID, "path too long (%d bytes, at most %zu): %.60s...", n,
			 len ? len - 1 : 0, buf);
}

int path_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = path_vformat(buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return path_format(buf, len, "%s/%s", dir, name);
}

int paths_find_data(const char *rel, char *out, size_t len)
{
	if (access(rel, R_OK) == 0)
		return path_format(out, len, "%s", rel) == 0 ? 0 : -1;
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

/*
 * The candidate fmt names (into out, checked): 1 when it is readable, 0 when
 * not (it joins the list of places looked in), RIG_ERR_INVALID when it does
 * not fit in out: a name cut short could be another file's.
 */
static int try_place(char *out, size_t len, char *looked, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int try_place(char *out, size_t len, char *looked, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = path_vformat(out, len, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return rc;
	if (access(out, R_OK) == 0)
		return 1;
	add_looked(looked, size, out);
	return 0;
}

int paths_resolve(const char *given, enum paths_kind kind, char *out, size_t len)
{
	/* The folder in the installed data, and the one in a source checkout. */
	static const char *const folder[] = { "scripts", "fixtures", "units" };
	static const char *const tree[] = { "scripts/", "fixtures/", "fixtures/units/" };
	size_t n = strlen(tree[kind]);
	const char *bare = given;
	char looked[2048] = "";
	int rc;

	/* A name longer than out is refused as given, not looked up cut short. */
	if ((rc = path_format(out, len, "%s", given)) != 0)
		return rc;
	/* An existing file is the one meant, readable or not (its read says why not). */
	if (access(given, F_OK) == 0)
		return 0;
	add_looked(looked, sizeof(looked), given);
	if (given[0] != '/') {
		/* "scripts/certify.lua" is certify.lua in the data folder's scripts/. */
		if (!strncmp(given, tree[kind], n) && given[n])
			bare = given + n;
		else if ((rc = try_place(out, len, looked, sizeof(looked), "%s%s", tree[kind],
					 given)) != 0)
			return rc > 0 ? 0 : rc;
		for (int i = 0; i < 2; i++) {
			const char *base = data_bases(i);

			if (!base || !base[0])
				continue;
			if ((rc = try_place(out, len, looked, sizeof(looked), "%s/%s/%s", base,
					    folder[kind], bare)) != 0)
				return rc > 0 ? 0 : rc;
		}
	}
	out[0] = '\0';
	return rig_error(RIG_ERR_INVALID, "%s: cannot open: %s (looked in %s)", given,
			 strerror(ENOENT), looked);
}
