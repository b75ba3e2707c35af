#ifndef RIG_FILE_H
#define RIG_FILE_H

/* Small file-system helpers that report through rig_error(). */
#include <stddef.h>
#include <stdio.h>

/* Read a whole file (NUL-terminated copy in *buf); refuse files over max bytes. */
int file_read_all(const char *path, size_t max, char **buf, size_t *len);

/* SHA-256 of a file's bytes as 64 lowercase hex digits. */
int file_sha256_hex(const char *path, char hex[65]);

/* SHA-256 of a buffer as 64 lowercase hex digits. */
void sha256_hex(const void *data, size_t len, char hex[65]);

/* mkdir -p. */
int file_mkdirs(const char *path, unsigned mode);

/* The folders a file at path goes in (mkdir -p of its dirname). 0 or an error. */
int file_mkdirs_parent(const char *path, unsigned mode);

/* Create (truncate) path for writing; the caller finishes with file_close_synced. */
int file_create(const char *path, FILE **out);

/*
 * A whole file written at once (reports, charts): the text goes to
 * PATH.part, and file_replace_commit syncs it and renames it over PATH, so a
 * full disk or a kill leaves the old file or none, never half of one.
 * file_replace_abandon drops it. file_replace_finish moves a PATH.part that
 * something else wrote (cairo) into place.
 */
int file_replace_open(const char *path, FILE **out);
int file_replace_commit(FILE *f, const char *path);
void file_replace_abandon(FILE *f, const char *path);
int file_replace_finish(const char *path);
/* The whole of data as path's new content, replaced that way. */
int file_replace_write(const char *path, const void *data, size_t len);
/* PATH.part, where a replacement of path is written; RIG_ERR_INVALID if it does not fit. */
int file_part_path(const char *path, char *out, size_t len);

/* fflush + fsync + fclose, so "written" means on disk; reports ENOSPC etc. */
int file_close_synced(FILE *f, const char *path);

/* Write s as one CSV text field (RFC 4180): quoted when it holds a comma,
 * a quote or a line break, with quotes doubled. */
void file_csv_text(FILE *f, const char *s);

/* fsync a directory, so a new entry in it survives power loss. */
int file_sync_dir(const char *dir);

#endif
