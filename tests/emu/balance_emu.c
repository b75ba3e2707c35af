#include "tests/emu/balance_emu.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Decimals the display shows at this readability (0.01 mg: 5). */
static int decimals(double readability_g)
{
	int d = (int)ceil(-log10(readability_g) - 1e-9);

	return d < 0 ? 0 : d;
}

static void weight_line(const struct balance_emu *e, char *out, size_t n, const char *id,
			char status, double g)
{
	snprintf(out, n, "%s %c %10.*f g", id, status, decimals(e->readability_g), g);
}

/* The reply of a balance that weighs from a scale backend (hybrid bench). */
static void from_source(struct balance_emu *e, struct scale *sc, const char *cmd, char *out,
			size_t n)
{
	struct scale_reading r;

	if (!strcmp(cmd, "Z") || !strcmp(cmd, "T")) {
		int rc = !strcmp(cmd, "Z") ? sc->ops->zero(sc) : sc->ops->tare(sc);

		/* The sim balance weighs net of the vessel: its tare weight is not
		 * known, and the driver does not use it. */
		if (rc)
			snprintf(out, n, "%.2s I", cmd);
		else if (!strcmp(cmd, "Z"))
			snprintf(out, n, "Z A");
		else
			weight_line(e, out, n, "T", 'S', 0);
		return;
	}
	if (sc->ops->weigh_now(sc, &r) != 0)
		snprintf(out, n, "S I");
	else if (!r.stable && !strcmp(cmd, "S"))
		snprintf(out, n, "S I");
	else
		weight_line(e, out, n, "S", r.stable ? 'S' : 'D', r.grams);
}

/* The reply of the standalone balance, under e->lock. */
static void standalone(struct balance_emu *e, const char *cmd, char *out, size_t n)
{
	int settled = e->unstable == 0;
	double net = e->gross_g - e->zero_g - e->tare_g;

	if (!settled)
		e->unstable--;
	if (!strcmp(cmd, "Z")) {
		if (settled) {
			e->zero_g = e->gross_g;
			e->tare_g = 0;
		}
		snprintf(out, n, settled ? "Z A" : "Z I");
	} else if (!strcmp(cmd, "T")) {
		if (settled) {
			e->tare_g += net;
			weight_line(e, out, n, "T", 'S', e->tare_g);
		} else {
			snprintf(out, n, "T I");
		}
	} else if (!strcmp(cmd, "S")) {
		if (settled)
			weight_line(e, out, n, "S", 'S', net);
		else
			snprintf(out, n, "S I");
	} else {
		/* SI: an unsettled pan still swings by a few hundred digits. */
		weight_line(e, out, n, "S", settled ? 'S' : 'D',
			    net + (settled ? 0 : 300 * e->readability_g));
	}
}

static void answer(struct balance_emu *e, const char *cmd, char *out, size_t n)
{
	struct scale *sc = NULL;
	int weighing = !strcmp(cmd, "S") || !strcmp(cmd, "SI") || !strcmp(cmd, "T") ||
		       !strcmp(cmd, "Z");

	pthread_mutex_lock(&e->lock);
	e->commands++;
	snprintf(e->last, sizeof(e->last), "%.15s", cmd);
	for (unsigned i = 0; i < e->nanswers; i++)
		if (!strcmp(e->answers[i].cmd, cmd)) {
			snprintf(out, n, "%s", e->answers[i].reply);
			memmove(&e->answers[i], &e->answers[i + 1],
				(e->nanswers - i - 1) * sizeof(e->answers[0]));
			e->nanswers--;
			pthread_mutex_unlock(&e->lock);
			return;
		}
	if (e->silent)
		out[0] = '\0';
	else if (!strcmp(cmd, "@") || !strcmp(cmd, "I4"))
		snprintf(out, n, "I4 A \"%s\"", e->serial);
	else if (!strcmp(cmd, "I2"))
		snprintf(out, n, "I2 A \"%s\"", e->model);
	else if (!weighing)
		snprintf(out, n, "ES");
	else if (!e->source)
		standalone(e, cmd, out, n);
	else
		sc = e->source(e);
	pthread_mutex_unlock(&e->lock);
	if (sc)
		from_source(e, sc, cmd, out, n);
	else if (weighing && e->source)
		snprintf(out, n, "%.2s I", !strcmp(cmd, "SI") ? "S" : cmd);
}

static void *serve(void *arg)
{
	struct balance_emu *e = arg;
	char buf[256];
	size_t len = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = e->master, .events = POLLIN },
				       { .fd = e->wake[0], .events = POLLIN } };
		char *lf;
		ssize_t r;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		r = read(e->master, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		while ((lf = memchr(buf, '\n', len)) != NULL) {
			char cmd[128], reply[128];
			size_t used = (size_t)(lf - buf) + 1, n = used - 1;

			if (n > 0 && buf[n - 1] == '\r')
				n--;
			snprintf(cmd, sizeof(cmd), "%.*s", (int)n, buf);
			memmove(buf, buf + used, len - used);
			len -= used;
			answer(e, cmd, reply, sizeof(reply));
			if (reply[0]) {
				size_t rl = strlen(reply);

				reply[rl++] = '\r';
				reply[rl++] = '\n';
				if (write(e->master, reply, rl) != (ssize_t)rl)
					return NULL;
			}
		}
		if (len == sizeof(buf) - 1)
			len = 0; /* a host sending no line ends: drop it, as a balance does */
	}
	return NULL;
}

int balance_emu_start(struct balance_emu *e)
{
	struct termios raw;

	if (!e->readability_g)
		e->readability_g = 1e-5;
	pthread_mutex_init(&e->lock, NULL);
	if (openpty(&e->master, &e->slave, e->slave_path, NULL, NULL) != 0)
		return -1;
	/* A balance does not echo: raw from the start, before the driver sets
	 * its own mode. */
	tcgetattr(e->slave, &raw);
	cfmakeraw(&raw);
	tcsetattr(e->slave, TCSANOW, &raw);
	if (pipe(e->wake) != 0)
		return -1;
	if (pthread_create(&e->thread, NULL, serve, e) != 0)
		return -1;
	e->running = 1;
	return 0;
}

void balance_emu_stop(struct balance_emu *e)
{
	if (e->running) {
		if (write(e->wake[1], "x", 1) != 1)
			perror("balance_emu_stop");
		pthread_join(e->thread, NULL);
		e->running = 0;
	}
	if (e->master >= 0)
		close(e->master);
	close(e->slave);
	close(e->wake[0]);
	close(e->wake[1]);
	pthread_mutex_destroy(&e->lock);
}

void balance_emu_load(struct balance_emu *e, double gross_g)
{
	pthread_mutex_lock(&e->lock);
	e->gross_g = gross_g;
	pthread_mutex_unlock(&e->lock);
}

void balance_emu_unsettle(struct balance_emu *e, unsigned n)
{
	pthread_mutex_lock(&e->lock);
	e->unstable = n;
	pthread_mutex_unlock(&e->lock);
}

void balance_emu_answer(struct balance_emu *e, const char *cmd, const char *reply)
{
	pthread_mutex_lock(&e->lock);
	if (e->nanswers < BALANCE_EMU_ANSWERS) {
		snprintf(e->answers[e->nanswers].cmd, sizeof(e->answers[0].cmd), "%s", cmd);
		snprintf(e->answers[e->nanswers].reply, sizeof(e->answers[0].reply), "%s", reply);
		e->nanswers++;
	}
	pthread_mutex_unlock(&e->lock);
}

void balance_emu_silence(struct balance_emu *e)
{
	pthread_mutex_lock(&e->lock);
	e->silent = 1;
	pthread_mutex_unlock(&e->lock);
}

void balance_emu_hangup(struct balance_emu *e)
{
	if (write(e->wake[1], "x", 1) != 1)
		perror("balance_emu_hangup");
	pthread_join(e->thread, NULL);
	e->running = 0;
	close(e->master);
	e->master = -1;
}
