/* A run's journal as Server-Sent Events (sse.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/serve/runs.h"
#include "rig/serve/sse.h"

#define POLL_NS (150 * 1000 * 1000)
#define KEEPALIVE_S 10
#define LINE_MAX_BYTES (4u << 20)

struct stream {
	const struct serve_config *cfg;
	char id[64];
	char path[8192];
	int fd;
	off_t offset;              /* in the journal: the next whole line */
	unsigned long long line;   /* lines read so far */
	unsigned long long skip;   /* lines the client has (Last-Event-ID) */
	char *out;                 /* formatted events not yet sent */
	size_t out_len, out_pos, out_cap;
	int finished;              /* "end" event queued: close after it */
	time_t last_send;
};

static int append(struct stream *s, const char *data, size_t len)
{
	if (s->out_len + len > s->out_cap) {
		size_t cap = (s->out_len + len) * 2;
		char *p = realloc(s->out, cap);

		if (!p)
			return -1;
		s->out = p;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
	return 0;
}

/* Read what the journal gained: each whole new line becomes an event. */
static int pump(struct stream *s)
{
	char buf[65536];
	char *pending = NULL;
	size_t plen = 0;
	int got = 0;

	if (s->fd < 0 && (s->fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	for (;;) {
		ssize_t n = pread(s->fd, buf, sizeof(buf), s->offset + (off_t)plen);
		char *p, *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (plen + (size_t)n > LINE_MAX_BYTES)
			break;  /* a line this long is no journal line: wait for its end no more */
		if (!(p = realloc(pending, plen + (size_t)n)))
			break;
		pending = p;
		memcpy(pending + plen, buf, (size_t)n);
		plen += (size_t)n;
		start = pending;
		while ((nl = memchr(start, '\n', plen - (size_t)(start - pending)))) {
			char head[64];

			s->line++;
			if (s->line > s->skip) {
				int h = snprintf(head, sizeof(head), "id: %llu\ndata: ", s->line);

				if (append(s, head, (size_t)h) || append(s, start, (size_t)(nl - start)) ||
				    append(s, "\n\n", 2))
					break;
				got = 1;
			}
			start = nl + 1;
		}
		/* keep the partial last line for the next read */
		s->offset += start - pending;
		memmove(pending, start, plen - (size_t)(start - pending));
		plen -= (size_t)(start - pending);
	}
	free(pending);
	return got;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	time_t start = time(NULL);
	const struct timespec poll = { 0, POLL_NS };

	(void)pos;
	for (;;) {
		if (s->out_pos < s->out_len) {
			size_t n = s->out_len - s->out_pos < max ? s->out_len - s->out_pos : max;

			memcpy(buf, s->out + s->out_pos, n);
			s->out_pos += n;
			if (s->out_pos == s->out_len)
				s->out_pos = s->out_len = 0;
			s->last_send = time(NULL);
			return (ssize_t)n;
		}
		if (s->finished)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (pump(s))
			continue;
		if (!runs_alive(s->cfg, s->id)) {
			/* the process may have written its last lines since */
			if (pump(s))
				continue;
			append(s, "event: end\ndata: {}\n\n", 21);
			s->finished = 1;
			continue;
		}
		if (time(NULL) - s->last_send >= KEEPALIVE_S) {
			append(s, ": keepalive\n\n", 13);
			continue;
		}
		nanosleep(&poll, NULL);
		if (time(NULL) - start > 1)
			return 0;  /* let the server check its connection now and then */
	}
}

static void release(void *cls)
{
	struct stream *s = cls;

	if (s->fd >= 0)
		close(s->fd);
	free(s->out);
	free(s);
}

struct MHD_Response *sse_response(const struct serve_config *cfg, const char *id,
				  unsigned long long last_id)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *r;

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->fd = -1;
	s->skip = last_id;
	s->last_send = time(NULL);
	snprintf(s->id, sizeof(s->id), "%s", id);
	if (runs_journal_path(cfg, id, s->path, sizeof(s->path)) != 0) {
		release(s);
		return NULL;
	}
	/* "retry" makes a dropped browser reconnect soon, with Last-Event-ID */
	append(s, "retry: 1000\n\n", 13);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, reader, s, release);
	if (!r) {
		release(s);
		return NULL;
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	return r;
}
