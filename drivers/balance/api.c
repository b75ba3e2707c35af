/*
 * The "mtsics" balance backend: an analytical balance speaking MT-SICS on a
 * serial port (drivers/balance/protocol.c parses, serial.c carries).
 * fixture scale.timeout_ms bounds every exchange and the wait for a stable
 * reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/balance/protocol.h"
#include "drivers/balance/serial.h"
#include "rig/base/clock.h"
#include "rig/base/error.h"

/* Between two requests for a stable value the balance is still settling. */
#define RETRY_PAUSE_MS 100

struct mtsics {
	struct scale base;
	struct serial port;
	unsigned timeout_ms;
};

/* One command and its reply line, parsed. */
static int exchange(struct mtsics *b, const char *cmd, struct sics_reply *r)
{
	char line[SERIAL_LINE_MAX];
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = serial_write_line(&b->port, cmd)) != 0 ||
	    (rc = serial_read_line(&b->port, line, sizeof(line), b->timeout_ms)) != 0)
		return rc;
	rc = sics_parse(cmd, line, r);
	if (rc)
		rig_error(rc, "%s: %s", b->port.path, rig_last_error());
	return rc;
}

/* Repeat cmd while the balance answers "not executable now" (status I:
 * still settling), until timeout_ms have passed. */
static int until_done(struct mtsics *b, const char *cmd, unsigned timeout_ms, struct sics_reply *r)
{
	long long deadline = clock_ms() + timeout_ms;
	int rc;

	while ((rc = exchange(b, cmd, r)) == RIG_ERR_TIMEOUT && r->status == SICS_NOT_NOW &&
	       clock_ms() + RETRY_PAUSE_MS < deadline)
		clock_sleep_ms(RETRY_PAUSE_MS);
	if (rc == RIG_ERR_TIMEOUT && r->status == SICS_NOT_NOW)
		return rig_error(RIG_ERR_TIMEOUT,
				 "balance %s: no stable reading within %u ms for \"%s\" (draught or "
				 "vibration?)",
				 b->base.serial, timeout_ms, cmd);
	return rc;
}

static void mtsics_close(struct scale *sc)
{
	struct mtsics *b = (struct mtsics *)sc;

	if (!b)
		return;
	serial_close(&b->port);
	free(b);
}

static int mtsics_open(struct scale **out, const struct fixture_scale *cfg, struct bench *bench)
{
	struct mtsics *b;
	struct sics_reply r;
	int rc;

	(void)bench;
	if (!cfg->port[0])
		return rig_error(RIG_ERR_INVALID, "the mtsics balance needs scale.port in the fixture "
						  "(e.g. /dev/ttyACM0)");
	b = calloc(1, sizeof(*b));
	if (!b)
		return rig_error(RIG_ERR_NOMEM, "balance: out of memory");
	b->base.ops = &mtsics_scale_ops;
	b->timeout_ms = cfg->timeout_ms;
	if ((rc = serial_open(&b->port, cfg->port, cfg->baud)) != 0) {
		free(b);
		return rc;
	}
	/* Reset: the balance drops what it was doing and answers with its serial. */
	serial_discard_input(&b->port);
	if ((rc = exchange(b, "@", &r)) != 0 || (rc = exchange(b, "I4", &r)) != 0) {
		mtsics_close(&b->base);
		return rc;
	}
	snprintf(b->base.serial, sizeof(b->base.serial), "%s", r.text);
	/* I2 (type and capacity) is optional in MT-SICS level 0: keep the
	 * fixture's model when the balance does not know it. */
	if (exchange(b, "I2", &r) == 0 && r.text[0])
		snprintf(b->base.model, sizeof(b->base.model), "%s", r.text);
	else
		snprintf(b->base.model, sizeof(b->base.model), "%s", cfg->model);
	rig_error_clear();
	*out = &b->base;
	return 0;
}

static int mtsics_zero(struct scale *sc)
{
	struct mtsics *b = (struct mtsics *)sc;
	struct sics_reply r;

	return until_done(b, "Z", b->timeout_ms, &r);
}

static int mtsics_tare(struct scale *sc)
{
	struct mtsics *b = (struct mtsics *)sc;
	struct sics_reply r;

	return until_done(b, "T", b->timeout_ms, &r);
}

static int reading(const struct mtsics *b, const struct sics_reply *r, struct scale_reading *out)
{
	int rc = sics_grams(r, &out->grams);

	out->stable = r->status == SICS_STABLE;
	return rc ? rig_error(rc, "%s: %s", b->port.path, rig_last_error()) : 0;
}

static int mtsics_weigh(struct scale *sc, unsigned timeout_ms, struct scale_reading *out)
{
	struct mtsics *b = (struct mtsics *)sc;
	struct sics_reply r;
	int rc = until_done(b, "S", timeout_ms, &r);

	return rc ? rc : reading(b, &r, out);
}

static int mtsics_weigh_now(struct scale *sc, struct scale_reading *out)
{
	struct mtsics *b = (struct mtsics *)sc;
	struct sics_reply r;
	int rc = exchange(b, "SI", &r);

	return rc ? rc : reading(b, &r, out);
}

const struct scale_ops mtsics_scale_ops = {
	.name = "mtsics",
	.open = mtsics_open,
	.close = mtsics_close,
	.zero = mtsics_zero,
	.tare = mtsics_tare,
	.weigh = mtsics_weigh,
	.weigh_now = mtsics_weigh_now,
};
