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

#endif
