#include "reports/trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"

#define TRUST_MAX_BYTES (1u << 20)

static const struct {
	const char *role;
	const char *meanings; /* what a person in the role may sign */
} roles[] = {
	{ "station", "" }, /* signs run manifests, never as a person */
	{ "operator", " authored " },
	{ "reviewer", " reviewed rejected " },
	{ "approver", " approved rejected reviewed " },
};

#define NROLES (sizeof(roles) / sizeof(roles[0]))

const char *trust_check_role(const char *role)
{
	for (size_t i = 0; i < NROLES; i++)
		if (!strcmp(role, roles[i].role))
			return NULL;
	return "station, operator, reviewer or approver";
}

int trust_role_allows(const char *role, const char *meaning)
{
	char word[40];

	snprintf(word, sizeof(word), " %s ", meaning);
	for (size_t i = 0; i < NROLES; i++)
		if (!strcmp(role, roles[i].role))
			return strstr(roles[i].meanings, word) != NULL;
	return 0;
}

int trust_user_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0])
		return path_format(out, len, "%s/rig/trust", xdg);
	if (home && home[0])
		return path_format(out, len, "%s/.config/rig/trust", home);
	return rig_error(RIG_ERR_INVALID, "no trust store: set XDG_CONFIG_HOME or HOME");
}

static int valid_name(const char *name)
{
	return name[0] && strlen(name) < TRUST_NAME_MAX && !strpbrk(name, "\t\r\n");
}

static int add_entry(struct trust *t, const struct trust_entry *e)
{
	void *p = realloc(t->e, (t->n + 1) * sizeof(*t->e));

	if (!p)
		return rig_error(RIG_ERR_NOMEM, "out of memory reading the trust store");
	t->e = p;
	t->e[t->n++] = *e;
	return 0;
}

/* One line "ROLE\tID\tKEY\tNAME" into e. */
static int parse_line(char *line, const char *path, size_t lineno, struct trust_entry *e)
{
	char *field[5], *save = NULL;
	size_t n = 0;

	memset(e, 0, sizeof(*e));
	for (char *f = strtok_r(line, "\t", &save); f && n < 5; f = strtok_r(NULL, "\t", &save))
		field[n++] = f;
	if (n != 4)
		return rig_error(RIG_ERR_INVALID, "%s:%zu: not \"ROLE<tab>KEY-ID<tab>PUBLIC-KEY<tab>"
				 "NAME\"", path, lineno);
	if (trust_check_role(field[0]))
		return rig_error(RIG_ERR_INVALID, "%s:%zu: unknown role \"%s\" (%s)", path, lineno,
				 field[0], trust_check_role(field[0]));
	if (key_public_from_base64(field[2], &e->key) != 0)
		return rig_error(RIG_ERR_INVALID, "%s:%zu: not a signify Ed25519 public key", path,
				 lineno);
	key_id(&e->key, e->id);
	if (strcmp(field[1], e->id))
		return rig_error(RIG_ERR_INVALID, "%s:%zu: key ID %s is not the ID of its key (%s)",
				 path, lineno, field[1], e->id);
	if (!valid_name(field[3]))
		return rig_error(RIG_ERR_INVALID, "%s:%zu: name must be 1 to %d characters", path,
				 lineno, TRUST_NAME_MAX - 1);
	snprintf(e->role, sizeof(e->role), "%s", field[0]);
	snprintf(e->name, sizeof(e->name), "%s", field[3]);
	snprintf(e->source, sizeof(e->source), "%s", path);
	e->line = lineno;
	return 0;
}

static int load_file(struct trust *t, const char *path)
{
	struct trust_entry e;
	struct stat st;
	char *text, *line, *next;
	size_t len, lineno = 0;
	int rc;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : rig_error_errno(RIG_ERR_IO, "%s: cannot read", path);
	/* Whoever may write it decides whom this reviewer trusts. */
	if (st.st_mode & 022)
		return rig_error(RIG_ERR_INVALID, "%s: trust store writable by others (chmod "
				 "go-w %s)", path, path);
	if ((rc = file_read_all(path, TRUST_MAX_BYTES, &text, &len)) != 0)
		return rc;
	if (len && text[len - 1] != '\n')
		rc = rig_error(RIG_ERR_INVALID, "%s: last line unterminated", path);
	for (line = text; !rc && line < text + len; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (!line[0] || line[0] == '#')
			continue;
		if ((rc = parse_line(line, path, lineno, &e)) == 0)
			rc = add_entry(t, &e);
	}
	free(text);
	return rc;
}

int trust_load(struct trust *t)
{
	char path[4096];
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = trust_user_path(path, sizeof(path))) == 0 && (rc = load_file(t, path)) == 0)
		rc = load_file(t, TRUST_SYSTEM_PATH);
	if (rc)
		trust_release(t);
	return rc;
}

void trust_release(struct trust *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

const struct trust_entry *trust_next_for_key(const struct trust *t, const unsigned char pk[32],
					     const struct trust_entry *after)
{
	for (size_t i = after ? (size_t)(after - t->e) + 1 : 0; i < t->n; i++)
		if (!memcmp(t->e[i].key.pk, pk, 32))
			return &t->e[i];
	return NULL;
}

const struct trust_entry *trust_find_keynum(const struct trust *t,
					    const unsigned char keynum[KEY_NUM_BYTES],
					    const char *role)
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->e[i].key.keynum, keynum, KEY_NUM_BYTES) &&
		    (!role || !strcmp(t->e[i].role, role)))
			return &t->e[i];
	return NULL;
}

/* Rewrite the user's store with the entries of t from path (others dropped). */
static int write_user(const struct trust *t, const char *path)
{
	char b64[KEY_PUB_B64_LEN];
	FILE *f;
	int rc;

	if ((rc = file_mkdirs_parent(path, 0700)) != 0 ||
	    (rc = file_replace_open(path, &f)) != 0)
		return rc;
	fputs("# rig trust store (rig trust add|list|remove): ROLE KEY-ID PUBLIC-KEY NAME\n", f);
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->e[i].source, path))
			continue;
		key_public_base64(&t->e[i].key, b64, sizeof(b64));
		fprintf(f, "%s\t%s\t%s\t%s\n", t->e[i].role, t->e[i].id, b64, t->e[i].name);
	}
	return file_replace_commit(f, path);
}

int trust_add(const char *pub_path, const char *name, const char *role)
{
	struct trust t;
	struct trust_entry e;
	char path[4096];
	int rc;

	if (!valid_name(name))
		return rig_error(RIG_ERR_INVALID, "--name must be 1 to %d characters, no tab or "
				 "newline", TRUST_NAME_MAX - 1);
	if (trust_check_role(role))
		return rig_error(RIG_ERR_INVALID, "--role \"%s\": use %s", role,
				 trust_check_role(role));
	memset(&e, 0, sizeof(e));
	if ((rc = key_load_public(pub_path, &e.key)) != 0)
		return rc;
	key_id(&e.key, e.id);
	if ((rc = trust_user_path(path, sizeof(path))) != 0 || (rc = trust_load(&t)) != 0)
		return rc;
	for (const struct trust_entry *o = NULL; (o = trust_next_for_key(&t, e.key.pk, o));) {
		if (strcmp(o->name, name))
			rc = rig_error(RIG_ERR_INVALID, "key %s is already trusted as \"%s\" (%s:%zu): "
				       "one key, one signer", e.id, o->name, o->source, o->line);
		else if (!strcmp(o->role, role))
			rc = rig_error(RIG_ERR_INVALID, "key %s is already trusted as %s %s (%s:%zu)",
				       e.id, role, name, o->source, o->line);
		if (rc)
			break;
	}
	snprintf(e.role, sizeof(e.role), "%s", role);
	snprintf(e.name, sizeof(e.name), "%s", name);
	snprintf(e.source, sizeof(e.source), "%s", path);
	if (!rc && (rc = add_entry(&t, &e)) == 0)
		rc = write_user(&t, path);
	trust_release(&t);
	return rc;
}

int trust_remove(const char *id, size_t *removed)
{
	struct trust t;
	struct station_key k;
	char path[4096], want[2 * KEY_NUM_BYTES + 1];
	size_t kept = 0, elsewhere = 0;
	int rc;

	*removed = 0;
	snprintf(want, sizeof(want), "%s", id);
	if (strlen(id) != 2 * KEY_NUM_BYTES && access(id, F_OK) == 0) {
		if ((rc = key_load_public(id, &k)) != 0)
			return rc;
		key_id(&k, want);
	}
	if ((rc = trust_user_path(path, sizeof(path))) != 0 || (rc = trust_load(&t)) != 0)
		return rc;
	for (size_t i = 0; i < t.n; i++) {
		int match = !strcmp(t.e[i].id, want);

		if (match && !strcmp(t.e[i].source, path))
			(*removed)++;
		else {
			elsewhere += match;
			t.e[kept++] = t.e[i];
		}
	}
	t.n = kept;
	if (!*removed)
		rc = rig_error(RIG_ERR_INVALID, "key %s is not in %s%s", want, path,
			       elsewhere ? " (only in " TRUST_SYSTEM_PATH ", which the system's "
					   "administrator keeps)" : "");
	else
		rc = write_user(&t, path);
	trust_release(&t);
	return rc;
}
