#include "reports/approval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reports/manifest.h"
#include "reports/signature_page.h"
#include "rig/base/dirlist.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/base/timefmt.h"

#define RECORD_MAX_BYTES 4096
#define CHAIN_MAX 200
#define FORMAT "rig-esignature/2"

static const char *const meanings[] = { "authored", "reviewed", "approved", "rejected", NULL };

const char *approval_check_meaning(const char *meaning)
{
	for (size_t i = 0; meanings[i]; i++)
		if (!strcmp(meaning, meanings[i]))
			return NULL;
	return "authored, reviewed, approved or rejected";
}

size_t approval_text(const struct approval_record *r, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 FORMAT "\nrun: %s\nrecord: %ld\nname: %s\nkey-id: %s\nmeaning: %s\n"
			 "time: %s\nmanifest-sha256: %s\nprevious-sha256: %s\n"
			 "page-html-sha256: %s\npage-pdf-sha256: %s\n",
			 r->run, r->seq, r->name, r->key_id, r->meaning, r->time, r->manifest,
			 r->previous, r->page_html, r->page_pdf);

	return n < 0 ? 0 : (size_t)n;
}

static int in_chain(char *out, size_t len, const char *dir, const char *name)
{
	return path_format(out, len, "%s/" MANIFEST_SIGNATURES_DIR "/%s", dir, name);
}

/* "key: value" line at *p into dst; advances *p. */
static int field(char **p, const char *key, char *dst, size_t len)
{
	size_t k = strlen(key);
	char *nl;

	if (strncmp(*p, key, k) || (*p)[k] != ':' || (*p)[k + 1] != ' ' || !(nl = strchr(*p, '\n')))
		return -1;
	if ((size_t)(nl - (*p + k + 2)) >= len)
		return -1;
	snprintf(dst, len, "%.*s", (int)(nl - (*p + k + 2)), *p + k + 2);
	*p = nl + 1;
	return 0;
}

/*
 * Parse record text; 0 only when it is exactly the text approval_text
 * writes for the fields read (nothing added, reordered or respelt).
 */
static int parse(const char *text, size_t len, struct approval_record *r)
{
	char *copy = strndup(text, len), *p = copy, seq[24], *end, again[RECORD_MAX_BYTES];
	int bad;

	memset(r, 0, sizeof(*r));
	if (!copy)
		return -1;
	bad = strncmp(p, FORMAT "\n", sizeof(FORMAT)) != 0;
	p += bad ? 0 : sizeof(FORMAT);
	bad = bad || field(&p, "run", r->run, sizeof(r->run)) ||
	      field(&p, "record", seq, sizeof(seq)) || field(&p, "name", r->name, sizeof(r->name)) ||
	      field(&p, "key-id", r->key_id, sizeof(r->key_id)) ||
	      field(&p, "meaning", r->meaning, sizeof(r->meaning)) ||
	      field(&p, "time", r->time, sizeof(r->time)) ||
	      field(&p, "manifest-sha256", r->manifest, sizeof(r->manifest)) ||
	      field(&p, "previous-sha256", r->previous, sizeof(r->previous)) ||
	      field(&p, "page-html-sha256", r->page_html, sizeof(r->page_html)) ||
	      field(&p, "page-pdf-sha256", r->page_pdf, sizeof(r->page_pdf));
	free(copy);
	if (bad)
		return -1;
	r->seq = strtol(seq, &end, 10);
	if (*end || r->seq < 1)
		return -1;
	return approval_text(r, again, sizeof(again)) != len || memcmp(again, text, len) ? -1 : 0;
}

/* Read records 1, 2, ... into *out (malloc'd); stops at the first absent one. */
static int read_chain(const char *dir, struct approval_record **out, size_t *n,
		      char texts[][RECORD_MAX_BYTES], size_t *lens, size_t max)
{
	char path[4400], name[32], *text;
	size_t len;
	struct approval_record *r = calloc(max + 1, sizeof(*r));

	*out = r;
	*n = 0;
	if (!r)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < max; i++) {
		snprintf(name, sizeof(name), "%zu.txt", i + 1);
		if (in_chain(path, sizeof(path), dir, name) != 0)
			return -1;
		if (access(path, F_OK) != 0)
			break;
		if (file_read_all(path, RECORD_MAX_BYTES - 1, &text, &len) != 0)
			return rig_error(RIG_ERR_INVALID, MANIFEST_SIGNATURES_DIR "/%s: unreadable or "
					 "too long", name);
		memcpy(texts[i], text, len);
		lens[i] = len;
		if (parse(text, len, &r[i]) != 0 || r[i].seq != (long)i + 1) {
			free(text);
			return rig_error(RIG_ERR_INVALID, MANIFEST_SIGNATURES_DIR "/%s: not a "
					 FORMAT " record numbered %zu", name, i + 1);
		}
		sha256_hex(text, len, r[i].sha256);
		free(text);
		(*n)++;
	}
	return 0;
}

/* Anything in signatures/ that is not record 1..n, its signature or the page. */
static void check_names(const char *dir, size_t n, FILE *out, struct verify_result *v)
{
	struct dir_names names;
	char path[4400];

	if (path_join(path, sizeof(path), dir, MANIFEST_SIGNATURES_DIR) != 0 ||
	    dir_names_read(path, &names) != 0) {
		if (errno != ENOENT) /* none is no signature yet; anything else is told */
			verify_problem(v, out, 0, "%s", rig_last_error());
		return;
	}
	for (size_t k = 0; k < names.n; k++) {
		const char *name = names.name[k];
		char *end;
		long i = strtol(name, &end, 10);
		int ok = n && (!strcmp(name, "page.html") || !strcmp(name, "page.pdf"));

		if (!ok && end != name && name[0] != '0' && i >= 1 && (size_t)i <= n)
			ok = !strcmp(end, ".txt") || !strcmp(end, ".txt.sig");
		if (!ok)
			verify_problem(v, out, 0, MANIFEST_SIGNATURES_DIR "/%s: not part of the "
				       "signature chain (added)", name);
	}
	dir_names_release(&names);
}

/* The trusted entry that may sign r, or NULL with the problem told. */
static const struct trust_entry *authorised(const struct approval_record *r, const char *where,
					    const struct trust *t, FILE *out,
					    struct verify_result *v)
{
	const struct trust_entry *e, *any = NULL;

	for (size_t i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (strcmp(e->id, r->key_id))
			continue;
		any = any ? any : e;
		if (!strcmp(e->name, r->name) && trust_role_allows(e->role, r->meaning))
			return e;
	}
	if (!any)
		verify_problem(v, out, 1, "%s: not authenticated: signer %s is not trusted", where,
			       r->key_id);
	else if (strcmp(any->name, r->name))
		verify_problem(v, out, 1, "%s: not authenticated: signer %s is trusted as \"%s\", "
			       "not as \"%s\"", where, r->key_id, any->name, r->name);
	else
		verify_problem(v, out, 1, "%s: not authenticated: %s (key %s) is trusted as %s, "
			       "not to sign \"%s\"", where, r->name, r->key_id, any->role, r->meaning);
	return NULL;
}

static int valid_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end && !*end && strlen(s) == 20;
}

void approval_verify(const struct approval_request *rq, const struct trust *t, FILE *out,
		     struct verify_result *v, long *records, char head[65])
{
	static char texts[CHAIN_MAX][RECORD_MAX_BYTES];
	static size_t lens[CHAIN_MAX];
	struct approval_record *r;
	char path[4400], sig[4400], where[64], hash[65];
	const char *prev = rq->manifest_sha256;
	size_t n;

	*records = 0;
	head[0] = '\0';
	if (read_chain(rq->dir, &r, &n, texts, lens, CHAIN_MAX) != 0) {
		verify_problem(v, out, 0, "%s", rig_last_error());
		free(r);
		return;
	}
	check_names(rq->dir, n, out, v);
	for (size_t i = 0; i < n; i++) {
		const struct trust_entry *e;
		int bad = v->tampered + v->untrusted;

		snprintf(where, sizeof(where), MANIFEST_SIGNATURES_DIR "/%zu.txt", i + 1);
		if (path_format(sig, sizeof(sig), "%s/" MANIFEST_SIGNATURES_DIR "/%zu.txt.sig",
				rq->dir, i + 1) != 0) {
			verify_problem(v, out, 0, "%s", rig_last_error());
			break;
		}
		if (strcmp(r[i].manifest, rq->manifest_sha256))
			verify_problem(v, out, 0, "%s: signs another MANIFEST (moved from another "
				       "record, or the run changed after it was signed)", where);
		if (strcmp(r[i].previous, prev))
			verify_problem(v, out, 0, "%s: previous-sha256 is not the hash of %s (a "
				       "record was deleted, inserted or reordered)", where,
				       i ? "the record before it" : "MANIFEST");
		if (strcmp(r[i].run, rq->run_id))
			verify_problem(v, out, 0, "%s: names run %s, not %s", where, r[i].run,
				       rq->run_id);
		if (approval_check_meaning(r[i].meaning) || !valid_time(r[i].time))
			verify_problem(v, out, 0, "%s: meaning or time malformed", where);
		if (!strcmp(r[i].meaning, "approved") && strcmp(rq->run_verdict, "PASS"))
			verify_problem(v, out, 0, "%s: approves a run whose verdict is %s", where,
				       rq->run_verdict);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r[j].key_id, r[i].key_id) && !strcmp(r[j].meaning, r[i].meaning))
				verify_problem(v, out, 0, "%s: %s signed \"%s\" already in record %zu",
					       where, r[i].name, r[i].meaning, j + 1);
		if ((e = authorised(&r[i], where, t, out, v)) != NULL &&
		    key_verify_file(&e->key, texts[i], lens[i], sig) != 0)
			verify_problem(v, out, 0, "%s: %s", where, rig_last_error());
		fprintf(out, "%-8s %s by %s at %s (key %s%s%s)\n",
			v->tampered + v->untrusted == bad ? "ok" : "BAD", r[i].meaning, r[i].name,
			r[i].time, r[i].key_id, e ? ", trusted " : "", e ? e->role : "");
		prev = r[i].sha256;
	}
	if (n) {
		if (in_chain(path, sizeof(path), rq->dir, "page.html") != 0 ||
		    file_sha256_hex(path, hash) != 0 || strcmp(hash, r[n - 1].page_html))
			verify_problem(v, out, 0, MANIFEST_SIGNATURES_DIR "/page.html: not the page "
				       "the last signature covers");
		if (in_chain(path, sizeof(path), rq->dir, "page.pdf") != 0 ||
		    file_sha256_hex(path, hash) != 0 || strcmp(hash, r[n - 1].page_pdf))
			verify_problem(v, out, 0, MANIFEST_SIGNATURES_DIR "/page.pdf: not the page "
				       "the last signature covers");
		*records = (long)n;
		snprintf(head, 65, "%s", r[n - 1].sha256);
	}
	free(r);
}

/* The buffers approval_sign names its files in. */
#define SIG_PATH_MAX 4400

int approval_check_dir(const char *dir)
{
	char sig[SIG_PATH_MAX], tmp[SIG_PATH_MAX + 100];

	/* The longest names: the last record's signature, and its part file. */
	if (path_format(sig, sizeof(sig), "%s/" MANIFEST_SIGNATURES_DIR "/%d.txt.sig", dir,
			CHAIN_MAX) != 0 || file_part_path(sig, tmp, sizeof(tmp)) != 0)
		return RIG_ERR_INVALID;
	return 0;
}

int approval_sign(const struct approval_request *rq, const struct station_key *k,
		  long *records, char head[65])
{
	static char texts[CHAIN_MAX][RECORD_MAX_BYTES];
	static size_t lens[CHAIN_MAX];
	struct approval_record *r, *next;
	char path[SIG_PATH_MAX], text[RECORD_MAX_BYTES], tmp[SIG_PATH_MAX + 100],
		sig[SIG_PATH_MAX];
	size_t n, len;
	int rc;

	if (!strcmp(rq->meaning, "approved") && strcmp(rq->run_verdict, "PASS"))
		return rig_error(RIG_ERR_INVALID, "%s: the run's verdict is %s: only a PASS can be "
				 "approved (sign it rejected or reviewed)", rq->dir, rq->run_verdict);
	if ((rc = read_chain(rq->dir, &r, &n, texts, lens, CHAIN_MAX - 1)) != 0) {
		free(r);
		return rc;
	}
	next = &r[n];
	next->seq = (long)n + 1;
	snprintf(next->run, sizeof(next->run), "%s", rq->run_id);
	snprintf(next->name, sizeof(next->name), "%s", rq->name);
	key_id(k, next->key_id);
	snprintf(next->meaning, sizeof(next->meaning), "%s", rq->meaning);
	time_format_iso(time(NULL), next->time, sizeof(next->time));
	snprintf(next->manifest, sizeof(next->manifest), "%s", rq->manifest_sha256);
	snprintf(next->previous, sizeof(next->previous), "%s",
		 n ? r[n - 1].sha256 : rq->manifest_sha256);
	for (size_t j = 0; j < n; j++)
		if (!strcmp(r[j].key_id, next->key_id) && !strcmp(r[j].meaning, next->meaning)) {
			rc = rig_error(RIG_ERR_INVALID, "%s: %s already signed this run \"%s\" "
				       "(signature %zu)", rq->dir, r[j].name, r[j].meaning, j + 1);
			free(r);
			return rc;
		}
	if (path_join(path, sizeof(path), rq->dir, MANIFEST_SIGNATURES_DIR) != 0 ||
	    path_format(sig, sizeof(sig), "%s/%ld.txt.sig", path, next->seq) != 0 ||
	    file_part_path(sig, tmp, sizeof(tmp)) != 0) {
		free(r);
		return RIG_ERR_INVALID;
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot create", path);
	/* The page first: the record covers the page that shows it. */
	if (!rc)
		rc = signature_page_write(path, r, n + 1, next->page_html, next->page_pdf);
	len = approval_text(next, text, sizeof(text));
	if (!rc && (rc = key_sign_to_file(k, text, len, tmp, "verify with the signer's public "
					  "key")) == 0)
		rc = file_replace_finish(sig);
	/* The record last: until it is there, the chain is the old one. */
	snprintf(sig + strlen(sig) - 4, 5, "%s", "");
	if (!rc)
		rc = file_replace_write(sig, text, len);
	if (!rc)
		rc = file_sync_dir(path);
	if (!rc) {
		*records = next->seq;
		sha256_hex(text, len, head);
	}
	free(r);
	return rc;
}
