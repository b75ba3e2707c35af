#ifndef RIG_PATHS_H
#define RIG_PATHS_H

#include <stddef.h>

/*
 * Find rig's own data (fixtures/, scripts/) for a relative name: first in
 * the current directory (a source checkout), then in $RIG_DATADIR, then in
 * the installed data directory. 0 and the path in out, or -1.
 */
int paths_find_data(const char *rel, char *out, size_t len);

#endif
