/* Firmware files (drivers/injector/firmware.c) against dfu-util's dfu-suffix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/injector/firmware.h"
#include "rig/base/error.h"
#include "tests/lib/fwimage.h"
#include "tests/lib/testutil.h"

static void expect_refused(const char *path, const char *what)
{
	struct firmware fw;

	ck_assert_int_eq(firmware_load(&fw, path), RIG_ERR_INVALID);
	ck_assert_msg(strstr(rig_last_error(), what), "\"%s\" lacks \"%s\"", rig_last_error(), what);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), path));
	ck_assert_ptr_null(fw.image);
}

/* bytes, with dfu-suffix's suffix when add_suffix. */
static const char *raw_file(const char *dir, const char *name, const void *bytes, size_t n,
			    int add_suffix)
{
	const char *path = test_write_file(dir, name, "");
	char cmd[4400];
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "dfu-suffix -v 1209 -p 0001 -a '%s' >/dev/null", path);
	ck_assert(!add_suffix || system(cmd) == 0);
	return path;
}

START_TEST(loads_what_dfu_suffix_wrote)
{
	const char *dir = test_tmpdir();
	struct firmware fw;

	ck_assert_msg(firmware_load(&fw, fwimage_write(dir, "good.dfu", "MI-350", "2.5.0", 3000,
						      FWIMAGE_GOOD)) == 0,
		      "%s", rig_last_error());
	ck_assert_str_eq(fw.version, "2.5.0");
	ck_assert_str_eq(fw.model, "MI-350");
	ck_assert_uint_eq(fw.len, 3064);
	ck_assert_uint_eq(fw.code_len, 3000);
	ck_assert_uint_eq(fw.vid, 0x1209);
	ck_assert_uint_eq(fw.pid, 0x0001);
	ck_assert_uint_eq(fw.bcd_device, 0x0250);
	ck_assert(memcmp(fw.image, "MIFW", 4) == 0);
	ck_assert(firmware_fits(&fw, 0x1209, 0x0001));
	ck_assert(!firmware_fits(&fw, 0x1209, 0x0002));
	fw.pid = 0xffff;
	ck_assert(firmware_fits(&fw, 0x1209, 0x0002));
	firmware_release(&fw);
}
END_TEST

START_TEST(suffix_crc_is_dfu_utils)
{
	/* dfu-util's check value: CRC-32 of "123456789" is cbf43926, so the
	 * suffix's register (no final inversion) is its complement. */
	ck_assert_uint_eq(firmware_suffix_crc((const uint8_t *)"123456789", 9), ~0xcbf43926u);
}
END_TEST

START_TEST(refuses_a_damaged_file)
{
	expect_refused(fwimage_write(test_tmpdir(), "bad.dfu", "MI-350", "2.5.0", 3000,
				     FWIMAGE_BAD_FILE),
		       "DFU suffix CRC does not match: the file is damaged");
}
END_TEST

START_TEST(refuses_files_that_are_no_image)
{
	const char *dir = test_tmpdir();
	uint8_t img[64 + 100] = "MIFW\x01\x00\x40\x00";

	expect_refused(raw_file(dir, "empty", "", 0, 0), "too short");
	expect_refused(raw_file(dir, "nosuffix", img, sizeof(img), 0), "no DFU suffix");
	img[8] = 99; /* declares 99 bytes of code, carries 100 */
	expect_refused(raw_file(dir, "short", img, sizeof(img), 1), "length does not match");
	img[8] = 100;
	expect_refused(raw_file(dir, "noversion", img, sizeof(img), 1), "no firmware version");
	memcpy(img + 16, "2.5.0", 5);
	expect_refused(raw_file(dir, "nomodel", img, sizeof(img), 1), "no model");
	img[0] = 'X';
	expect_refused(raw_file(dir, "magic", img, sizeof(img), 1), "no MIFW header");
	expect_refused(test_path("no/such/file.dfu"), "cannot open");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("firmware files");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, loads_what_dfu_suffix_wrote);
	tcase_add_test(tc, suffix_crc_is_dfu_utils);
	tcase_add_test(tc, refuses_a_damaged_file);
	tcase_add_test(tc, refuses_files_that_are_no_image);
	suite_add_tcase(s, tc);
	return s;
}
