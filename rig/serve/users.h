#ifndef RIG_SERVE_USERS_H
#define RIG_SERVE_USERS_H

/*
 * The users of rig serve: one line per user in a file only its owner may
 * read (0600, $XDG_CONFIG_HOME/rig/users): "NAME ROLE HASH", HASH being
 * libsodium's crypto_pwhash_str (Argon2id, interactive limits). Roles rank
 * operator < qa < admin: operators start, answer and abort runs, qa also
 * sets baselines, admin everything.
 */
#include <stddef.h>

enum role { ROLE_NONE = 0, ROLE_OPERATOR = 1, ROLE_QA = 2, ROLE_ADMIN = 3 };

const char *role_name(enum role r);
enum role role_parse(const char *name);   /* ROLE_NONE if unknown */

/* $XDG_CONFIG_HOME/rig/users, else ~/.config/rig/users. 0 or an error. */
int users_default_path(char *out, size_t len);

/* 1..32 characters of [A-Za-z0-9._-]. */
int users_valid_name(const char *name);

/* Add or replace NAME (the file and its folder are created 0600/0700;
 * written whole and renamed into place). 0 or an error. */
int users_set(const char *path, const char *name, enum role role, const char *password);

/* Remove NAME: 0, or RIG_ERR_INVALID when there is none. */
int users_remove(const char *path, const char *name);

/* Print "NAME ROLE" per user to stdout. */
int users_list(const char *path);

/* Check a password: the user's role, or ROLE_NONE (unknown user, wrong
 * password, unreadable file). Costs one Argon2id verification even for an
 * unknown user, so the time does not tell which names exist. */
enum role users_check(const char *path, const char *name, const char *password);

/* NAME's role as the file says now, or ROLE_NONE (no such user, or the file
 * cannot be read). No password is checked. */
enum role users_role(const char *path, const char *name);

/* Files only their owner may read (the users, the sessions): the text,
 * "" when the file does not exist yet, refused when others may read or
 * write it; and written whole (a temporary file renamed into place) with
 * mode 0600, its folder created 0700. 0 or an error naming the file. */
int private_file_read(const char *path, char **text);
int private_file_write(const char *path, const char *text);

#endif
