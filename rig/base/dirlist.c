#include "rig/base/dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_names_read(const char *dir, struct dir_names *out)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(d = opendir(dir))) {
		int e = errno;

		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot list", dir);
		errno = e;
		return rc;
	}
	errno = 0;
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (out->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			char **p = realloc(out->name, ncap * sizeof(*p));

			if (!p) {
				rc = rig_error(RIG_ERR_NOMEM, "%s: out of memory listing it", dir);
				break;
			}
			out->name = p;
			cap = ncap;
		}
		if (!(out->name[out->n] = strdup(de->d_name)))
			rc = rig_error(RIG_ERR_NOMEM, "%s: out of memory listing it", dir);
		else
			out->n++;
		errno = 0;
	}
	if (!rc && errno)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot list", dir);
	closedir(d);
	if (rc) {
		dir_names_release(out);
		return rc;
	}
	if (out->n)
		qsort(out->name, out->n, sizeof(*out->name), by_name);
	return 0;
}

void dir_names_release(struct dir_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->name[i]);
	free(l->name);
	memset(l, 0, sizeof(*l));
}
