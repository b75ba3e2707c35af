#ifndef RIG_PATHS_H
#define RIG_PATHS_H

#include <stdarg.h>
#include <stddef.h>

/*
 * The one checked way to build a path into a fixed buffer: formats like
 * snprintf into buf (len bytes) and returns 0, or RIG_ERR_INVALID with
 * "path too long (N bytes, at most M): START..." when it does not fit, so a
 * long path is refused with its name instead of silently shortened into
 * another file's name.
 */
int path_format(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int path_vformat(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* dir/name into buf, as path_format checks it. */
int path_join(char *buf, size_t len, const char *dir, const char *name);

/*
 * Find rig's own data (fixtures/, scripts/) for a relative name: first in
 * the current directory (a source checkout), then in $RIG_DATADIR, then in
 * the installed data directory. 0 and the path in out, or -1.
 */
int paths_find_data(const char *rel, char *out, size_t len);

/* The installed data folders a named file is looked up in. */
enum paths_kind { PATHS_SCRIPT, PATHS_FIXTURE, PATHS_UNIT };

/*
 * Find a script, fixture or sim unit file named on the command line: as
 * given, then (a relative name) in $RIG_DATADIR/<folder> and the installed
 * $PREFIX/share/rig/<folder> (scripts, fixtures, units), also without the
 * source tree's leading folder ("scripts/certify.lua" is found as
 * scripts/certify.lua in the data folder). 0 and the path in out, or
 * RIG_ERR_INVALID with a message that lists every place looked in.
 */
int paths_resolve(const char *given, enum paths_kind kind, char *out, size_t len);

#endif
