#include "reports/verify.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/approval.h"
#include "reports/keys.h"
#include "reports/manifest.h"
#include "rig/base/dirlist.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/journal.h"
#include "rig/base/paths.h"

#define MANIFEST_MAX_BYTES (16u << 20)

void verify_problem(struct verify_result *v, FILE *out, int untrusted, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(out, "%s %s\n", untrusted ? "UNTRUSTED" : "TAMPERED", msg);
	if (!v->tampered && !v->untrusted)
		snprintf(v->first, sizeof(v->first), "%s", msg);
	if (untrusted)
		v->untrusted++;
	else
		v->tampered++;
}

/* Signify's first line is an unsigned comment: rig writes fixed ones, so
 * any other text there is a change too. */
static void check_comment(struct verify_result *v, FILE *out, const char *dir, const char *name,
			  const char *want)
{
	char path[4400], *text;
	size_t len;

	if (path_join(path, sizeof(path), dir, name) != 0) {
		verify_problem(v, out, 0, "%s: %s", name, rig_last_error());
		return;
	}
	if (file_read_all(path, 4096, &text, &len) != 0)
		return; /* missing or unreadable: reported by the signature check */
	if (strncmp(text, want, strlen(want)) || text[strlen(want)] != '\n')
		verify_problem(v, out, 0, "%s: comment line changed", name);
	free(text);
}

/* Who signed MANIFEST, and is it a station this reviewer trusts? */
static void check_station(struct verify_result *v, FILE *out, const char *dir,
			  const struct station_key *pinned, const struct trust *t)
{
	char path[4400], sig_path[4400], id[2 * KEY_NUM_BYTES + 1], *text;
	unsigned char keynum[KEY_NUM_BYTES], sig[64];
	struct station_key in_dir, signer;
	const struct trust_entry *e = NULL;
	int have_pub;
	size_t len;

	if (path_join(path, sizeof(path), dir, "station.pub") != 0 ||
	    path_join(sig_path, sizeof(sig_path), dir, "MANIFEST.sig") != 0) {
		verify_problem(v, out, 0, "MANIFEST.sig: %s", rig_last_error());
		return;
	}
	have_pub = key_load_public(path, &in_dir) == 0;
	if (key_read_signature(sig_path, keynum, sig) != 0) {
		verify_problem(v, out, 0, "MANIFEST.sig: %s", rig_last_error());
		return;
	}
	if (path_join(path, sizeof(path), dir, "MANIFEST") != 0 ||
	    file_read_all(path, MANIFEST_MAX_BYTES, &text, &len) != 0) {
		verify_problem(v, out, 0, "MANIFEST: %s", rig_last_error());
		return;
	}
	if (pinned)
		signer = *pinned;
	else if ((e = trust_find_keynum(t, keynum, "station")) != NULL)
		signer = e->key;
	else {
		/* Name the signer as the directory presents it, but accept nothing. */
		if (have_pub && !memcmp(in_dir.keynum, keynum, KEY_NUM_BYTES))
			key_id(&in_dir, id);
		else
			for (int i = 0; i < KEY_NUM_BYTES; i++)
				snprintf(id + 2 * i, 3, "%02x", keynum[i]);
		verify_problem(v, out, 1, "MANIFEST.sig: not authenticated: signer %s is not "
			       "trusted (no station key with that ID in the trust store: rig trust "
			       "list)", id);
		if (have_pub && key_verify(&in_dir, text, len, sig) != 0)
			verify_problem(v, out, 0, "MANIFEST.sig: does not match station.pub either");
		free(text);
		return;
	}
	key_id(&signer, v->station_id);
	snprintf(v->station_name, sizeof(v->station_name), "%s", e ? e->name : "");
	if (memcmp(signer.keynum, keynum, KEY_NUM_BYTES))
		verify_problem(v, out, 0, "MANIFEST.sig: signed by another key than the pinned %s",
			       v->station_id);
	else if (key_verify(&signer, text, len, sig) != 0)
		verify_problem(v, out, 0, "MANIFEST.sig: signature does not match MANIFEST (the "
			       "manifest or its signature was changed), checked with %s key %s",
			       e ? "trusted" : "pinned", v->station_id);
	else
		fprintf(out, "ok       MANIFEST.sig: signed by %s station key %s%s%s\n",
			e ? "trusted" : "pinned", v->station_id, e ? " " : "", e ? e->name : "");
	if (!have_pub)
		verify_problem(v, out, 0, "station.pub: missing or unreadable");
	else if (!key_same(&in_dir, &signer))
		verify_problem(v, out, 0, "station.pub: is not the key that signed MANIFEST");
	free(text);
}

static const struct manifest_entry *find(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

/* A directory is an artifact's folder only when MANIFEST lists a file in it. */
static int holds_listed(const struct manifest *m, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i < m->n; i++)
		if (!strncmp(m->e[i].path, dir, n) && m->e[i].path[n] == '/')
			return 1;
	return 0;
}

/* Everything present that MANIFEST does not list: files, links, empty or
 * extra directories, half-written leftovers. Only the three signing files
 * at the top and the signatures directory (its own chain) are not
 * artifacts. */
static void check_unlisted(struct verify_result *v, FILE *out, const char *dir,
			   const char *rel, const struct manifest *listed, int depth)
{
	static const char *const own[] = { "MANIFEST", "MANIFEST.sig", "station.pub",
					   MANIFEST_SIGNATURES_DIR };
	char full[4400 + 2 * MANIFEST_PATH_MAX], child[2 * MANIFEST_PATH_MAX];
	struct dir_names names;

	if (depth > 16 || path_format(full, sizeof(full), "%s%s%s", dir, rel[0] ? "/" : "", rel) ||
	    dir_names_read(full, &names) != 0) {
		verify_problem(v, out, 0, "%s: cannot list", rel[0] ? rel : ".");
		return;
	}
	for (size_t k = 0; k < names.n; k++) {
		const char *name = names.name[k];
		struct stat st;
		int skip = 0;

		for (size_t i = 0; !rel[0] && i < sizeof(own) / sizeof(own[0]); i++)
			skip |= !strcmp(name, own[i]);
		if (skip && !strcmp(name, MANIFEST_SIGNATURES_DIR) &&
		    (path_join(full, sizeof(full), dir, name) != 0 || lstat(full, &st) != 0 ||
		     !S_ISDIR(st.st_mode)))
			verify_problem(v, out, 0, MANIFEST_SIGNATURES_DIR ": not a directory");
		if (skip)
			continue;
		if (strlen(rel) + strlen(name) + 1 >= MANIFEST_PATH_MAX ||
		    path_format(child, sizeof(child), "%s%s%s", rel, rel[0] ? "/" : "", name) ||
		    path_join(full, sizeof(full), dir, child))
			verify_problem(v, out, 0, "%.200s%s%.200s...: not in MANIFEST (name too long)",
				       rel, rel[0] ? "/" : "", name);
		else if (lstat(full, &st) != 0)
			verify_problem(v, out, 0, "%s: cannot stat", child);
		else if (S_ISDIR(st.st_mode)) {
			if (!holds_listed(listed, child))
				verify_problem(v, out, 0, "%s/: directory not in MANIFEST (added after "
					       "signing)", child);
			else
				check_unlisted(v, out, dir, child, listed, depth + 1);
		} else if (!find(listed, child))
			verify_problem(v, out, 0, "%s: not in MANIFEST (added after signing)", child);
		else if (!S_ISREG(st.st_mode))
			verify_problem(v, out, 0, "%s: not a regular file", child);
	}
	dir_names_release(&names);
}

static void check_artifacts(struct verify_result *v, FILE *out, const char *dir)
{
	struct manifest listed;
	char path[4400], hash[65];
	int before = v->tampered;

	if (manifest_read(dir, &listed) != 0) {
		verify_problem(v, out, 0, "MANIFEST: %s", rig_last_error());
		return;
	}
	for (size_t i = 0; i < listed.n; i++) {
		if (strstr(listed.e[i].path, "..") || listed.e[i].path[0] == '/')
			verify_problem(v, out, 0, "MANIFEST: lists %s, outside the run directory",
				       listed.e[i].path);
		else if (path_join(path, sizeof(path), dir, listed.e[i].path) != 0)
			verify_problem(v, out, 0, "%s: %s", listed.e[i].path, rig_last_error());
		else if (file_sha256_hex(path, hash) != 0)
			verify_problem(v, out, 0, "%s: listed in MANIFEST but missing or unreadable",
				       listed.e[i].path);
		else if (strcmp(hash, listed.e[i].sha256))
			verify_problem(v, out, 0, "%s: SHA-256 differs from MANIFEST (changed after "
				       "signing)", listed.e[i].path);
	}
	check_unlisted(v, out, dir, "", &listed, 0);
	if (v->tampered == before)
		fprintf(out, "ok       %zu artifacts match MANIFEST, nothing else present\n",
			listed.n);
	manifest_release(&listed);
}

struct journal_tail {
	char event[32];
	char verdict[32];
};

static int note_tail(void *ctx, json_t *line, uint64_t lineno)
{
	struct journal_tail *t = ctx;
	const char *v = json_string_value(json_object_get(line, "verdict"));

	(void)lineno;
	snprintf(t->event, sizeof(t->event), "%s",
		 json_string_value(json_object_get(line, "event")));
	snprintf(t->verdict, sizeof(t->verdict), "%s", v ? v : "");
	return 0;
}

static void check_journal(struct verify_result *v, FILE *out, const char *dir)
{
	char path[4400];
	struct journal_scan st;
	struct journal_tail tail = { "", "" };

	if (path_join(path, sizeof(path), dir, "journal.jsonl") != 0 ||
	    journal_scan(path, 0, note_tail, &tail, &st) != 0)
		verify_problem(v, out, 0, "%s", rig_last_error());
	else if (strcmp(tail.event, "run_end"))
		verify_problem(v, out, 0, "journal.jsonl: ends after line %llu without run_end "
			       "(lines removed from its end)", (unsigned long long)st.lines);
	else
		fprintf(out, "ok       journal.jsonl: %llu events, hash chain intact, run_end "
			"verdict %s\n", (unsigned long long)st.lines, tail.verdict);
}

int verify_run(const char *dir, const char *pinned_pub, const struct trust *t, FILE *out,
	       struct verify_result *v)
{
	char path[4400];
	struct station_key pinned;
	struct stat st;

	memset(v, 0, sizeof(*v));
	/* Every file of the run is named under dir: a dir too long for its
	 * longest fixed name is refused here, before any check is half done. */
	if (path_join(path, sizeof(path), dir, "journal.jsonl") != 0 ||
	    path_join(path, sizeof(path), dir, "MANIFEST.sig") != 0)
		return -1;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return rig_error(RIG_ERR_INVALID, "%s: not a directory", dir);
	/* Without the key asked for, or a run to check, nothing can be said. */
	if (pinned_pub && key_load_public(pinned_pub, &pinned) != 0)
		return -1;
	path_join(path, sizeof(path), dir, "MANIFEST");
	if (access(path, F_OK) != 0) {
		path_join(path, sizeof(path), dir, "journal.jsonl");
		if (access(path, F_OK) != 0)
			return rig_error(RIG_ERR_INVALID, "%s: not a run directory (no MANIFEST, no "
					 "journal.jsonl)", dir);
		verify_problem(v, out, 0, "MANIFEST: missing (an unfinished run: close it with "
			       "rig recover)");
		return 0;
	}
	check_station(v, out, dir, pinned_pub ? &pinned : NULL, t);
	check_comment(v, out, dir, "MANIFEST.sig", "untrusted comment: verify with station.pub");
	check_comment(v, out, dir, "station.pub", "untrusted comment: rig station public key");
	check_artifacts(v, out, dir);
	check_journal(v, out, dir);
	if (file_sha256_hex(path, v->manifest_sha256) != 0)
		v->manifest_sha256[0] = '\0';
	return 0;
}
