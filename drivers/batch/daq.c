/*
 * The "batch" DAQ backend: a socket's view of a board the batch's
 * acquisition process owns (drivers/batch_daq.h). It publishes the
 * socket's channel group as the board gives it, as the comedi backend
 * would for a board of its own: raw codes, the channels' polynomials from
 * the board's calibration, lost data as an error, never data.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "drivers/backends.h"
#include "drivers/batch_daq.h"
#include "drivers/context.h"
#include "rig/base/error.h"

/* A DATA message that came while waiting for a reply: kept for read. */
struct pending {
	struct pending *next;
	size_t len;
	uint8_t msg[];
};

struct bdaq {
	struct daq base;
	int fd;
	int running;
	uint8_t *msg;              /* the message being handled */
	uint16_t *codes;           /* the block handed out */
	struct pending *queue, **tail;
};

static int gone(void)
{
	return rig_error(RIG_ERR_DEVICE, "the batch's acquisition process (it owns the shared "
			 "DAQ board) ended: this socket's DAQ is gone");
}

/* The next message into d->msg within timeout_ms (-1: no limit): its
 * length, or a negative RIG_ERR_* (RIG_ERR_TIMEOUT without a message). */
static long receive(struct bdaq *d, int timeout_ms)
{
	struct pollfd p = { .fd = d->fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return rig_error_errno(RIG_ERR_IO, "batch DAQ: waiting for the acquisition process");
		if (r == 0)
			return RIG_ERR_TIMEOUT;
		n = recv(d->fd, d->msg, BDAQ_MSG_MAX, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n < sizeof(struct bdaq_head))
			return gone();
		return (long)n;
	}
}

static void drop_queue(struct bdaq *d)
{
	while (d->queue) {
		struct pending *p = d->queue;

		d->queue = p->next;
		free(p);
	}
	d->tail = &d->queue;
}

/* The acquisition process answers between blocks of the board: a reply
 * that takes longer means it is stuck, and the socket's run must not be. */
#define REPLY_TIMEOUT_MS 10000

/* Send a request and wait for its reply; stream messages that come first
 * are kept for read (keep) or dropped. The reply stays in d->msg. */
static int request(struct bdaq *d, uint32_t type, int32_t arg, double rate_hz, int keep)
{
	struct bdaq_head h = { .type = type, .arg = arg, .rate_hz = rate_hz };

	if (send(d->fd, &h, sizeof(h), MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return errno == EPIPE || errno == ECONNRESET ? gone()
			: rig_error_errno(RIG_ERR_IO, "batch DAQ: request to the acquisition process");
	for (;;) {
		long n = receive(d, REPLY_TIMEOUT_MS);
		struct bdaq_head *r = (struct bdaq_head *)d->msg;

		if (n == RIG_ERR_TIMEOUT)
			return rig_error(RIG_ERR_TIMEOUT, "the batch's acquisition process (it owns "
					 "the shared DAQ board) did not answer within %d s",
					 REPLY_TIMEOUT_MS / 1000);
		if (n < 0)
			return (int)n;
		if (r->type == BDAQ_REPLY) {
			if (r->rc)
				return rig_error(r->rc, "%.*s", (int)((size_t)n - sizeof(*r)),
						 (const char *)(r + 1));
			return 0;
		}
		if (keep) {
			struct pending *p = malloc(sizeof(*p) + (size_t)n);

			if (!p)
				return rig_error(RIG_ERR_NOMEM, "batch DAQ: out of memory");
			p->next = NULL;
			p->len = (size_t)n;
			memcpy(p->msg, d->msg, (size_t)n);
			*d->tail = p;
			d->tail = &p->next;
		}
	}
}

static void bdaq_close(struct daq *daq)
{
	struct bdaq *d = (struct bdaq *)daq;

	if (!d)
		return;
	/* Closing is enough: the acquisition process releases this socket's
	 * trigger line and stops sending as soon as it sees the end. */
	if (d->fd >= 0)
		close(d->fd);
	drop_queue(d);
	free(d->msg);
	free(d->codes);
	free(d);
}

static int bdaq_open(struct daq **out, const struct fixture_daq *cfg, struct driver_context *ctx)
{
	const char *env = getenv(BDAQ_ENV_FD);
	struct bdaq *d = calloc(1, sizeof(*d));
	struct bdaq_opened *o;
	char *end = NULL;
	long fd = env ? strtol(env, &end, 10) : -1;
	int rc;

	(void)ctx;
	if (!d)
		return rig_error(RIG_ERR_NOMEM, "batch DAQ: out of memory");
	d->base.ops = &batch_daq_ops;
	d->fd = -1;
	d->tail = &d->queue;
	if (!env || !*env || *end || fd < 0 || fd > 65535) {
		free(d);
		return rig_error(RIG_ERR_INVALID, "batch DAQ: $%s does not name the acquisition "
				 "process's socket (only a batch starts this backend)", BDAQ_ENV_FD);
	}
	d->fd = (int)fd;
	d->msg = malloc(BDAQ_MSG_MAX);
	d->codes = malloc(BDAQ_DATA_MAX);
	if (!d->msg || !d->codes) {
		bdaq_close(&d->base);
		return rig_error(RIG_ERR_NOMEM, "batch DAQ: out of memory");
	}
	if ((rc = request(d, BDAQ_OPEN, 0, 0, 0)) != 0) {
		bdaq_close(&d->base);
		return rc;
	}
	o = (struct bdaq_opened *)((struct bdaq_head *)d->msg + 1);
	if (o->nchannels != cfg->nchannels) {
		bdaq_close(&d->base);
		return rig_error(RIG_ERR_DEVICE, "batch DAQ: the acquisition process serves %u "
				 "channels, the socket has %zu", o->nchannels, cfg->nchannels);
	}
	d->base.nchannels = o->nchannels;
	memcpy(d->base.channels, o->channels, sizeof(o->channels));
	memcpy(d->base.board, o->board, sizeof(d->base.board));
	memcpy(d->base.driver_name, o->driver_name, sizeof(d->base.driver_name));
	*out = &d->base;
	return 0;
}

static int bdaq_start(struct daq *daq, double rate_hz)
{
	struct bdaq *d = (struct bdaq *)daq;
	struct bdaq_head *r = (struct bdaq_head *)d->msg;
	int rc;

	if (d->running)
		return rig_error(RIG_ERR_INVALID, "batch DAQ: start while acquiring");
	drop_queue(d);
	if ((rc = request(d, BDAQ_START, 0, rate_hz, 0)) != 0)
		return rc;
	daq->rate_hz = r->rate_hz;
	daq->t0_s = r->t0_s;
	d->running = 1;
	return 0;
}

static int bdaq_read(struct daq *daq, struct daq_block *blk, unsigned timeout_ms)
{
	struct bdaq *d = (struct bdaq *)daq;
	struct bdaq_head *h = (struct bdaq_head *)d->msg;
	long n;

	if (!d->running)
		return rig_error(RIG_ERR_INVALID, "batch DAQ: read without start");
	if (d->queue) {
		struct pending *p = d->queue;

		memcpy(d->msg, p->msg, p->len);
		n = (long)p->len;
		if (!(d->queue = p->next))
			d->tail = &d->queue;
		free(p);
	} else if ((n = receive(d, timeout_ms > 0x7fffffffu ? -1 : (int)timeout_ms)) < 0) {
		if (n == RIG_ERR_TIMEOUT)
			return rig_error(RIG_ERR_TIMEOUT, "batch DAQ: no scan from %s for %u ms (the "
					 "acquisition process is stalled)", daq->board, timeout_ms);
		return (int)n;
	}
	if (h->type == BDAQ_FAULT) {
		d->running = 0;
		return rig_error(h->rc ? h->rc : RIG_ERR_DEVICE, "%.*s",
				 (int)((size_t)n - sizeof(*h)), (const char *)(h + 1));
	}
	if (h->type != BDAQ_DATA || !h->nscans ||
	    (size_t)n != sizeof(*h) + (size_t)h->nscans * daq->nchannels * sizeof(uint16_t))
		return rig_error(RIG_ERR_DEVICE, "batch DAQ: a malformed message (type %u, %ld "
				 "bytes) from the acquisition process", h->type, n);
	memcpy(d->codes, h + 1, (size_t)n - sizeof(*h));
	blk->codes = d->codes;
	blk->nscans = h->nscans;
	blk->first_scan = h->first_scan;
	return 0;
}

static int bdaq_stop(struct daq *daq)
{
	struct bdaq *d = (struct bdaq *)daq;
	int rc;

	if (!d->running)
		return 0;
	d->running = 0;
	rc = request(d, BDAQ_STOP, 0, 0, 0);
	drop_queue(d);
	return rc;
}

static int bdaq_trigger(struct daq *daq, int pressed)
{
	struct bdaq *d = (struct bdaq *)daq;

	/* Scans that come before the reply belong to the running capture. */
	return request(d, BDAQ_TRIGGER, pressed ? 1 : 0, 0, d->running);
}

const struct daq_ops batch_daq_ops = {
	.name = "batch",
	.open = bdaq_open,
	.close = bdaq_close,
	.start = bdaq_start,
	.read = bdaq_read,
	.stop = bdaq_stop,
	.trigger = bdaq_trigger,
};
