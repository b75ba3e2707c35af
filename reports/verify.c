#include "reports/verify.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/approval.h"
#include "reports/keys.h"
#include "reports/manifest.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/run/journal.h"

#define MANIFEST_MAX_BYTES (16u << 20)

struct check {
	FILE *out;
	int problems;
	char first[1024];
};

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct check *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(c->out, "TAMPERED %s\n", msg);
	if (!c->problems++)
		snprintf(c->first, sizeof(c->first), "%s", msg);
}

/* Signify's first line is an unsigned comment: rig writes fixed ones, so
 * any other text there is a change too. */
static void check_comment(struct check *c, const char *dir, const char *name, const char *want)
{
	char path[4400], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_read_all(path, 4096, &text, &len) != 0)
		return; /* missing or unreadable: reported by the signature check */
	if (strncmp(text, want, strlen(want)) || text[strlen(want)] != '\n')
		problem(c, "%s: comment line changed", name);
	free(text);
}

static void check_signature(struct check *c, const char *dir, const char *pinned)
{
	char path[4400], sig[4400], id[2 * KEY_NUM_BYTES + 1], *text;
	struct station_key k;
	size_t len;

	snprintf(path, sizeof(path), "%s/station.pub", dir);
	if (key_load_public(pinned ? pinned : path, &k) != 0) {
		if (pinned)
			problem(c, "%s", rig_last_error());
		else
			problem(c, "station.pub: missing or unreadable (pass the station key with --key)");
		return;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	snprintf(sig, sizeof(sig), "%s/MANIFEST.sig", dir);
	if (file_read_all(path, MANIFEST_MAX_BYTES, &text, &len) != 0) {
		problem(c, "MANIFEST: %s", rig_last_error());
		return;
	}
	key_id(&k, id);
	if (key_verify_file(&k, text, len, sig) != 0)
		problem(c, "MANIFEST.sig: %s, checked with %s", rig_last_error(),
			pinned ? pinned : "station.pub");
	else
		fprintf(c->out, "ok       MANIFEST.sig: signed by station key %s%s\n", id,
			pinned ? " (pinned)" : " (from station.pub in the run directory: pin it "
						"with --key to know whose station)");
	free(text);
}

static const struct manifest_entry *find(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

static void check_artifacts(struct check *c, const char *dir)
{
	struct manifest listed, present;
	char path[4400], hash[65];
	int before = c->problems;

	if (manifest_read(dir, &listed) != 0) {
		problem(c, "MANIFEST: %s", rig_last_error());
		return;
	}
	for (size_t i = 0; i < listed.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, listed.e[i].path);
		if (file_sha256_hex(path, hash) != 0)
			problem(c, "%s: listed in MANIFEST but missing or unreadable",
				listed.e[i].path);
		else if (strcmp(hash, listed.e[i].sha256))
			problem(c, "%s: SHA-256 differs from MANIFEST (changed after signing)",
				listed.e[i].path);
	}
	memset(&present, 0, sizeof(present));
	if (manifest_collect(dir, &present) != 0)
		problem(c, "%s", rig_last_error());
	for (size_t i = 0; i < present.n; i++)
		if (!find(&listed, present.e[i].path))
			problem(c, "%s: not in MANIFEST (added after signing)", present.e[i].path);
	if (c->problems == before)
		fprintf(c->out, "ok       %zu artifacts match MANIFEST\n", listed.n);
	manifest_release(&listed);
	manifest_release(&present);
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

static void check_journal(struct check *c, const char *dir)
{
	char path[4400];
	struct journal_scan st;
	struct journal_tail tail = { "", "" };

	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	if (journal_scan(path, 0, note_tail, &tail, &st) != 0)
		problem(c, "%s", rig_last_error());
	else if (strcmp(tail.event, "run_end"))
		problem(c, "journal.jsonl: ends after line %llu without run_end (lines removed "
			"from its end)", (unsigned long long)st.lines);
	else
		fprintf(c->out, "ok       journal.jsonl: %llu events, hash chain intact, run_end "
			"verdict %s\n", (unsigned long long)st.lines, tail.verdict);
}

int verify_run(const char *dir, const char *pinned_pub, FILE *out)
{
	struct check c = { .out = out };
	char path[4400], manifest[65];
	struct stat st;
	int bad;

	struct station_key pinned;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return rig_error(RIG_ERR_INVALID, "%s: not a directory", dir);
	/* Without the key asked for, or a run to check, nothing can be said. */
	if (pinned_pub && key_load_public(pinned_pub, &pinned) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	if (access(path, F_OK) != 0) {
		snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
		if (access(path, F_OK) != 0)
			return rig_error(RIG_ERR_INVALID, "%s: not a run directory (no MANIFEST, no "
					 "journal.jsonl)", dir);
		problem(&c, "MANIFEST: missing (an unfinished run: close it with rig recover)");
		rig_error(RIG_ERR_INVALID, "%s: %s", dir, c.first);
		return c.problems;
	}
	check_signature(&c, dir, pinned_pub);
	check_comment(&c, dir, "MANIFEST.sig", "untrusted comment: verify with station.pub");
	check_comment(&c, dir, "station.pub", "untrusted comment: rig station public key");
	check_artifacts(&c, dir);
	check_journal(&c, dir);
	if (file_sha256_hex(path, manifest) == 0) {
		bad = approval_verify(dir, manifest, out);
		if (bad && !c.problems)
			snprintf(c.first, sizeof(c.first), "%s", rig_last_error());
		c.problems += bad;
	}
	if (c.problems)
		rig_error(RIG_ERR_INVALID, "%s: %s", dir, c.first);
	return c.problems;
}
