#ifndef RIG_DIRLIST_H
#define RIG_DIRLIST_H

/*
 * The names in a directory, sorted: the one way rig lists a folder of a
 * run (MANIFEST's walk, rig verify's search for unlisted files, the
 * central store's push of the signatures/ chain), with no cap on how many
 * and no silent drop of a name it could not keep.
 */
#include <stddef.h>

struct dir_names {
	char **name;           /* "." and ".." left out; sorted by strcmp */
	size_t n;
};

/* 0 and the names of dir; RIG_ERR_IO "DIR: cannot list: why" with errno
 * kept (ENOENT: no such directory), or RIG_ERR_NOMEM. */
int dir_names_read(const char *dir, struct dir_names *out);
void dir_names_release(struct dir_names *l);

#endif
