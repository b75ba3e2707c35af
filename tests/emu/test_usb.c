/*
 * The injector backend through libusb against the emulated unit
 * (tests/emu/usb_emu.h), which plays the sim model a test creates here.
 * Run under umockdev-wrapper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "drivers/backends.h"
#include "drivers/devices.h"
#include "drivers/injector/dfu.h"
#include "drivers/injector/usb.h"
#include "drivers/sim/model.h"
#include "rig/base/error.h"
#include "tests/emu/usb_emu.h"
#include "tests/lib/fwimage.h"
#include "tests/lib/testutil.h"

static struct usb_emu emu;
static struct sim_model model;
static struct fixture_uut cfg;
static struct uut *uut;

static void start(int kernel_driver)
{
	struct sim_unit unit;

	memset(&emu, 0, sizeof(emu));
	emu.kernel_driver = kernel_driver;
	ck_assert_int_eq(usb_emu_start(&emu), 0);
	sim_unit_defaults(&unit);
	ck_assert_int_eq(sim_model_init(&model, &unit, 7, NULL), 0);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.driver, sizeof(cfg.driver), "injector");
	cfg.timeout_ms = 300;
	uut = NULL;
}

static void setup(void)
{
	start(0);
}

static void teardown(void)
{
	if (uut)
		uut->ops->close(uut);
	sim_model_release(&model);
	usb_emu_stop(&emu);
}

static void open_unit(void)
{
	ck_assert_msg(injector_uut_ops.open(&uut, &cfg, NULL) == 0, "%s", rig_last_error());
}

static void expect(int rc, int code, const char *what)
{
	ck_assert_msg(rc == code, "rc %d, expected %d: %s", rc, code, rig_last_error());
	ck_assert_msg(strstr(rig_last_error(), what), "\"%s\" lacks \"%s\"", rig_last_error(),
		      what);
}

/* Play the DAQ: hold the trigger for seconds of model time. */
static void fire(double seconds)
{
	sim_model_trigger(&model, 1);
	sim_model_advance(&model, model.now + seconds);
	model.now += seconds;
	sim_model_trigger(&model, 0);
}

START_TEST(enumerates)
{
	libusb_context *ctx;
	libusb_device **list;
	struct libusb_device_descriptor dd;
	char sn[64];

	ck_assert_int_eq(injusb_context(&ctx), 0);
	ck_assert_int_eq(libusb_get_device_list(ctx, &list), 1);
	ck_assert_int_eq(libusb_get_device_descriptor(list[0], &dd), 0);
	ck_assert_uint_eq(dd.idVendor, 0x1209);
	ck_assert_uint_eq(dd.idProduct, 0x0001);
	ck_assert_uint_eq(dd.bcdDevice, 0x0241);
	ck_assert_int_eq(injusb_mode_of(list[0]), INJUSB_RUNTIME);
	ck_assert_int_eq(injusb_serial(list[0], sn, sizeof(sn)), 0);
	ck_assert_str_eq(sn, "MI350-000123");
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
}
END_TEST

START_TEST(opens_claims_and_identifies)
{
	open_unit();
	ck_assert_str_eq(uut->id.model, "MI-350");
	ck_assert_str_eq(uut->id.serial, "MI350-000123");
	ck_assert_str_eq(uut->id.firmware, "2.4.1");
	ck_assert_int_eq(emu.claimed, 1);
	ck_assert_uint_eq(usb_emu_requests(&emu, INJ_IDENTIFY), 1);
	uut->ops->close(uut);
	uut = NULL;
	ck_assert_int_eq(emu.claimed, 0);
}
END_TEST

START_TEST(detaches_and_gives_back_a_kernel_driver)
{
	teardown();
	start(1);
	open_unit();
	ck_assert_int_eq(emu.driver_detached, 1);
	ck_assert_int_eq(emu.claimed, 1);
	uut->ops->close(uut);
	uut = NULL;
	ck_assert_int_eq(emu.driver_detached, 0);
}
END_TEST

START_TEST(finds_the_unit_by_serial)
{
	snprintf(cfg.serial, sizeof(cfg.serial), "MI350-000123");
	open_unit();
	uut->ops->close(uut);
	uut = NULL;
	snprintf(cfg.serial, sizeof(cfg.serial), "MI350-999999");
	expect(injector_uut_ops.open(&uut, &cfg, NULL), RIG_ERR_NODEV,
	       "no injector 1209:0001 with serial \"MI350-999999\" on USB (found serials "
	       "\"MI350-000123\"");
	cfg.pid = 0x0002;
	expect(injector_uut_ops.open(&uut, &cfg, NULL), RIG_ERR_NODEV, "none plugged in");
	ck_assert_ptr_null(uut);
}
END_TEST

START_TEST(every_command)
{
	struct uut_settings s = { 6, 100, 350 };
	struct uut_status st;

	open_unit();
	ck_assert_msg(uut->ops->configure(uut, &s) == 0, "%s", rig_last_error());
	ck_assert(model.set.depth_mm == 6 && model.set.dose_ul == 100 && model.set.rate_per_min == 350);
	ck_assert_int_eq(uut->ops->arm(uut, 5), 0);
	ck_assert_uint_eq(model.armed, 5);
	ck_assert_int_eq(uut->ops->status(uut, &st), 0);
	ck_assert_uint_eq(st.shots_fired, 0);
	ck_assert_int_eq(st.firing, 0);

	fire(3.0); /* 350/min: the 5 shots take 0.7 s */
	ck_assert_int_eq(uut->ops->status(uut, &st), 0);
	ck_assert_uint_eq(st.shots_fired, 5);
	ck_assert_uint_eq(st.armed_left, 0);
	ck_assert_int_eq(st.firing, 0);
	ck_assert_uint_eq(st.faults, 0);
	ck_assert_uint_eq(emu.notifications, 5); /* one SHOT each, drained by the driver */

	ck_assert_int_eq(uut->ops->disarm(uut), 0);
	ck_assert_uint_eq(model.armed, 0);
	for (unsigned code = INJ_IDENTIFY; code <= INJ_STATUS; code++)
		ck_assert_uint_ge(usb_emu_requests(&emu, (uint8_t)code), 1);
}
END_TEST

START_TEST(reports_a_refusal)
{
	struct uut_settings s = { 6.5, 20, 120 };

	open_unit();
	expect(uut->ops->configure(uut, &s), RIG_ERR_DEVICE, "refused CONFIGURE: ERR_RANGE");
	ck_assert(model.set.depth_mm == 4); /* unchanged */
	model.faults |= UUT_FAULT_STUCK_NEEDLE;
	expect(uut->ops->arm(uut, 60), RIG_ERR_DEVICE, "ERR_FAULT");
}
END_TEST

/* A fault on one reply fails that request clearly; the next one works. */
static void fault_then_recover(enum usb_emu_fault f, int code, const char *what)
{
	struct uut_status st;

	open_unit();
	usb_emu_set_fault(&emu, f);
	expect(uut->ops->status(uut, &st), code, what);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "MI350-000123"));
	ck_assert_msg(uut->ops->status(uut, &st) == 0, "no recovery: %s", rig_last_error());
}

static const struct {
	enum usb_emu_fault fault;
	int code;
	const char *what;
} bad_replies[] = {
	{ USB_EMU_GARBAGE, RIG_ERR_PROTOCOL, "reply to STATUS: not a frame" },
	{ USB_EMU_BAD_CRC, RIG_ERR_PROTOCOL, "reply to STATUS: frame CRC" },
	{ USB_EMU_TRUNCATED, RIG_ERR_PROTOCOL, "reply to STATUS: truncated frame" },
	{ USB_EMU_SILENT, RIG_ERR_TIMEOUT, "did not answer STATUS within 300 ms" },
};

/* Garbage, a wrong CRC, a truncated frame, no reply at all. */
START_TEST(a_bad_reply_fails_one_request)
{
	fault_then_recover(bad_replies[_i].fault, bad_replies[_i].code, bad_replies[_i].what);
}
END_TEST

START_TEST(stale_reply_is_dropped)
{
	struct uut_status st;

	open_unit();
	usb_emu_set_fault(&emu, USB_EMU_STALE);
	ck_assert_msg(uut->ops->status(uut, &st) == 0, "%s", rig_last_error());
}
END_TEST

START_TEST(stall_is_cleared)
{
	struct uut_status st;

	open_unit();
	usb_emu_set_fault(&emu, USB_EMU_STALL_IN);
	ck_assert_msg(uut->ops->status(uut, &st) == 0, "%s", rig_last_error());
	ck_assert_int_eq(emu.halts_cleared, 1);
	usb_emu_set_fault(&emu, USB_EMU_STALL_OUT);
	ck_assert_msg(uut->ops->arm(uut, 3) == 0, "%s", rig_last_error());
	ck_assert_int_eq(emu.halts_cleared, 2);
	ck_assert_uint_eq(model.armed, 3);
}
END_TEST

START_TEST(unplug)
{
	struct uut_status st;

	open_unit();
	usb_emu_unplug(&emu);
	expect(uut->ops->status(uut, &st), RIG_ERR_NODEV, "unit MI350-000123 left the USB bus");
	expect(uut->ops->arm(uut, 1), RIG_ERR_NODEV, "left the USB bus");
}
END_TEST

/* With hotplug, the unit's departure is known before anything is sent. */
START_TEST(hotplug_sees_the_unplug)
{
	libusb_context *ctx;
	struct injusb u;
	int rc = 0;

	ck_assert(libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG));
	ck_assert_int_eq(injusb_context(&ctx), 0);
	ck_assert_int_eq(injusb_open(&u, ctx, 0x1209, 0x0001, NULL, INJUSB_RUNTIME), 0);
	ck_assert_int_eq(injusb_claim(&u, INJ_IFACE_CONTROL), 0);
	ck_assert_int_eq(injusb_check_present(&u), 0);
	usb_emu_unplug(&emu);
	for (int i = 0; i < 200 && !rc; i++) {
		rc = injusb_check_present(&u);
		g_usleep(10000);
	}
	expect(rc, RIG_ERR_NODEV, "left the USB bus");
	injusb_close(&u);
	libusb_exit(ctx);
}
END_TEST

START_TEST(restart_is_detected)
{
	struct uut_status st;

	open_unit();
	model.fired = 10;
	ck_assert_int_eq(uut->ops->status(uut, &st), 0);
	model.fired = 2; /* the unit came back from a brown-out */
	expect(uut->ops->status(uut, &st), RIG_ERR_DEVICE, "restarted: its shot counter went from "
							 "10 to 2");
}
END_TEST

START_TEST(enters_the_bootloader)
{
	libusb_context *ctx;
	struct injusb u;

	open_unit();
	ck_assert_int_eq(uut->ops->enter_bootloader(uut), 0);
	ck_assert_int_eq(injusb_context(&ctx), 0);
	ck_assert_msg(injusb_wait(&u, ctx, 0x1209, "MI350-000123", INJUSB_DFU, 3000) == 0, "%s",
		      rig_last_error());
	injusb_close(&u);
	libusb_exit(ctx);
	ck_assert_int_eq(emu.enumerations, 2);
}
END_TEST

static int flash(const char *file, struct flash_result *res)
{
	struct flash_request rq = { .file = file, .serial = "MI350-000123", .timeout_ms = 500,
				    .enumerate_ms = 3000 };

	return injector_flash(&rq, res);
}

START_TEST(flashes_and_verifies)
{
	struct flash_result res;
	const char *file = fwimage_write(test_tmpdir(), "fw.dfu", "MI-350", "2.5.0", 3000,
					 FWIMAGE_GOOD);

	ck_assert_msg(flash(file, &res) == 0, "%s", rig_last_error());
	ck_assert_str_eq(res.before, "2.4.1");
	ck_assert_str_eq(res.after.firmware, "2.5.0");
	ck_assert_uint_eq(res.bytes, 3064);
	ck_assert_uint_eq(res.blocks, 12);     /* 3064 bytes in 256-byte blocks */
	ck_assert_uint_eq(emu.dfu_blocks, 12);
	ck_assert_int_eq(emu.enumerations, 3); /* runtime, DFU mode, runtime */
	ck_assert_int_eq(emu.mode, USB_EMU_RUNTIME);
	ck_assert_str_eq(emu.firmware, "2.5.0");
}
END_TEST

/* rig.uut:flash() in a script: the open unit is updated and reopened. */
START_TEST(the_open_unit_flashes_and_comes_back)
{
	const char *file = fwimage_write(test_tmpdir(), "fw.dfu", "MI-350", "2.5.0", 3000,
					 FWIMAGE_GOOD);
	struct uut_status st;

	open_unit();
	ck_assert_str_eq(uut->id.firmware, "2.4.1");
	ck_assert_msg(uut->ops->flash(uut, file) == 0, "%s", rig_last_error());
	ck_assert_str_eq(uut->id.firmware, "2.5.0");
	ck_assert_str_eq(emu.firmware, "2.5.0");
	ck_assert_int_eq(emu.enumerations, 3);
	ck_assert_msg(uut->ops->status(uut, &st) == 0, "%s", rig_last_error());
}
END_TEST

START_TEST(the_unit_rejects_a_corrupted_image)
{
	struct flash_result res;
	const char *dir = test_tmpdir();
	const char *bad = fwimage_write(dir, "bad.dfu", "MI-350", "2.5.0", 3000, FWIMAGE_BAD_CODE);

	expect(flash(bad, &res), RIG_ERR_DEVICE,
	       "rejected the image in manifestation: errVERIFY");
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "stays in DFU mode"));
	ck_assert_int_eq(emu.mode, USB_EMU_DFU);
	ck_assert_uint_eq(emu.dfu_blocks, 12);
	/* The unit in DFU mode takes a good image directly. */
	ck_assert_msg(flash(fwimage_write(dir, "good.dfu", "MI-350", "2.5.1", 3000, FWIMAGE_GOOD),
			    &res) == 0,
		      "%s", rig_last_error());
	ck_assert_str_eq(res.before, "");
	ck_assert_str_eq(res.after.firmware, "2.5.1");
}
END_TEST

START_TEST(a_write_error_stops_the_download)
{
	struct flash_result res;

	emu.dfu_fail_block = 2;
	expect(flash(fwimage_write(test_tmpdir(), "fw.dfu", "MI-350", "2.5.0", 3000, FWIMAGE_GOOD),
		     &res),
	       RIG_ERR_DEVICE, "rejected block 2: errWRITE");
	ck_assert_uint_eq(emu.dfu_blocks, 3);
}
END_TEST

START_TEST(refuses_before_touching_the_unit)
{
	struct flash_result res;
	const char *dir = test_tmpdir();

	expect(flash(fwimage_write(dir, "dmg.dfu", "MI-350", "2.5.0", 3000, FWIMAGE_BAD_FILE), &res),
	       RIG_ERR_INVALID, "the file is damaged");
	expect(flash(fwimage_write(dir, "other.dfu", "MI-200", "1.0.0", 3000, FWIMAGE_GOOD), &res),
	       RIG_ERR_INVALID, "an image for MI-200, the unit MI350-000123 is a MI-350");
	ck_assert_uint_eq(usb_emu_requests(&emu, INJ_IDENTIFY), 1); /* the model check */
	ck_assert_int_eq(emu.enumerations, 1);
	ck_assert_uint_eq(emu.dfu_blocks, 0);
}
END_TEST

START_TEST(lists_the_unit)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_int_eq(injector_list(out, 0, 0), 0);
	fclose(out);
	ck_assert_msg(strstr(text, "usb     1209:0001  bus 001 device 002  MI350-000123      MI-350 "
				   "firmware 2.4.1"),
		      "%s", text);
	free(text);
}
END_TEST

/* The rig binary, a child process, reaches the emulator through the testbed. */
static char *rig(const char *args, int *status)
{
	const char *bin = getenv("RIG") ? getenv("RIG") : "build/rig";
	char cmd[4400], *text = NULL;
	size_t len = 0, n;
	char buf[512];
	FILE *p, *out = open_memstream(&text, &len);

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, out);
	*status = pclose(p);
	fclose(out);
	return text;
}

START_TEST(rig_list_devices_shows_the_unit)
{
	int status;
	char *out = rig("list-devices", &status);

	ck_assert_msg(status == 0 && strstr(out, "MI350-000123      MI-350 firmware 2.4.1"), "%s",
		      out);
	free(out);
}
END_TEST

START_TEST(rig_flash_updates_the_unit)
{
	char args[4400], *out;
	int status;

	snprintf(args, sizeof(args), "flash %s --unit MI350-000123",
		 fwimage_write(test_tmpdir(), "fw.dfu", "MI-350", "2.6.0", 5000, FWIMAGE_GOOD));
	out = rig(args, &status);
	ck_assert_msg(status == 0, "%s", out);
	ck_assert_str_eq(out, "flashed MI350-000123: firmware 2.4.1 -> 2.6.0 (5064 bytes in 20 "
			      "blocks), verified\n");
	free(out);
	out = rig("flash /no/such.dfu --unit MI350-000123", &status);
	ck_assert_msg(WEXITSTATUS(status) == 2 && strstr(out, "rig: /no/such.dfu: cannot open"),
		      "%s", out);
	free(out);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("injector over emulated USB");
	TCase *tc = tcase_create("usb");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, enumerates);
	tcase_add_test(tc, opens_claims_and_identifies);
	tcase_add_test(tc, detaches_and_gives_back_a_kernel_driver);
	tcase_add_test(tc, finds_the_unit_by_serial);
	tcase_add_test(tc, every_command);
	tcase_add_test(tc, reports_a_refusal);
	tcase_add_loop_test(tc, a_bad_reply_fails_one_request, 0,
			    (int)(sizeof(bad_replies) / sizeof(bad_replies[0])));
	tcase_add_test(tc, stale_reply_is_dropped);
	tcase_add_test(tc, stall_is_cleared);
	tcase_add_test(tc, unplug);
	tcase_add_test(tc, hotplug_sees_the_unplug);
	tcase_add_test(tc, restart_is_detected);
	tcase_add_test(tc, enters_the_bootloader);
	tcase_add_test(tc, flashes_and_verifies);
	tcase_add_test(tc, the_open_unit_flashes_and_comes_back);
	tcase_add_test(tc, the_unit_rejects_a_corrupted_image);
	tcase_add_test(tc, a_write_error_stops_the_download);
	tcase_add_test(tc, refuses_before_touching_the_unit);
	tcase_add_test(tc, lists_the_unit);
	tcase_add_test(tc, rig_list_devices_shows_the_unit);
	tcase_add_test(tc, rig_flash_updates_the_unit);
	suite_add_tcase(s, tc);
	return s;
}
