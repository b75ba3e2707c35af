#ifndef RIG_INJECTOR_PROTOCOL_H
#define RIG_INJECTOR_PROTOCOL_H

/*
 * The injector's control protocol (docs/usb-protocol.md, section 2): frame
 * encode/decode and the payload of every command, apart from any transport
 * so both the driver and the emulated device use it and it is tested alone.
 *
 * Decoders return 0 or RIG_ERR_PROTOCOL with rig_error() set, naming what
 * was wrong with the bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "drivers/uut.h"

#define INJ_SOF 0xA5
#define INJ_HEADER 6
#define INJ_MAX_PAYLOAD 56
#define INJ_MAX_FRAME 64 /* header + payload + CRC: one full-speed packet */
#define INJ_PROTOCOL_VERSION 1

#define INJ_DEFAULT_VID 0x1209
#define INJ_DEFAULT_PID 0x0001

enum inj_type { INJ_REQUEST = 0x01, INJ_REPLY = 0x02, INJ_NOTIFY = 0x03 };

enum inj_code {
	INJ_IDENTIFY = 0x01,
	INJ_CONFIGURE = 0x02,
	INJ_ARM = 0x03,
	INJ_DISARM = 0x04,
	INJ_STATUS = 0x05,
	INJ_ENTER_BOOTLOADER = 0x06,
	INJ_EV_SHOT = 0x81,
	INJ_EV_FAULT = 0x82,
};

enum inj_status {
	INJ_OK = 0x00,
	INJ_ERR_CRC = 0x01,
	INJ_ERR_LENGTH = 0x02,
	INJ_ERR_COMMAND = 0x03,
	INJ_ERR_RANGE = 0x04,
	INJ_ERR_BUSY = 0x05,
	INJ_ERR_FAULT = 0x06,
};

struct inj_frame {
	uint8_t type;   /* enum inj_type */
	uint8_t seq;
	uint8_t code;   /* enum inj_code */
	uint16_t len;
	uint8_t payload[INJ_MAX_PAYLOAD];
};

/* Settings as the wire carries them (docs/usb-protocol.md, CONFIGURE). */
struct inj_settings {
	uint16_t depth_um;
	uint32_t dose_nl;
	uint32_t rate_mpm; /* shots per 1000 minutes */
};

struct inj_status_reply {
	uint32_t shots_fired;
	uint32_t armed_left;
	uint8_t flags;    /* INJ_STATE_* */
	uint32_t faults;  /* enum uut_fault bits */
	uint64_t clock_us;
};

#define INJ_STATE_ARMED 0x01
#define INJ_STATE_TRIGGER 0x02
#define INJ_STATE_FIRING 0x04

struct inj_event {
	uint32_t value;   /* SHOT: counter after the shot; FAULT: flags raised */
	uint64_t clock_us;
};

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no xorout. */
uint16_t inj_crc16(const uint8_t *p, size_t n);

/* Encode f into buf (at least INJ_MAX_FRAME bytes); returns the length. */
size_t inj_encode(const struct inj_frame *f, uint8_t *buf);

/* Decode one transfer of n bytes. */
int inj_decode(const uint8_t *buf, size_t n, struct inj_frame *f);

/* Name of a command, event or status for messages ("STATUS", "ERR_RANGE"). */
const char *inj_code_name(unsigned code);
const char *inj_status_name(unsigned status);

/* Build frames. The payload helpers fill f->payload and f->len. */
void inj_request(struct inj_frame *f, uint8_t seq, uint8_t code);
void inj_reply(struct inj_frame *f, uint8_t seq, uint8_t code, uint8_t status);

/* Settings in engineering units <-> wire units; to_wire rounds to the
 * wire resolution and fails (RIG_ERR_INVALID) on values it cannot carry. */
int inj_settings_to_wire(const struct uut_settings *s, struct inj_settings *w);
void inj_settings_from_wire(const struct inj_settings *w, struct uut_settings *s);

void inj_put_settings(struct inj_frame *f, const struct inj_settings *w);
int inj_get_settings(const uint8_t *p, size_t n, struct inj_settings *w);
void inj_put_identity(struct inj_frame *f, const struct uut_identity *id);
int inj_get_identity(const struct inj_frame *reply, struct uut_identity *id);
void inj_put_status(struct inj_frame *f, const struct inj_status_reply *st);
int inj_get_status(const struct inj_frame *reply, struct inj_status_reply *st);
void inj_put_u32(struct inj_frame *f, uint32_t v);
int inj_get_u32(const struct inj_frame *req, uint32_t *v);
void inj_event(struct inj_frame *f, uint8_t seq, uint8_t code, const struct inj_event *ev);
int inj_get_event(const struct inj_frame *f, struct inj_event *ev);

/* Payload length of a request with this code; -1 for an unknown command. */
int inj_request_len(unsigned code);

/*
 * Check that reply answers the request (seq, code) and carries the status
 * OK and the payload length of that command's reply. RIG_ERR_DEVICE for a
 * status other than OK, RIG_ERR_PROTOCOL for the rest.
 */
int inj_check_reply(const struct inj_frame *reply, uint8_t seq, uint8_t code);

#endif
