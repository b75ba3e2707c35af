/*
 * One acquisition process for a board the sockets of a batch share
 * (rig/run/acquire.h). The board runs while any socket acquires: the first
 * start starts one command with every group's channels, each start after
 * it joins the running command at its next scan, and the last stop cancels
 * it. Scans are read once and split by socket; a socket that does not take
 * its data in time is overrun alone, as a board of its own would be.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "drivers/backends.h"
#include "drivers/batch_daq.h"
#include "drivers/context.h"
#include "rig/base/error.h"
#include "rig/run/acquire.h"

/* A socket that leaves its data this long untaken is overrun. */
#define SEND_TIMEOUT_MS 500
#define READ_TIMEOUT_MS 2000
/* Requests are taken between the board's blocks, so a socket's trigger
 * release (a SAFE-DEPTH stop's included) waits for the block being read:
 * blocks of at most this long keep that wait within the 5 ms a board of
 * the socket's own takes to notice new data (drivers/comedi/stream.c). */
#define REQUEST_WAIT_S 0.005

struct client {
	int fd;               /* -1: gone */
	const char *name;
	size_t first, n;      /* its channels in the board's scan */
	int trigger_line;
	int pressed;
	int subscribed;
	uint64_t start_scan;  /* board scan its scan 0 is */
};

struct hub {
	struct fixture_daq cfg;  /* the board's: every group's channels */
	struct driver_context ctx;
	struct daq *daq;
	int open_rc;
	char open_error[BDAQ_TEXT_MAX];
	int running;
	uint64_t next_scan;      /* board scans delivered since the command started */
	struct client c[FIXTURE_MAX_SOCKETS];
	size_t n;
	uint8_t *msg;
};

static int group_of(const struct fixture *fx, size_t i, const struct fixture_socket **so)
{
	*so = &fx->sockets[i];
	return (*so)->nchannels ? 0 : -1;
}

int acquire_shared(const struct fixture *fx)
{
	size_t total = 0;

	if (!fx->nsockets || strcmp(fx->daq.driver, "comedi") != 0)
		return 0;
	for (size_t i = 0; i < fx->nsockets; i++) {
		const struct fixture_socket *so;

		if (group_of(fx, i, &so) != 0)
			return rig_error(RIG_ERR_INVALID,
					 "%s: socket %s: sockets on one Comedi board need channel "
					 "groups of their own (sockets[%zu].channels)",
					 fx->path, so->name, i + 1);
		if (so->trigger_line < 0)
			return rig_error(RIG_ERR_INVALID,
					 "%s: socket %s: sockets on one Comedi board need trigger "
					 "lines of their own (sockets[%zu].trigger_line)",
					 fx->path, so->name, i + 1);
		total += so->nchannels;
		for (size_t j = 0; j < i; j++) {
			const struct fixture_socket *o = &fx->sockets[j];

			if (o->trigger_line == so->trigger_line)
				return rig_error(RIG_ERR_INVALID,
						 "%s: sockets %s and %s both use trigger line %d",
						 fx->path, o->name, so->name, so->trigger_line);
			for (size_t a = 0; a < so->nchannels; a++)
				for (size_t b = 0; b < o->nchannels; b++)
					if (so->channels[a].number == o->channels[b].number)
						return rig_error(RIG_ERR_INVALID,
								 "%s:%d: sockets %s and %s both "
								 "use AI %d",
								 fx->path, so->channels[a].line,
								 o->name, so->name,
								 so->channels[a].number);
		}
	}
	if (total > FIXTURE_MAX_CHANNELS)
		return rig_error(RIG_ERR_INVALID,
				 "%s: the sockets' channel groups have %zu channels in all; one "
				 "board's command scans at most %d",
				 fx->path, total, FIXTURE_MAX_CHANNELS);
	return 1;
}

/* Send a message; 0, or -1 when the socket is gone or does not take it
 * within SEND_TIMEOUT_MS. */
static int put(struct client *c, const struct bdaq_head *h, const void *payload, size_t len)
{
	struct iovec iov[2] = { { (void *)h, sizeof(*h) }, { (void *)payload, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = payload ? 2 : 1 };

	if (c->fd < 0)
		return -1;
	return sendmsg(c->fd, &m, MSG_NOSIGNAL) == (ssize_t)(sizeof(*h) + len) ? 0 : -1;
}

/* Every request has its reply (put's failure is the socket's end, seen
 * at its next request). */
static int reply(struct client *c, int rc, const char *text)
{
	struct bdaq_head h = { .type = BDAQ_REPLY, .rc = rc };

	put(c, &h, rc ? text : NULL, rc ? strlen(text) : 0);
	return 0;
}

static void stop_board(struct hub *hub)
{
	if (hub->running)
		hub->daq->ops->stop(hub->daq);
	hub->running = 0;
}

static void unsubscribe(struct hub *hub, struct client *c)
{
	int any = 0;

	c->subscribed = 0;
	for (size_t i = 0; i < hub->n; i++)
		any |= hub->c[i].subscribed;
	if (!any)
		stop_board(hub);
}

static int drive(struct hub *hub, struct client *c, int pressed)
{
	int rc;

	/* The board's trigger output is the line of the socket asking. */
	hub->cfg.trigger_line = c->trigger_line;
	rc = hub->daq->ops->trigger(hub->daq, pressed);
	if (!rc)
		c->pressed = pressed;
	return rc;
}

/* The socket ended, or failed to take its data: whatever it left, its
 * unit must not go on firing. */
static int drop(struct hub *hub, struct client *c)
{
	if (c->pressed && hub->daq)
		drive(hub, c, 0);
	if (c->subscribed)
		unsubscribe(hub, c);
	close(c->fd);
	c->fd = -1;
	return 0;
}

static int opened(struct hub *hub, struct client *c)
{
	struct bdaq_head h = { .type = BDAQ_REPLY };
	struct bdaq_opened o;

	if (hub->open_rc)
		return reply(c, hub->open_rc, hub->open_error);
	memset(&o, 0, sizeof(o));
	o.nchannels = (uint32_t)c->n;
	memcpy(o.channels, &hub->daq->channels[c->first], c->n * sizeof(o.channels[0]));
	memcpy(o.board, hub->daq->board, sizeof(o.board));
	memcpy(o.driver_name, hub->daq->driver_name, sizeof(o.driver_name));
	put(c, &h, &o, sizeof(o));
	return 0;
}

static int start(struct hub *hub, struct client *c, double rate_hz)
{
	struct bdaq_head h = { .type = BDAQ_REPLY };
	int rc;

	if (!hub->daq)
		return reply(c, RIG_ERR_INVALID, "batch DAQ: start before open");
	if (c->subscribed)
		return reply(c, RIG_ERR_INVALID, "batch DAQ: start while acquiring");
	/* The command's rate is the station's: a socket cannot have another. */
	if (fabs(rate_hz - hub->cfg.rate_hz) > 1e-9 * hub->cfg.rate_hz) {
		char text[BDAQ_TEXT_MAX];

		snprintf(text, sizeof(text), "%.900s: a socket of a shared board acquires at the "
			 "station's daq.rate_hz %g, not %g", hub->ctx.fx->path, hub->cfg.rate_hz,
			 rate_hz);
		return reply(c, RIG_ERR_INVALID, text);
	}
	if (!hub->running) {
		if ((rc = hub->daq->ops->start(hub->daq, hub->cfg.rate_hz)) != 0)
			return reply(c, rc, rig_last_error());
		hub->running = 1;
		hub->next_scan = 0;
	}
	c->subscribed = 1;
	c->start_scan = hub->next_scan;
	h.rate_hz = hub->daq->rate_hz;
	h.t0_s = hub->daq->t0_s + (double)c->start_scan / hub->daq->rate_hz;
	put(c, &h, NULL, 0);
	return 0;
}

/* A request from c, or its end. */
static int serve(struct hub *hub, struct client *c)
{
	struct bdaq_head *h = (struct bdaq_head *)hub->msg;
	ssize_t n = recv(c->fd, hub->msg, BDAQ_MSG_MAX, MSG_DONTWAIT);
	int rc;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < (ssize_t)sizeof(*h))
		return drop(hub, c);
	switch (h->type) {
	case BDAQ_OPEN:
		return opened(hub, c);
	case BDAQ_START:
		return start(hub, c, h->rate_hz);
	case BDAQ_STOP:
		if (c->subscribed)
			unsubscribe(hub, c);
		return reply(c, 0, NULL);
	case BDAQ_TRIGGER:
		if (!hub->daq)
			return reply(c, RIG_ERR_INVALID, "batch DAQ: trigger before open");
		rc = drive(hub, c, h->arg != 0);
		return reply(c, rc, rc ? rig_last_error() : NULL);
	default:
		return drop(hub, c);
	}
}

/* The board failed: every socket acquiring is told why; its stream ends. */
static void fault(struct hub *hub, int rc)
{
	char text[BDAQ_TEXT_MAX];
	struct bdaq_head h = { .type = BDAQ_FAULT, .rc = rc };

	snprintf(text, sizeof(text), "%s", rig_last_error());
	for (size_t i = 0; i < hub->n; i++)
		if (hub->c[i].subscribed) {
			hub->c[i].subscribed = 0;
			put(&hub->c[i], &h, text, strlen(text));
		}
	stop_board(hub);
}

/* One block of the board, split: each socket acquiring gets the scans
 * from its start on, its own channels only. */
static void split(struct hub *hub, const struct daq_block *blk)
{
	size_t width = hub->daq->nchannels;
	uint16_t *codes = (uint16_t *)(hub->msg + sizeof(struct bdaq_head));

	for (size_t i = 0; i < hub->n; i++) {
		struct client *c = &hub->c[i];
		size_t from = 0, per = BDAQ_DATA_MAX / (c->n * sizeof(uint16_t));

		if (!c->subscribed)
			continue;
		if (blk->first_scan < c->start_scan)
			from = (size_t)(c->start_scan - blk->first_scan);
		while (from < blk->nscans) {
			size_t k = blk->nscans - from < per ? blk->nscans - from : per;
			struct bdaq_head h = { .type = BDAQ_DATA, .nscans = (uint32_t)k,
					       .first_scan = blk->first_scan + from - c->start_scan };

			for (size_t s = 0; s < k; s++)
				memcpy(codes + s * c->n, blk->codes + (from + s) * width + c->first,
				       c->n * sizeof(uint16_t));
			if (put(c, &h, codes, k * c->n * sizeof(uint16_t)) != 0) {
				/* Too slow or gone: this socket alone loses its stream. */
				struct bdaq_head f = { .type = BDAQ_FAULT, .rc = RIG_ERR_OVERRUN };
				char text[200];

				snprintf(text, sizeof(text), "batch DAQ: socket %s did not take its scans "
					 "within %d ms: samples lost after scan %llu", c->name,
					 SEND_TIMEOUT_MS, (unsigned long long)h.first_scan);
				put(c, &f, text, strlen(text));
				unsubscribe(hub, c);
				break;
			}
			from += k;
		}
	}
}

static void open_board(struct hub *hub, const struct fixture *fx)
{
	const struct daq_ops *ops = daq_backend(fx->daq.driver);

	hub->open_rc = ops ? ops->open(&hub->daq, &hub->cfg, &hub->ctx)
			   : rig_error(RIG_ERR_INVALID, "%s: DAQ driver \"%s\" is not built into "
				       "this rig", fx->path, fx->daq.driver);
	if (hub->open_rc) {
		hub->daq = NULL;
		snprintf(hub->open_error, sizeof(hub->open_error), "%s", rig_last_error());
		fprintf(stderr, "rig: %s\n", hub->open_error);
	}
}

int acquire_serve(const struct fixture *fx, const int *fds, size_t n)
{
	static struct hub hub;
	struct timeval tv = { SEND_TIMEOUT_MS / 1000, (SEND_TIMEOUT_MS % 1000) * 1000 };
	size_t left = n;
	int status;

	memset(&hub, 0, sizeof(hub));
	hub.cfg = fx->daq;
	hub.cfg.nchannels = 0;
	hub.ctx.fx = fx;
	hub.n = n;
	hub.msg = malloc(BDAQ_MSG_MAX);
	if (!hub.msg)
		return 2;
	for (size_t i = 0; i < n; i++) {
		const struct fixture_socket *so = &fx->sockets[i];
		struct client *c = &hub.c[i];

		c->fd = fds[i];
		c->name = so->name;
		c->first = hub.cfg.nchannels;
		c->n = so->nchannels;
		c->trigger_line = so->trigger_line;
		memcpy(&hub.cfg.channels[hub.cfg.nchannels], so->channels,
		       so->nchannels * sizeof(so->channels[0]));
		hub.cfg.nchannels += so->nchannels;
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	hub.cfg.trigger_line = hub.c[0].trigger_line;
	{
		double most = floor(hub.cfg.rate_hz * REQUEST_WAIT_S);

		if (most < 1)
			most = 1;
		if (hub.cfg.block_scans > most)
			hub.cfg.block_scans = (unsigned)most;
	}
	open_board(&hub, fx);
	while (left) {
		struct pollfd p[FIXTURE_MAX_SOCKETS];

		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = hub.c[i].fd, .events = POLLIN };
		/* Acquiring, requests are taken between blocks; else wait. */
		if (poll(p, (nfds_t)n, hub.running ? 0 : -1) > 0)
			for (size_t i = 0; i < n; i++)
				if (p[i].revents && hub.c[i].fd >= 0)
					serve(&hub, &hub.c[i]);
		if (hub.running) {
			struct daq_block blk;
			int rc = hub.daq->ops->read(hub.daq, &blk, READ_TIMEOUT_MS);

			if (rc) {
				fault(&hub, rc);
			} else {
				split(&hub, &blk);
				hub.next_scan = blk.first_scan + blk.nscans;
			}
		}
		left = 0;
		for (size_t i = 0; i < n; i++)
			left += hub.c[i].fd >= 0;
	}
	status = hub.open_rc ? 2 : 0;
	if (hub.daq)
		hub.daq->ops->close(hub.daq);
	driver_context_release(&hub.ctx);
	free(hub.msg);
	return status;
}
