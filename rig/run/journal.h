#ifndef RIG_JOURNAL_H
#define RIG_JOURNAL_H

/*
 * The run journal (journal.jsonl in the run directory): append-only, one
 * JSON object per line, written and fsync'd before the run goes on, so a
 * run killed at any instant keeps everything journaled. Each line carries
 * "seq" (0, 1, ...), "time" (UTC), "event", the event's fields, and "prev":
 * the SHA-256 (hex) of the previous line's bytes without its newline (64
 * zeros for the first line), so deleting, changing or reordering lines
 * breaks the chain.
 *
 * The process writing a journal holds an exclusive flock(2) on it until it
 * closes (or dies): that is how recovery tells a live run from a dead one.
 */
#include <jansson.h>
#include <stdint.h>

struct journal {
	int fd;
	char path[4096];
	char prev[65];     /* hash of the last line written */
	uint64_t seq;
};

int journal_create(struct journal *j, const char *path);

/* Append event with the fields of obj (which is consumed). */
int journal_append(struct journal *j, const char *event, json_t *fields);

int journal_close(struct journal *j);

/* What reading a journal found. */
struct journal_scan {
	uint64_t lines;        /* complete lines whose chain holds */
	char last[65];         /* hash of the last of them (64 zeros: none) */
	long long good_bytes;  /* length of the file up to and with that line */
	long long torn_bytes;  /* bytes after it: a last line cut short or unreadable */
	int busy;              /* journal_resume: a live process holds the journal */
};

/* Called with each good line (borrowed) and its 1-based line number. */
typedef int (*journal_line_fn)(void *ctx, json_t *line, uint64_t lineno);

/*
 * Read a journal, checking the chain. Returns 0, an error from fn, or
 * RIG_ERR_INVALID "path:LINE: what" at the first line that breaks it.
 * With tolerate_torn, a broken *last* line is not an error but a write the
 * writer did not finish (st->torn_bytes): fn is not called for it.
 */
int journal_scan(const char *path, int tolerate_torn, journal_line_fn fn, void *ctx,
		 struct journal_scan *st);

/*
 * Reopen the journal of an interrupted run to close it: take the lock
 * (st->busy and an error when a live process holds it), check the chain,
 * move a torn last line to PATH.torn (kept as evidence) and go on
 * appending after the last good line. fn sees every good line, as in
 * journal_scan.
 */
int journal_resume(struct journal *j, const char *path, journal_line_fn fn, void *ctx,
		   struct journal_scan *st);

#endif
