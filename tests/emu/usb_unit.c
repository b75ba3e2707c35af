/*
 * The emulated unit's control protocol (docs/usb-protocol.md, section 2),
 * answered from the sim model active in this process: the same physics the
 * pure sim bench plays, so a hybrid bench gives the same shots. Tests
 * without a bench create a model themselves.
 */
#include "tests/emu/usb_emu.h"

#include <string.h>

#include "drivers/sim/model.h"

/* Notify every shot the model fired and every fault it raised since the
 * last request (the emulator learns of them only then: they carry the model
 * time of that moment). */
static void notify(struct usb_emu *e, const struct sim_model *m)
{
	uint64_t clock_us = (uint64_t)(m->now * 1e6);
	struct inj_frame f;

	while (e->notified < m->fired) {
		inj_event(&f, e->notify_seq++, INJ_EV_SHOT,
			  &(struct inj_event){ ++e->notified, clock_us });
		usb_emu_send(e, &f);
		e->notifications++;
	}
	if (m->faults & ~e->faults_notified) {
		inj_event(&f, e->notify_seq++, INJ_EV_FAULT,
			  &(struct inj_event){ m->faults & ~e->faults_notified, clock_us });
		usb_emu_send(e, &f);
		e->faults_notified = m->faults;
		e->notifications++;
	}
}

static int in_range(const struct inj_settings *w)
{
	return w->depth_um >= 500 && w->depth_um <= 6000 && w->dose_nl >= 10000 &&
	       w->dose_nl <= 100000 && w->rate_mpm >= 1000 && w->rate_mpm <= 350000;
}

static uint8_t configure(struct sim_model *m, const struct inj_frame *req, struct inj_frame *rep)
{
	struct inj_settings w;
	struct uut_settings s;
	struct uut_status st;

	inj_get_settings(req->payload, req->len, &w);
	sim_model_status(m, &st);
	if (st.firing)
		return INJ_ERR_BUSY;
	if (!in_range(&w))
		return INJ_ERR_RANGE;
	inj_settings_from_wire(&w, &s);
	sim_model_configure(m, &s);
	inj_put_settings(rep, &w);
	return INJ_OK;
}

static void status(const struct sim_model *m, struct inj_frame *rep)
{
	struct uut_status st;
	struct inj_status_reply r = { 0 };

	sim_model_status(m, &st);
	r.shots_fired = st.shots_fired;
	r.armed_left = st.armed_left;
	r.flags = (uint8_t)((m->armed || st.armed_left ? INJ_STATE_ARMED : 0) |
			    (m->pressed ? INJ_STATE_TRIGGER : 0) | (st.firing ? INJ_STATE_FIRING : 0));
	r.faults = st.faults;
	r.clock_us = (uint64_t)(m->now * 1e6);
	inj_put_status(rep, &r);
}

/* Execute req; the reply's status. */
static uint8_t execute(struct usb_emu *e, struct sim_model *m, const struct inj_frame *req,
		       struct inj_frame *rep)
{
	uint32_t shots;

	if (req->code == INJ_IDENTIFY) {
		struct uut_identity id;

		memset(&id, 0, sizeof(id));
		memcpy(id.model, e->model, sizeof(e->model));
		memcpy(id.serial, e->serial, sizeof(e->serial) - 1);
		memcpy(id.firmware, e->firmware, sizeof(e->firmware));
		inj_put_identity(rep, &id);
		return INJ_OK;
	}
	if (req->code == INJ_ENTER_BOOTLOADER) {
		e->detach_pending = 2;
		return INJ_OK;
	}
	if (!m) /* hybrid bench: the sim DAQ has not built the model yet */
		return INJ_ERR_BUSY;
	switch (req->code) {
	case INJ_CONFIGURE:
		return configure(m, req, rep);
	case INJ_ARM:
		if (m->faults & UUT_FAULT_STUCK_NEEDLE)
			return INJ_ERR_FAULT;
		inj_get_u32(req, &shots);
		sim_model_arm(m, shots);
		return INJ_OK;
	case INJ_DISARM:
		sim_model_disarm(m);
		return INJ_OK;
	default: /* STATUS */
		status(m, rep);
		return INJ_OK;
	}
}

void usb_unit_request(struct usb_emu *e, const uint8_t *buf, size_t len)
{
	struct sim_model *m = usb_emu_model(e);
	struct inj_frame req, rep;
	int want;

	if (inj_decode(buf, len, &req) != 0) {
		/* Corrupted: answer ERR_CRC when the header is readable, else drop it. */
		if (len >= INJ_HEADER && buf[0] == INJ_SOF && buf[1] == INJ_REQUEST) {
			inj_reply(&rep, buf[2], buf[3], INJ_ERR_CRC);
			usb_emu_send(e, &rep);
		}
		return;
	}
	if (req.type != INJ_REQUEST)
		return;
	e->requests[req.code]++;
	if (m)
		notify(e, m);
	want = inj_request_len(req.code);
	inj_reply(&rep, req.seq, req.code, INJ_OK);
	if (want < 0)
		rep.payload[0] = INJ_ERR_COMMAND;
	else if (want != req.len)
		rep.payload[0] = INJ_ERR_LENGTH;
	else
		rep.payload[0] = execute(e, m, &req, &rep);
	if (rep.payload[0] != INJ_OK)
		rep.len = 1;
	usb_emu_send(e, &rep);
}
