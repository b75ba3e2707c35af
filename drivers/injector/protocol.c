#include "drivers/injector/protocol.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"

#define IDENTITY_FIELD 16
#define IDENTITY_LEN (1 + 1 + 3 * IDENTITY_FIELD)
#define SETTINGS_LEN 10
#define STATUS_LEN (1 + 21)
#define EVENT_LEN 12

uint16_t inj_crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xFFFF;

	while (n--) {
		crc ^= (uint16_t)(*p++ << 8);
		for (int i = 0; i < 8; i++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

size_t inj_encode(const struct inj_frame *f, uint8_t *buf)
{
	size_t n = INJ_HEADER + f->len;

	buf[0] = INJ_SOF;
	buf[1] = f->type;
	buf[2] = f->seq;
	buf[3] = f->code;
	put16(buf + 4, f->len);
	memcpy(buf + INJ_HEADER, f->payload, f->len);
	put16(buf + n, inj_crc16(buf, n));
	return n + 2;
}

int inj_decode(const uint8_t *buf, size_t n, struct inj_frame *f)
{
	uint16_t len, crc, want;

	if (n < INJ_HEADER + 2)
		return rig_error(RIG_ERR_PROTOCOL, "truncated frame: %zu bytes, a frame has at least %d",
				 n, INJ_HEADER + 2);
	if (buf[0] != INJ_SOF || buf[1] < INJ_REQUEST || buf[1] > INJ_NOTIFY)
		return rig_error(RIG_ERR_PROTOCOL,
				 "not a frame: starts %02x %02x (expected a5 then type 01-03)", buf[0],
				 buf[1]);
	len = get16(buf + 4);
	if (len > INJ_MAX_PAYLOAD)
		return rig_error(RIG_ERR_PROTOCOL, "frame declares a %u-byte payload (at most %d)", len,
				 INJ_MAX_PAYLOAD);
	if (n < (size_t)INJ_HEADER + len + 2)
		return rig_error(RIG_ERR_PROTOCOL, "truncated frame: %zu of %u bytes", n,
				 INJ_HEADER + len + 2);
	if (n > (size_t)INJ_HEADER + len + 2)
		return rig_error(RIG_ERR_PROTOCOL, "%zu stray bytes after a %u-byte frame",
				 n - (INJ_HEADER + len + 2), INJ_HEADER + len + 2);
	crc = get16(buf + INJ_HEADER + len);
	want = inj_crc16(buf, INJ_HEADER + (size_t)len);
	if (crc != want)
		return rig_error(RIG_ERR_PROTOCOL, "frame CRC %04x, computed %04x", crc, want);
	f->type = buf[1];
	f->seq = buf[2];
	f->code = buf[3];
	f->len = len;
	memcpy(f->payload, buf + INJ_HEADER, len);
	return 0;
}

const char *inj_code_name(unsigned code)
{
	switch (code) {
	case INJ_IDENTIFY: return "IDENTIFY";
	case INJ_CONFIGURE: return "CONFIGURE";
	case INJ_ARM: return "ARM";
	case INJ_DISARM: return "DISARM";
	case INJ_STATUS: return "STATUS";
	case INJ_ENTER_BOOTLOADER: return "ENTER_BOOTLOADER";
	case INJ_EV_SHOT: return "SHOT";
	case INJ_EV_FAULT: return "FAULT";
	}
	return "unknown command";
}

const char *inj_status_name(unsigned status)
{
	switch (status) {
	case INJ_OK: return "OK";
	case INJ_ERR_CRC: return "ERR_CRC (the unit received a corrupted request)";
	case INJ_ERR_LENGTH: return "ERR_LENGTH";
	case INJ_ERR_COMMAND: return "ERR_COMMAND (unknown to this firmware)";
	case INJ_ERR_RANGE: return "ERR_RANGE (value outside what the unit can do)";
	case INJ_ERR_BUSY: return "ERR_BUSY (the unit is firing)";
	case INJ_ERR_FAULT: return "ERR_FAULT (a fault is latched)";
	}
	return "unknown status";
}

static void frame(struct inj_frame *f, uint8_t type, uint8_t seq, uint8_t code)
{
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->seq = seq;
	f->code = code;
}

void inj_request(struct inj_frame *f, uint8_t seq, uint8_t code)
{
	frame(f, INJ_REQUEST, seq, code);
}

void inj_reply(struct inj_frame *f, uint8_t seq, uint8_t code, uint8_t status)
{
	frame(f, INJ_REPLY, seq, code);
	f->payload[0] = status;
	f->len = 1;
}

/* x in engineering units times scale, as an integer in [0, max]. */
static int to_wire(double x, double scale, double max, const char *what, uint32_t *out)
{
	double w = floor(x * scale + 0.5);

	if (!isfinite(x) || w < 0 || w > max)
		return rig_error(RIG_ERR_INVALID, "%s %g cannot be sent to the unit", what, x);
	*out = (uint32_t)w;
	return 0;
}

int inj_settings_to_wire(const struct uut_settings *s, struct inj_settings *w)
{
	uint32_t depth = 0;
	int rc;

	if ((rc = to_wire(s->depth_mm, 1000, UINT16_MAX, "depth (mm)", &depth)) != 0 ||
	    (rc = to_wire(s->dose_ul, 1000, UINT32_MAX, "dose (ul)", &w->dose_nl)) != 0 ||
	    (rc = to_wire(s->rate_per_min, 1000, UINT32_MAX, "rate (/min)", &w->rate_mpm)) != 0)
		return rc;
	w->depth_um = (uint16_t)depth;
	return 0;
}

void inj_settings_from_wire(const struct inj_settings *w, struct uut_settings *s)
{
	s->depth_mm = w->depth_um / 1000.0;
	s->dose_ul = w->dose_nl / 1000.0;
	s->rate_per_min = w->rate_mpm / 1000.0;
}

static uint8_t *append(struct inj_frame *f, size_t n)
{
	uint8_t *p = f->payload + f->len;

	f->len = (uint16_t)(f->len + n);
	return p;
}

void inj_put_settings(struct inj_frame *f, const struct inj_settings *w)
{
	uint8_t *p = append(f, SETTINGS_LEN);

	put16(p, w->depth_um);
	put32(p + 2, w->dose_nl);
	put32(p + 6, w->rate_mpm);
}

int inj_get_settings(const uint8_t *p, size_t n, struct inj_settings *w)
{
	if (n != SETTINGS_LEN)
		return rig_error(RIG_ERR_PROTOCOL, "settings are %d bytes, not %zu", SETTINGS_LEN, n);
	w->depth_um = get16(p);
	w->dose_nl = get32(p + 2);
	w->rate_mpm = get32(p + 6);
	return 0;
}

static void put_text(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	memset(p, 0, IDENTITY_FIELD);
	memcpy(p, s, n < IDENTITY_FIELD ? n : IDENTITY_FIELD);
}

/* A NUL-padded field of printable ASCII; at most IDENTITY_FIELD long. */
static int get_text(const uint8_t *p, char *out, size_t outlen, const char *what)
{
	size_t n = 0;

	while (n < IDENTITY_FIELD && p[n])
		n++;
	for (size_t i = 0; i < IDENTITY_FIELD; i++)
		if ((i < n && (p[i] < 0x20 || p[i] > 0x7e)) || (i >= n && p[i]))
			return rig_error(RIG_ERR_PROTOCOL,
					 "IDENTIFY reply: %s is not NUL-padded ASCII (byte %zu is %02x)",
					 what, i, p[i]);
	if (n == 0)
		return rig_error(RIG_ERR_PROTOCOL, "IDENTIFY reply: empty %s", what);
	snprintf(out, outlen, "%.*s", (int)n, (const char *)p);
	return 0;
}

void inj_put_identity(struct inj_frame *f, const struct uut_identity *id)
{
	uint8_t *p = append(f, IDENTITY_LEN - 1);

	p[0] = INJ_PROTOCOL_VERSION;
	put_text(p + 1, id->model);
	put_text(p + 1 + IDENTITY_FIELD, id->serial);
	put_text(p + 1 + 2 * IDENTITY_FIELD, id->firmware);
}

int inj_get_identity(const struct inj_frame *reply, struct uut_identity *id)
{
	const uint8_t *p = reply->payload + 1;
	int rc;

	if (p[0] != INJ_PROTOCOL_VERSION)
		return rig_error(RIG_ERR_PROTOCOL,
				 "the unit speaks protocol version %u, this rig version %d (update "
				 "rig or the unit's firmware)",
				 p[0], INJ_PROTOCOL_VERSION);
	if ((rc = get_text(p + 1, id->model, sizeof(id->model), "model")) != 0 ||
	    (rc = get_text(p + 1 + IDENTITY_FIELD, id->serial, sizeof(id->serial), "serial")) != 0)
		return rc;
	return get_text(p + 1 + 2 * IDENTITY_FIELD, id->firmware, sizeof(id->firmware),
			"firmware version");
}

void inj_put_status(struct inj_frame *f, const struct inj_status_reply *st)
{
	uint8_t *p = append(f, STATUS_LEN - 1);

	put32(p, st->shots_fired);
	put32(p + 4, st->armed_left);
	p[8] = st->flags;
	put32(p + 9, st->faults);
	put64(p + 13, st->clock_us);
}

int inj_get_status(const struct inj_frame *reply, struct inj_status_reply *st)
{
	const uint8_t *p = reply->payload + 1;

	st->shots_fired = get32(p);
	st->armed_left = get32(p + 4);
	st->flags = p[8];
	st->faults = get32(p + 9);
	st->clock_us = get64(p + 13);
	return 0;
}

void inj_put_u32(struct inj_frame *f, uint32_t v)
{
	put32(append(f, 4), v);
}

int inj_get_u32(const struct inj_frame *req, uint32_t *v)
{
	if (req->len != 4)
		return rig_error(RIG_ERR_PROTOCOL, "%s carries 4 bytes, not %u",
				 inj_code_name(req->code), req->len);
	*v = get32(req->payload);
	return 0;
}

void inj_event(struct inj_frame *f, uint8_t seq, uint8_t code, const struct inj_event *ev)
{
	uint8_t *p;

	frame(f, INJ_NOTIFY, seq, code);
	p = append(f, EVENT_LEN);
	put32(p, ev->value);
	put64(p + 4, ev->clock_us);
}

int inj_get_event(const struct inj_frame *f, struct inj_event *ev)
{
	if (f->type != INJ_NOTIFY || (f->code != INJ_EV_SHOT && f->code != INJ_EV_FAULT))
		return rig_error(RIG_ERR_PROTOCOL, "unknown notification %02x", f->code);
	if (f->len != EVENT_LEN)
		return rig_error(RIG_ERR_PROTOCOL, "%s notification carries %u bytes, not %d",
				 inj_code_name(f->code), f->len, EVENT_LEN);
	ev->value = get32(f->payload);
	ev->clock_us = get64(f->payload + 4);
	return 0;
}

/* Payload length after the status byte for each command's reply. */
static size_t reply_len(uint8_t code)
{
	switch (code) {
	case INJ_IDENTIFY: return IDENTITY_LEN - 1;
	case INJ_CONFIGURE: return SETTINGS_LEN;
	case INJ_STATUS: return STATUS_LEN - 1;
	}
	return 0;
}

int inj_request_len(unsigned code)
{
	switch (code) {
	case INJ_IDENTIFY:
	case INJ_DISARM:
	case INJ_STATUS:
	case INJ_ENTER_BOOTLOADER: return 0;
	case INJ_CONFIGURE: return SETTINGS_LEN;
	case INJ_ARM: return 4;
	}
	return -1;
}

int inj_check_reply(const struct inj_frame *reply, uint8_t seq, uint8_t code)
{
	if (reply->type != INJ_REPLY)
		return rig_error(RIG_ERR_PROTOCOL, "expected a reply, got frame type %02x",
				 reply->type);
	if (reply->seq != seq || reply->code != code)
		return rig_error(RIG_ERR_PROTOCOL,
				 "reply to request %u (%s) while waiting for request %u (%s)",
				 reply->seq, inj_code_name(reply->code), seq, inj_code_name(code));
	if (reply->len < 1)
		return rig_error(RIG_ERR_PROTOCOL, "%s reply without a status", inj_code_name(code));
	if (reply->payload[0] != INJ_OK)
		return rig_error(RIG_ERR_DEVICE, "the unit refused %s: %s", inj_code_name(code),
				 inj_status_name(reply->payload[0]));
	if (reply->len != 1 + reply_len(code))
		return rig_error(RIG_ERR_PROTOCOL, "%s reply carries %u bytes, expected %zu",
				 inj_code_name(code), reply->len, 1 + reply_len(code));
	return 0;
}
