/* The injector's frame codec alone (docs/usb-protocol.md, section 2). */
#include <string.h>

#include "drivers/injector/protocol.h"
#include "rig/base/error.h"
#include "tests/lib/testutil.h"

/* From docs/usb-protocol.md 2.5, CRCs computed with Python's binascii.crc_hqx. */
static const uint8_t status_request[] = { 0xa5, 0x01, 0x07, 0x05, 0x00, 0x00, 0xb5, 0xbc };
static const uint8_t status_reply[] = { 0xa5, 0x02, 0x07, 0x05, 0x16, 0x00, 0x00, 0x78,
					0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0x00, 0xa0, 0x25, 0x26, 0x00,
					0x00, 0x00, 0x00, 0x00, 0x9f, 0x20 };

START_TEST(crc16_check_value)
{
	ck_assert_uint_eq(inj_crc16((const uint8_t *)"123456789", 9), 0x29b1);
	ck_assert_uint_eq(inj_crc16(NULL, 0), 0xffff);
}
END_TEST

START_TEST(encodes_the_documented_bytes)
{
	struct inj_frame f;
	struct inj_status_reply st = { .shots_fired = 120, .clock_us = 2500000 };
	uint8_t buf[INJ_MAX_FRAME];

	inj_request(&f, 7, INJ_STATUS);
	ck_assert_uint_eq(inj_encode(&f, buf), sizeof(status_request));
	ck_assert_mem_eq(buf, status_request, sizeof(status_request));

	inj_reply(&f, 7, INJ_STATUS, INJ_OK);
	inj_put_status(&f, &st);
	ck_assert_uint_eq(inj_encode(&f, buf), sizeof(status_reply));
	ck_assert_mem_eq(buf, status_reply, sizeof(status_reply));
}
END_TEST

START_TEST(decodes_the_documented_reply)
{
	struct inj_frame f;
	struct inj_status_reply st;

	ck_assert_int_eq(inj_decode(status_reply, sizeof(status_reply), &f), 0);
	ck_assert_int_eq(inj_check_reply(&f, 7, INJ_STATUS), 0);
	inj_get_status(&f, &st);
	ck_assert_uint_eq(st.shots_fired, 120);
	ck_assert_uint_eq(st.armed_left, 0);
	ck_assert_uint_eq(st.faults, 0);
	ck_assert(st.clock_us == 2500000);
}
END_TEST

/* Encode, decode, and check the reply of a command: the round trip. */
static void round_trip(const struct inj_frame *in, struct inj_frame *out)
{
	uint8_t buf[INJ_MAX_FRAME];
	size_t n = inj_encode(in, buf);

	ck_assert_uint_le(n, INJ_MAX_FRAME);
	ck_assert_int_eq(inj_decode(buf, n, out), 0);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_uint_eq(out->seq, in->seq);
	ck_assert_uint_eq(out->code, in->code);
	ck_assert_uint_eq(out->len, in->len);
	ck_assert_mem_eq(out->payload, in->payload, in->len);
}

START_TEST(every_frame_round_trips)
{
	struct uut_identity id = { "MI-350", "MI350-000123", "2.4.1" }, id2;
	struct uut_settings s = { 1.5, 20, 350 }, s2;
	struct inj_settings w, w2;
	struct inj_status_reply st = { 7, 53, INJ_STATE_ARMED | INJ_STATE_FIRING,
				       UUT_FAULT_EMPTY, 0x123456789abcULL },
				st2;
	struct inj_event ev = { 61, 99999999999ULL }, ev2;
	struct inj_frame f, g;
	uint32_t v;

	for (unsigned code = INJ_IDENTIFY; code <= INJ_ENTER_BOOTLOADER; code++) {
		inj_request(&f, (uint8_t)code, (uint8_t)code);
		if (code == INJ_CONFIGURE) {
			ck_assert_int_eq(inj_settings_to_wire(&s, &w), 0);
			inj_put_settings(&f, &w);
		}
		if (code == INJ_ARM)
			inj_put_u32(&f, 60);
		ck_assert_int_eq(f.len, inj_request_len(code));
		round_trip(&f, &g);
	}
	ck_assert_int_eq(inj_request_len(0x42), -1);

	inj_reply(&f, 1, INJ_IDENTIFY, INJ_OK);
	inj_put_identity(&f, &id);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_check_reply(&g, 1, INJ_IDENTIFY), 0);
	ck_assert_int_eq(inj_get_identity(&g, &id2), 0);
	ck_assert_str_eq(id2.model, "MI-350");
	ck_assert_str_eq(id2.serial, "MI350-000123");
	ck_assert_str_eq(id2.firmware, "2.4.1");

	inj_reply(&f, 2, INJ_CONFIGURE, INJ_OK);
	inj_put_settings(&f, &w);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_check_reply(&g, 2, INJ_CONFIGURE), 0);
	ck_assert_int_eq(inj_get_settings(g.payload + 1, g.len - 1u, &w2), 0);
	ck_assert_uint_eq(w2.depth_um, 1500);
	ck_assert_uint_eq(w2.dose_nl, 20000);
	ck_assert_uint_eq(w2.rate_mpm, 350000);
	inj_settings_from_wire(&w2, &s2);
	ck_assert(s2.depth_mm == 1.5 && s2.dose_ul == 20 && s2.rate_per_min == 350);

	inj_request(&f, 3, INJ_ARM);
	inj_put_u32(&f, 60);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_get_u32(&g, &v), 0);
	ck_assert_uint_eq(v, 60);

	for (unsigned code = INJ_ARM; code <= INJ_DISARM; code++) {
		inj_reply(&f, 4, (uint8_t)code, INJ_OK);
		round_trip(&f, &g);
		ck_assert_int_eq(inj_check_reply(&g, 4, (uint8_t)code), 0);
	}

	inj_reply(&f, 5, INJ_STATUS, INJ_OK);
	inj_put_status(&f, &st);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_check_reply(&g, 5, INJ_STATUS), 0);
	inj_get_status(&g, &st2);
	ck_assert_mem_eq(&st2.shots_fired, &st.shots_fired, sizeof(uint32_t));
	ck_assert_uint_eq(st2.armed_left, 53);
	ck_assert_uint_eq(st2.flags, INJ_STATE_ARMED | INJ_STATE_FIRING);
	ck_assert_uint_eq(st2.faults, UUT_FAULT_EMPTY);
	ck_assert(st2.clock_us == 0x123456789abcULL);

	inj_event(&f, 200, INJ_EV_SHOT, &ev);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_get_event(&g, &ev2), 0);
	ck_assert_uint_eq(ev2.value, 61);
	ck_assert(ev2.clock_us == 99999999999ULL);
	inj_event(&f, 201, INJ_EV_FAULT, &ev);
	round_trip(&f, &g);
	ck_assert_int_eq(inj_get_event(&g, &ev2), 0);
}
END_TEST

START_TEST(settings_round_to_the_wire_and_refuse_the_impossible)
{
	struct uut_settings s = { 4.0004, 49.9996, 120.0004 };
	struct inj_settings w;

	ck_assert_int_eq(inj_settings_to_wire(&s, &w), 0);
	ck_assert_uint_eq(w.depth_um, 4000);
	ck_assert_uint_eq(w.dose_nl, 50000);
	ck_assert_uint_eq(w.rate_mpm, 120000);
	s.depth_mm = 70; /* 70000 um does not fit 16 bits */
	ck_assert_int_eq(inj_settings_to_wire(&s, &w), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "depth"));
	s.depth_mm = 4;
	s.dose_ul = -1;
	ck_assert_int_eq(inj_settings_to_wire(&s, &w), RIG_ERR_INVALID);
}
END_TEST

static void expect_bad(const uint8_t *buf, size_t n, const char *what)
{
	struct inj_frame f;

	ck_assert_int_eq(inj_decode(buf, n, &f), RIG_ERR_PROTOCOL);
	ck_assert_msg(strstr(rig_last_error(), what), "\"%s\" lacks \"%s\"", rig_last_error(), what);
}

START_TEST(rejects_garbage)
{
	static const uint8_t text[] = "HELLO WORLD";
	uint8_t buf[sizeof(status_reply)];

	expect_bad(text, sizeof(text) - 1, "not a frame");
	memcpy(buf, status_reply, sizeof(buf));
	buf[1] = 0x09; /* unknown type */
	expect_bad(buf, sizeof(buf), "not a frame");
}
END_TEST

START_TEST(rejects_a_wrong_crc)
{
	uint8_t buf[sizeof(status_reply)];

	memcpy(buf, status_reply, sizeof(buf));
	buf[10] ^= 0x01; /* one payload bit flipped */
	expect_bad(buf, sizeof(buf), "CRC 209f, computed");
	memcpy(buf, status_reply, sizeof(buf));
	buf[sizeof(buf) - 1] ^= 0x80;
	expect_bad(buf, sizeof(buf), "CRC");
}
END_TEST

START_TEST(rejects_truncated_frames)
{
	for (size_t n = 0; n < sizeof(status_reply); n++)
		expect_bad(status_reply, n, "truncated");
}
END_TEST

START_TEST(rejects_oversize_and_stray_bytes)
{
	uint8_t buf[INJ_MAX_FRAME + 8];

	memcpy(buf, status_reply, sizeof(status_reply));
	buf[4] = INJ_MAX_PAYLOAD + 1;
	expect_bad(buf, sizeof(buf), "57-byte payload");
	buf[4] = 0xff;
	buf[5] = 0xff;
	expect_bad(buf, sizeof(buf), "65535-byte payload");
	memcpy(buf, status_request, sizeof(status_request));
	expect_bad(buf, sizeof(status_request) + 1, "stray");
}
END_TEST

START_TEST(rejects_the_wrong_reply)
{
	struct inj_frame f;

	ck_assert_int_eq(inj_decode(status_reply, sizeof(status_reply), &f), 0);
	ck_assert_int_eq(inj_check_reply(&f, 8, INJ_STATUS), RIG_ERR_PROTOCOL);
	ck_assert_str_eq(rig_last_error(),
			 "reply to request 7 (STATUS) while waiting for request 8 (STATUS)");
	ck_assert_int_eq(inj_check_reply(&f, 7, INJ_ARM), RIG_ERR_PROTOCOL);
	ck_assert_int_eq(inj_decode(status_request, sizeof(status_request), &f), 0);
	ck_assert_int_eq(inj_check_reply(&f, 7, INJ_STATUS), RIG_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "expected a reply"));

	inj_reply(&f, 9, INJ_STATUS, INJ_OK); /* status byte but no counters */
	ck_assert_int_eq(inj_check_reply(&f, 9, INJ_STATUS), RIG_ERR_PROTOCOL);
	ck_assert_str_eq(rig_last_error(), "STATUS reply carries 1 bytes, expected 22");
}
END_TEST

START_TEST(names_a_refusal)
{
	struct inj_frame f;

	inj_reply(&f, 3, INJ_CONFIGURE, INJ_ERR_RANGE);
	ck_assert_int_eq(inj_check_reply(&f, 3, INJ_CONFIGURE), RIG_ERR_DEVICE);
	ck_assert_str_eq(rig_last_error(), "the unit refused CONFIGURE: ERR_RANGE (value outside "
					   "what the unit can do)");
}
END_TEST

START_TEST(rejects_bad_identity_and_events)
{
	struct uut_identity id = { "MI-350", "S1", "2.4.1" };
	struct inj_frame f;
	struct inj_event ev;

	inj_reply(&f, 1, INJ_IDENTIFY, INJ_OK);
	inj_put_identity(&f, &id);
	f.payload[2 + 16 + 5] = 0x07; /* control character inside the serial's padding */
	ck_assert_int_eq(inj_get_identity(&f, &id), RIG_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "serial is not NUL-padded"));
	f.payload[1] = 2;
	ck_assert_int_eq(inj_get_identity(&f, &id), RIG_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "protocol version 2"));

	inj_event(&f, 0, INJ_EV_SHOT, &(struct inj_event){ 1, 2 });
	f.len--;
	ck_assert_int_eq(inj_get_event(&f, &ev), RIG_ERR_PROTOCOL);
	f.code = 0x90;
	ck_assert_int_eq(inj_get_event(&f, &ev), RIG_ERR_PROTOCOL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("injector protocol");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, crc16_check_value);
	tcase_add_test(tc, encodes_the_documented_bytes);
	tcase_add_test(tc, decodes_the_documented_reply);
	tcase_add_test(tc, every_frame_round_trips);
	tcase_add_test(tc, settings_round_to_the_wire_and_refuse_the_impossible);
	tcase_add_test(tc, rejects_garbage);
	tcase_add_test(tc, rejects_a_wrong_crc);
	tcase_add_test(tc, rejects_truncated_frames);
	tcase_add_test(tc, rejects_oversize_and_stray_bytes);
	tcase_add_test(tc, rejects_the_wrong_reply);
	tcase_add_test(tc, names_a_refusal);
	tcase_add_test(tc, rejects_bad_identity_and_events);
	suite_add_tcase(s, tc);
	return s;
}
