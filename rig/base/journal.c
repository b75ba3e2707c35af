#include "rig/base/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"
#include "rig/base/timefmt.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Hold the journal for this process; released by close or death. */
static int lock(struct journal *j, int *busy)
{
	if (flock(j->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (busy)
		*busy = errno == EWOULDBLOCK;
	return rig_error_errno(RIG_ERR_IO, "%s: cannot lock the journal%s", j->path,
			       errno == EWOULDBLOCK ? " (a running rig holds it)" : "");
}

int journal_create(struct journal *j, const char *path)
{
	char fresh[4200];
	int rc;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if ((rc = path_format(j->path, sizeof(j->path), "%s", path)) != 0)
		return rc;
	memcpy(j->prev, ZERO_HASH, 65);
	/* Created under a private name, locked, then linked into place: a rig
	 * recovering neighbouring runs must never find this journal unlocked
	 * and close a live run as ABORTED. */
	if ((rc = path_format(fresh, sizeof(fresh), "%s.%ld", path, (long)getpid())) != 0)
		return rc;
	j->fd = open(fresh, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (j->fd < 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create journal", path);
	rc = lock(j, NULL);
	if (!rc && link(fresh, path) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot create journal", path);
	unlink(fresh);
	if (rc) {
		close(j->fd);
		j->fd = -1;
		return RIG_ERR_IO;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends are serialised: the watchdog (rig/watchdog.c) may close a run's
 * journal from its own thread. */
static pthread_mutex_t appending = PTHREAD_MUTEX_INITIALIZER;

static int append_locked(struct journal *j, const char *event, json_t *fields)
{
	json_t *line = json_object();
	char now[32], *text;
	size_t len;
	off_t end;
	int rc = 0;

	if (j->fd < 0) {
		json_decref(fields);
		return rig_error(RIG_ERR_IO, "%s: journal is closed", j->path);
	}
	/* json_pack gives NULL for a text that is not UTF-8: an event never
	 * goes in without its fields (rig/utf8.h says where text is checked). */
	if (!fields)
		return rig_error(RIG_ERR_INVALID, "%s: event %s could not be encoded (a text in "
				 "it is not valid UTF-8?)", j->path, event);
	time_format_iso(time(NULL), now, sizeof(now));
	json_object_set_new(line, "seq", json_integer((json_int_t)j->seq));
	json_object_set_new(line, "time", json_string(now));
	json_object_set_new(line, "event", json_string(event));
	if (fields)
		json_object_update(line, fields);
	json_object_set_new(line, "prev", json_string(j->prev));
	json_decref(fields);
	text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
	json_decref(line);
	if (!text)
		return rig_error(RIG_ERR_NOMEM, "%s: cannot encode event %s", j->path, event);
	len = strlen(text);
	text[len] = '\n';
	end = lseek(j->fd, 0, SEEK_END);
	if (write_all(j->fd, text, len + 1) != 0 || fdatasync(j->fd) != 0) {
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot append event %s", j->path, event);
		/* A full disk must not leave half a line: the journal stays whole
		 * up to its last event, and rig recover closes it there. */
		if (end >= 0 && ftruncate(j->fd, end) == 0)
			fdatasync(j->fd);
	} else {
		sha256_hex(text, len, j->prev);
		j->seq++;
	}
	free(text);
	return rc;
}

int journal_append(struct journal *j, const char *event, json_t *fields)
{
	int rc;

	pthread_mutex_lock(&appending);
	rc = append_locked(j, event, fields);
	pthread_mutex_unlock(&appending);
	return rc;
}

int journal_append_final(struct journal *j, const char *event, json_t *fields)
{
	struct timespec until;

	/* A writer stuck in a dying disk's fsync must not hold the process up. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	if (pthread_mutex_timedlock(&appending, &until) != 0) {
		json_decref(fields);
		return rig_error(RIG_ERR_IO, "%s: journal busy", j->path);
	}
	return append_locked(j, event, fields);
}

int journal_close(struct journal *j)
{
	int rc = 0;

	if (j->fd >= 0 && close(j->fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: close failed", j->path);
	j->fd = -1;
	return rc;
}

/* Why line (len bytes, no newline) does not continue the chain, or NULL. */
static const char *chain_problem(const char *text, size_t len, uint64_t seq, const char *prev,
				 json_t **out)
{
	json_t *line = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *s = json_object_get(line, "seq"), *p = json_object_get(line, "prev");

	*out = NULL;
	if (!json_is_object(line)) {
		json_decref(line);
		return "not a JSON object";
	}
	if (!json_is_integer(s) || (uint64_t)json_integer_value(s) != seq ||
	    json_integer_value(s) < 0) {
		json_decref(line);
		return "out of sequence (a line was removed, added or moved)";
	}
	if (!json_is_string(p) || strcmp(json_string_value(p), prev)) {
		json_decref(line);
		return "hash chain broken (this or the line before was changed)";
	}
	if (!json_is_string(json_object_get(line, "event"))) {
		json_decref(line);
		return "no \"event\"";
	}
	*out = line;
	return NULL;
}

int journal_scan(const char *path, int tolerate_torn, journal_line_fn fn, void *ctx,
		 struct journal_scan *st)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	memcpy(st->last, ZERO_HASH, 65);
	if (!f)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open journal", path);
	while (!rc && (n = getline(&buf, &cap, f)) > 0) {
		int terminated = buf[n - 1] == '\n';
		size_t len = (size_t)n - (size_t)terminated;
		const char *why = terminated ? NULL : "last line is cut short";
		json_t *line = NULL;

		if (!why)
			why = chain_problem(buf, len, st->lines, st->last, &line);
		if (why) {
			int last = !terminated || fgetc(f) == EOF;

			if (tolerate_torn && last) {
				st->torn_bytes = n;
				break;
			}
			rc = rig_error(RIG_ERR_INVALID, "%s:%llu: %s", path,
				       (unsigned long long)st->lines + 1, why);
			break;
		}
		sha256_hex(buf, len, st->last);
		st->lines++;
		st->good_bytes += n;
		if (fn)
			rc = fn(ctx, line, st->lines);
		json_decref(line);
	}
	if (!rc && ferror(f))
		rc = rig_error_errno(RIG_ERR_IO, "%s: read failed", path);
	free(buf);
	fclose(f);
	return rc;
}

/* Keep the torn bytes in PATH.torn, then cut them off the journal. */
static int cut_torn_tail(struct journal *j, const struct journal_scan *st)
{
	char torn_path[4200], *tail = malloc((size_t)st->torn_bytes);
	int fd, rc = 0;

	if (!tail)
		return rig_error(RIG_ERR_NOMEM, "%s: torn line too large", j->path);
	if ((rc = path_format(torn_path, sizeof(torn_path), "%s.torn", j->path)) != 0) {
		free(tail);
		return rc;
	}
	if (pread(j->fd, tail, (size_t)st->torn_bytes, st->good_bytes) != st->torn_bytes) {
		free(tail);
		return rig_error_errno(RIG_ERR_IO, "%s: cannot read the torn last line", j->path);
	}
	fd = open(torn_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write_all(fd, tail, (size_t)st->torn_bytes) != 0 || fsync(fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot keep the torn last line", torn_path);
	if (fd >= 0)
		close(fd);
	free(tail);
	if (!rc && (ftruncate(j->fd, st->good_bytes) != 0 || fsync(j->fd) != 0))
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot cut the torn last line", j->path);
	return rc;
}

int journal_resume(struct journal *j, const char *path, journal_line_fn fn, void *ctx,
		   struct journal_scan *st)
{
	int busy = 0, rc;

	memset(j, 0, sizeof(*j));
	memset(st, 0, sizeof(*st));
	j->fd = -1;
	if ((rc = path_format(j->path, sizeof(j->path), "%s", path)) != 0)
		return rc;
	j->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (j->fd < 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open journal", path);
	rc = lock(j, &busy);
	if (!rc)
		rc = journal_scan(path, 1, fn, ctx, st);
	if (!rc && st->torn_bytes)
		rc = cut_torn_tail(j, st);
	st->busy = busy;
	if (rc) {
		journal_close(j);
		return rc;
	}
	memcpy(j->prev, st->last, 65);
	j->seq = st->lines;
	return 0;
}
