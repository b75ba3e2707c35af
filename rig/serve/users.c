/* The users file of rig serve (users.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/serve/users.h"

#define USERS_MAX_BYTES (1 << 20)

static const char *const role_names[] = { "none", "operator", "qa", "admin" };

const char *role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "none";
}

enum role role_parse(const char *name)
{
	for (int r = ROLE_OPERATOR; r <= ROLE_ADMIN; r++)
		if (!strcmp(name, role_names[r]))
			return (enum role)r;
	return ROLE_NONE;
}

int users_default_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return path_format(out, len, "%s/rig/users", xdg);
	if (home && home[0])
		return path_format(out, len, "%s/.config/rig/users", home);
	return rig_error(RIG_ERR_INVALID, "neither $XDG_CONFIG_HOME nor $HOME is set "
			 "(use --users FILE)");
}

int users_valid_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= 32 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* A users file others may read or write is refused: it would let them add
 * themselves as admin. */
int private_file_read(const char *path, char **text)
{
	struct stat st;
	size_t len;

	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return rig_error_errno(RIG_ERR_IO, "%s", path);
		*text = strdup("");
		return *text ? 0 : rig_error(RIG_ERR_NOMEM, "out of memory");
	}
	if (st.st_mode & 077)
		return rig_error(RIG_ERR_INVALID, "%s: readable by others (mode %03o); "
				 "chmod 600 it", path, (unsigned)(st.st_mode & 0777));
	return file_read_all(path, USERS_MAX_BYTES, text, &len);
}

/* The line of NAME in text: its start and length, or NULL. */
static const char *find_line(const char *text, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (const char *p = text; *p; ) {
		const char *end = strchr(p, '\n');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l > n && !strncmp(p, name, n) && p[n] == ' ') {
			*len = l;
			return p;
		}
		p += l + (end != NULL);
	}
	return NULL;
}

int private_file_write(const char *path, const char *text)
{
	char tmp[4200];
	FILE *f;
	int fd, rc;

	if ((rc = file_mkdirs_parent(path, 0700)) != 0 ||
	    (rc = file_part_path(path, tmp, sizeof(tmp))) != 0)
		return rc;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return rig_error_errno(RIG_ERR_IO, "%s", tmp);
	fchmod(fd, 0600);
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		return rig_error_errno(RIG_ERR_IO, "%s", tmp);
	}
	fputs(text, f);
	if (file_close_synced(f, tmp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return rig_error_errno(RIG_ERR_IO, "%s", path);
	}
	return 0;
}

/* text without NAME's line, malloc'd. */
static char *without(const char *text, const char *name)
{
	size_t len, total = strlen(text);
	const char *line = find_line(text, name, &len);
	char *out = malloc(total + 1);

	if (!out)
		return NULL;
	if (!line) {
		memcpy(out, text, total + 1);
		return out;
	}
	if (line[len] == '\n')
		len++;
	memcpy(out, text, (size_t)(line - text));
	memcpy(out + (line - text), line + len, total - (size_t)(line - text) - len + 1);
	return out;
}

int users_set(const char *path, const char *name, enum role role, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	char *text, *rest, *out;
	size_t n;
	int rc;

	if (!users_valid_name(name))
		return rig_error(RIG_ERR_INVALID, "user name \"%s\": 1 to 32 letters, digits, '.', "
				 "'_' or '-'", name);
	if (role == ROLE_NONE)
		return rig_error(RIG_ERR_INVALID, "role must be operator, qa or admin");
	if (strlen(password) < 8)
		return rig_error(RIG_ERR_INVALID, "password needs at least 8 characters");
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return rig_error(RIG_ERR_NOMEM, "out of memory hashing the password");
	if ((rc = private_file_read(path, &text)) != 0)
		return rc;
	rest = without(text, name);
	free(text);
	if (!rest)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	n = strlen(rest) + strlen(name) + strlen(hash) + 32;
	if (!(out = malloc(n))) {
		free(rest);
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	}
	snprintf(out, n, "%s%s%s %s %s\n", rest, rest[0] && rest[strlen(rest) - 1] != '\n' ? "\n" : "",
		 name, role_name(role), hash);
	rc = private_file_write(path, out);
	sodium_memzero(out, n);
	free(out);
	free(rest);
	return rc;
}

int users_remove(const char *path, const char *name)
{
	char *text, *rest;
	size_t len;
	int rc;

	if ((rc = private_file_read(path, &text)) != 0)
		return rc;
	if (!find_line(text, name, &len)) {
		free(text);
		return rig_error(RIG_ERR_INVALID, "%s: no user \"%s\"", path, name);
	}
	rest = without(text, name);
	free(text);
	if (!rest)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	rc = private_file_write(path, rest);
	free(rest);
	return rc;
}

int users_list(const char *path)
{
	char *text, *line, *save = NULL;
	int rc;

	if ((rc = private_file_read(path, &text)) != 0)
		return rc;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], role[16];

		if (sscanf(line, "%63s %15s", name, role) == 2)
			printf("%s %s\n", name, role);
	}
	free(text);
	return 0;
}

enum role users_role(const char *path, const char *name)
{
	char *text = NULL, who[64], role[16] = "";
	const char *line = NULL;
	size_t len = 0;

	if (users_valid_name(name) && private_file_read(path, &text) == 0)
		line = find_line(text, name, &len);
	if (!line || sscanf(line, "%63s %15s", who, role) != 2)
		role[0] = '\0';
	free(text);
	return role[0] ? role_parse(role) : ROLE_NONE;
}

/* A well-formed hash of a random password, checked when the user is unknown. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	unsigned char junk[16];

	randombytes_buf(junk, sizeof(junk));
	if (crypto_pwhash_str(dummy, (const char *)junk, sizeof(junk),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy[0] = '\0';  /* out of memory: unknown names then answer sooner */
}

enum role users_check(const char *path, const char *name, const char *password)
{
	char hash[crypto_pwhash_STRBYTES] = "", role[16] = "", *text = NULL;
	const char *line = NULL;
	enum role r = ROLE_NONE;
	size_t len = 0;

	pthread_once(&dummy_once, make_dummy);
	if (users_valid_name(name) && private_file_read(path, &text) == 0)
		line = find_line(text, name, &len);
	if (line && len < 64 + sizeof(hash)) {
		char buf[64 + crypto_pwhash_STRBYTES], who[64];

		memcpy(buf, line, len);
		buf[len] = '\0';
		if (sscanf(buf, "%63s %15s %127s", who, role, hash) != 3)
			hash[0] = '\0';
	}
	if (hash[0] && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0)
		r = role_parse(role);
	else if (dummy[0] && crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
		r = ROLE_NONE;  /* a random password: never matches */
	free(text);
	return r;
}
