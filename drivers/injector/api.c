/*
 * The "injector" unit-under-test backend: the MI-350 over USB, speaking the
 * control protocol of docs/usb-protocol.md (protocol.c) through libusb
 * (usb.c). One request is outstanding at a time; shot notifications that
 * arrive while a reply is awaited are checked against the unit's counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/injector/dfu.h"
#include "drivers/injector/protocol.h"
#include "drivers/injector/usb.h"
#include "rig/base/clock.h"
#include "rig/base/error.h"

struct injector {
	struct uut base;
	libusb_context *ctx;
	struct injusb usb;
	unsigned timeout_ms;
	unsigned vid, pid;      /* runtime IDs, to find the unit again after a flash */
	uint8_t seq;            /* of the last request */
	uint32_t counter;       /* the unit's shot counter as last reported */
	int counter_known;
};

/* The shot counter only grows while the unit is powered: a smaller one
 * means it restarted, and the shots before are no longer accounted for. */
static int track_counter(struct injector *u, uint32_t counter, const char *source)
{
	if (u->counter_known && counter < u->counter)
		return rig_error(RIG_ERR_DEVICE,
				 "unit %s restarted: its shot counter went from %u to %u (%s); "
				 "brown-out or watchdog reset?",
				 u->usb.serial, u->counter, counter, source);
	u->counter = counter;
	u->counter_known = 1;
	return 0;
}

static int notification(struct injector *u, const struct inj_frame *f)
{
	struct inj_event ev;
	int rc = inj_get_event(f, &ev);

	if (rc)
		return rig_error(rc, "unit %s: %s", u->usb.serial, rig_last_error());
	return f->code == INJ_EV_SHOT ? track_counter(u, ev.value, "SHOT notification") : 0;
}

/*
 * Send req and wait for its reply. Notifications are handled on the way;
 * replies to earlier requests (that timed out) are dropped.
 */
static int transact(struct injector *u, struct inj_frame *req, struct inj_frame *reply)
{
	uint8_t buf[INJ_MAX_FRAME];
	const char *cmd = inj_code_name(req->code);
	long long deadline;
	unsigned stale = 0;
	char what[64];
	int n, rc;

	if ((rc = injusb_check_present(&u->usb)) != 0)
		return rc;
	req->seq = ++u->seq;
	n = (int)inj_encode(req, buf);
	snprintf(what, sizeof(what), "take the %s request", cmd);
	if ((rc = injusb_bulk(&u->usb, INJ_EP_OUT, buf, n, &n, u->timeout_ms, what)) != 0)
		return rc;
	snprintf(what, sizeof(what), "answer %s", cmd);
	deadline = clock_ms() + u->timeout_ms;
	for (;;) {
		long long left = deadline - clock_ms();

		if (left <= 0)
			return rig_error(RIG_ERR_TIMEOUT,
					 "unit %s did not answer %s within %u ms (%u stale replies "
					 "dropped)",
					 u->usb.serial, cmd, u->timeout_ms, stale);
		rc = injusb_bulk(&u->usb, INJ_EP_IN, buf, sizeof(buf), &n, (unsigned)left, what);
		if (rc)
			return rc;
		if ((rc = inj_decode(buf, (size_t)n, reply)) != 0)
			return rig_error(rc, "unit %s: reply to %s: %s", u->usb.serial, cmd,
					 rig_last_error());
		if (reply->type == INJ_NOTIFY) {
			if ((rc = notification(u, reply)) != 0)
				return rc;
			continue;
		}
		if (reply->type == INJ_REPLY && (reply->seq != req->seq || reply->code != req->code)) {
			stale++;
			continue;
		}
		if ((rc = inj_check_reply(reply, req->seq, req->code)) != 0)
			return rig_error(rc, "unit %s: %s", u->usb.serial, rig_last_error());
		return 0;
	}
}

static int simple(struct injector *u, uint8_t code)
{
	struct inj_frame req, reply;

	inj_request(&req, 0, code);
	return transact(u, &req, &reply);
}

static void injector_close(struct uut *uut)
{
	struct injector *u = (struct injector *)uut;

	if (!u)
		return;
	injusb_close(&u->usb);
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static int identify(struct injector *u)
{
	struct inj_frame req, reply;
	int rc;

	inj_request(&req, 0, INJ_IDENTIFY);
	if ((rc = transact(u, &req, &reply)) != 0)
		return rc;
	if ((rc = inj_get_identity(&reply, &u->base.id)) != 0)
		return rig_error(rc, "unit %s: %s", u->usb.serial, rig_last_error());
	if (strcmp(u->base.id.serial, u->usb.serial) != 0)
		return rig_error(RIG_ERR_PROTOCOL,
				 "unit at %s: USB serial \"%s\" but IDENTIFY says \"%s\" (firmware "
				 "fault)",
				 u->usb.where, u->usb.serial, u->base.id.serial);
	return 0;
}

static int injector_open(struct uut **out, const struct fixture_uut *cfg, struct bench *bench)
{
	struct injector *u = calloc(1, sizeof(*u));
	int rc;

	(void)bench;
	if (!u)
		return rig_error(RIG_ERR_NOMEM, "injector: out of memory");
	u->base.ops = &injector_uut_ops;
	u->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 1000;
	u->vid = cfg->vid ? cfg->vid : INJ_DEFAULT_VID;
	u->pid = cfg->pid ? cfg->pid : INJ_DEFAULT_PID;
	if ((rc = injusb_context(&u->ctx)) != 0 ||
	    (rc = injusb_open(&u->usb, u->ctx, u->vid, u->pid, cfg->serial, INJUSB_RUNTIME)) !=
		    0 ||
	    (rc = injusb_claim(&u->usb, INJ_IFACE_CONTROL)) != 0 || (rc = identify(u)) != 0) {
		injector_close(&u->base);
		return rc;
	}
	*out = &u->base;
	return 0;
}

static int injector_configure(struct uut *uut, const struct uut_settings *s)
{
	struct injector *u = (struct injector *)uut;
	struct inj_frame req, reply;
	struct inj_settings w, applied;
	int rc;

	if ((rc = inj_settings_to_wire(s, &w)) != 0)
		return rc;
	inj_request(&req, 0, INJ_CONFIGURE);
	inj_put_settings(&req, &w);
	if ((rc = transact(u, &req, &reply)) != 0)
		return rc;
	inj_get_settings(reply.payload + 1, reply.len - 1u, &applied);
	if (applied.depth_um != w.depth_um || applied.dose_nl != w.dose_nl ||
	    applied.rate_mpm != w.rate_mpm)
		return rig_error(RIG_ERR_PROTOCOL,
				 "unit %s applied %u um, %u nl, %u/1000 min instead of %u um, %u nl, "
				 "%u/1000 min",
				 u->usb.serial, applied.depth_um, applied.dose_nl, applied.rate_mpm,
				 w.depth_um, w.dose_nl, w.rate_mpm);
	return 0;
}

static int injector_arm(struct uut *uut, uint32_t shots)
{
	struct injector *u = (struct injector *)uut;
	struct inj_frame req, reply;

	inj_request(&req, 0, INJ_ARM);
	inj_put_u32(&req, shots);
	return transact(u, &req, &reply);
}

static int injector_disarm(struct uut *uut)
{
	return simple((struct injector *)uut, INJ_DISARM);
}

static int injector_status(struct uut *uut, struct uut_status *st)
{
	struct injector *u = (struct injector *)uut;
	struct inj_frame req, reply;
	struct inj_status_reply r;
	int rc;

	inj_request(&req, 0, INJ_STATUS);
	if ((rc = transact(u, &req, &reply)) != 0)
		return rc;
	inj_get_status(&reply, &r);
	if ((rc = track_counter(u, r.shots_fired, "STATUS")) != 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->shots_fired = r.shots_fired;
	st->armed_left = r.armed_left;
	st->firing = (r.flags & INJ_STATE_FIRING) != 0;
	st->faults = r.faults;
	return 0;
}

static int injector_enter_bootloader(struct uut *uut)
{
	return simple((struct injector *)uut, INJ_ENTER_BOOTLOADER);
}

/* rig.uut:flash(): the DFU update of `rig flash` (dfu.c), then the unit
 * opened again in runtime mode. It restarted, so its counter starts anew. */
static int injector_flash_image(struct uut *uut, const char *path)
{
	struct injector *u = (struct injector *)uut;
	struct flash_request rq = { .file = path, .vid = u->vid, .pid = u->pid,
				    .timeout_ms = u->timeout_ms };
	struct flash_result res;
	char serial[sizeof(u->usb.serial)];
	int rc;

	snprintf(serial, sizeof(serial), "%s", u->usb.serial);
	rq.serial = serial;
	injusb_close(&u->usb);
	rc = injector_flash(&rq, &res);
	if (!rc)
		rc = injusb_open(&u->usb, u->ctx, u->vid, u->pid, serial, INJUSB_RUNTIME);
	if (!rc && (rc = injusb_claim(&u->usb, INJ_IFACE_CONTROL)) == 0)
		rc = identify(u);
	u->counter_known = 0;
	return rc;
}

const struct uut_ops injector_uut_ops = {
	.name = "injector",
	.open = injector_open,
	.close = injector_close,
	.configure = injector_configure,
	.arm = injector_arm,
	.disarm = injector_disarm,
	.status = injector_status,
	.enter_bootloader = injector_enter_bootloader,
	.flash = injector_flash_image,
};
