#include "reports/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rig/base/error.h"
#include "rig/base/dirlist.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"

#define MANIFEST_MAX_BYTES (16u << 20)

int manifest_excluded(const char *relpath)
{
	static const char *const names[] = { "MANIFEST", "MANIFEST.sig", "station.pub",
					     MANIFEST_SIGNATURES_DIR, NULL };

	for (size_t i = 0; names[i]; i++)
		if (!strcmp(relpath, names[i]))
			return 1;
	/* Half-written replacements of the above (a kill during signing). */
	return !strncmp(relpath, "MANIFEST.", 9) || !strncmp(relpath, "SIGNATURES.", 11) ||
	       !strncmp(relpath, "station.pub.", 12);
}

static int add(struct manifest *m, const char *rel)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		void *p = realloc(m->e, cap * sizeof(*m->e));

		if (!p)
			return rig_error(RIG_ERR_NOMEM, "out of memory listing artifacts");
		m->e = p;
		m->cap = cap;
	}
	memset(&m->e[m->n], 0, sizeof(m->e[0]));
	return path_format(m->e[m->n++].path, MANIFEST_PATH_MAX, "%s", rel);
}

static int walk(const char *dir, const char *rel, struct manifest *m)
{
	char full[4400], child[MANIFEST_PATH_MAX + 64];
	struct dir_names names;
	int rc;

	if ((rc = path_format(full, sizeof(full), "%s%s%s", dir, rel[0] ? "/" : "", rel)) != 0 ||
	    (rc = dir_names_read(full, &names)) != 0)
		return rc;
	for (size_t i = 0; !rc && i < names.n; i++) {
		const char *name = names.name[i];
		struct stat st;

		if ((rel[0] ? strlen(rel) + 1 : 0) + strlen(name) >= MANIFEST_PATH_MAX || strpbrk(name, "\n\\"))
			rc = rig_error(RIG_ERR_INVALID, "%s/%.200s: artifact name too long or with a "
				       "newline or backslash", full, name);
		else if (!rel[0] && manifest_excluded(name))
			continue;
		else if ((rc = path_format(child, sizeof(child), "%s%s%s", rel, rel[0] ? "/" : "",
					   name)) != 0 ||
			 (rc = path_join(full, sizeof(full), dir, child)) != 0)
			break;
		else if (lstat(full, &st) != 0)
			rc = rig_error_errno(RIG_ERR_IO, "%s: cannot stat", full);
		else if (S_ISDIR(st.st_mode))
			rc = walk(dir, child, m);
		else if (!S_ISREG(st.st_mode))
			rc = rig_error(RIG_ERR_INVALID, "%s: not a regular file (links and devices "
				       "are not artifacts)", full);
		else
			rc = add(m, child);
	}
	dir_names_release(&names);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path,
		      ((const struct manifest_entry *)b)->path);
}

int manifest_collect(const char *dir, struct manifest *m)
{
	char full[4400];
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = walk(dir, "", m)) != 0)
		return rc;
	qsort(m->e, m->n, sizeof(*m->e), by_path);
	for (size_t i = 0; i < m->n && !rc; i++) {
		if ((rc = path_join(full, sizeof(full), dir, m->e[i].path)) == 0)
			rc = file_sha256_hex(full, m->e[i].sha256);
	}
	return rc;
}

static char *manifest_text(const struct manifest *m, size_t *len)
{
	size_t cap = m->n * (64 + 3 + MANIFEST_PATH_MAX) + 1, o = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		o += (size_t)snprintf(text + o, cap - o, "%s  %s\n", m->e[i].sha256, m->e[i].path);
	text[o] = '\0';
	*len = o;
	return text;
}

int manifest_write_signed(const char *dir, const struct station_key *k)
{
	struct manifest m;
	char sig[4400], pub[4400], tmp[4500], path[4400];
	char *text = NULL;
	size_t len = 0;
	/* tmp: pub or sig with the short suffix of a part file. */
	int rc = path_join(path, sizeof(path), dir, "MANIFEST");

	if (!rc)
		rc = path_join(pub, sizeof(pub), dir, "station.pub");
	if (!rc)
		rc = path_join(sig, sizeof(sig), dir, "MANIFEST.sig");
	if (rc)
		return rc;
	rc = manifest_collect(dir, &m);
	if (!rc && !(text = manifest_text(&m, &len)))
		rc = rig_error(RIG_ERR_NOMEM, "out of memory writing MANIFEST");
	if (!rc)
		rc = file_replace_write(path, text, len);
	if (!rc && (rc = file_part_path(pub, tmp, sizeof(tmp))) == 0 &&
	    (rc = key_write_public(k, tmp)) == 0)
		rc = file_replace_finish(pub);
	if (!rc && (rc = file_part_path(sig, tmp, sizeof(tmp))) == 0 &&
	    (rc = key_sign_to_file(k, text, len, tmp, "verify with station.pub")) == 0)
		rc = file_replace_finish(sig);
	if (!rc)
		rc = file_sync_dir(dir);
	free(text);
	manifest_release(&m);
	return rc;
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int manifest_read(const char *dir, struct manifest *m)
{
	char path[4400], *text, *line, *save = NULL;
	size_t len, lineno = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = path_join(path, sizeof(path), dir, "MANIFEST")) != 0 ||
	    (rc = file_read_all(path, MANIFEST_MAX_BYTES, &text, &len)) != 0)
		return rc;
	if (len && text[len - 1] != '\n')
		rc = rig_error(RIG_ERR_INVALID, "%s: last line unterminated", path);
	for (line = strtok_r(text, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (strlen(line) < 67 || !is_hex64(line) || line[64] != ' ' || line[65] != ' ' ||
		    strlen(line + 66) >= MANIFEST_PATH_MAX)
			rc = rig_error(RIG_ERR_INVALID, "%s:%zu: not \"SHA256  PATH\"", path, lineno);
		else if (!(rc = add(m, line + 66))) {
			memcpy(m->e[m->n - 1].sha256, line, 64);
			m->e[m->n - 1].sha256[64] = '\0';
		}
	}
	free(text);
	if (rc)
		manifest_release(m); /* a bad line after good ones: keep nothing */
	return rc;
}

void manifest_release(struct manifest *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}
