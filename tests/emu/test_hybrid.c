/*
 * The hybrid bench: `rig run scripts/certify.lua` with the unit on the
 * emulated USB device (driver "injector", libusb, umockdev) and the balance
 * on a pty (driver "mtsics"), the DAQ still the sim one. Both emulators
 * answer from the sim model of the bench running in this process, so the
 * run must reach the pure sim's verdicts with the same shots. Run under
 * umockdev-wrapper.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/sim/model.h"
#include "rig/station/station.h"
#include "rig/base/error.h"
#include "rig/run/run.h"
#include "tests/emu/balance_emu.h"
#include "tests/emu/usb_emu.h"
#include "tests/lib/testutil.h"

#define SEED 20260607

static struct usb_emu usb;
static struct balance_emu bal;
static struct fixture hybrid;      /* the fixture of the hybrid run */
static struct bench balance_bench; /* what the sim balance behind the pty needs of a bench */
static struct scale *sim_balance;
static const char *dir;

/* The emulated balance weighs with the pure sim's balance, created once
 * the run's sim DAQ has built the model. */
static struct scale *sim_balance_source(struct balance_emu *e)
{
	struct sim_model *m = sim_model_active();

	(void)e;
	if (!sim_balance && m) {
		balance_bench.fx = &hybrid;
		balance_bench.opt.seed = SEED;
		balance_bench.sim = m;
		if (sim_scale_ops.open(&sim_balance, &hybrid.scale, &balance_bench) != 0)
			sim_balance = NULL;
	}
	return sim_balance;
}

/* fixtures/sim-bench.lua with the unit and the balance on the emulators. */
static const char *write_hybrid_fixture(void)
{
	char *text = test_read_file("fixtures/sim-bench.lua"), scale[300];
	const char *path;

	snprintf(scale, sizeof(scale),
		 "    driver = \"mtsics\", port = \"%s\", baud = 9600, timeout_ms = 3000,\n"
		 "    model = \"sim analytical balance",
		 bal.slave_path);
	text = test_replace(text, "uut = { driver = \"sim\" }",
			    "uut = { driver = \"injector\", serial = \"SIM-0001\", timeout_ms = 2000 }");
	text = test_replace(text, "    driver = \"sim\",\n    model = \"sim analytical balance", scale);
	path = test_write_file(dir, "hybrid.lua", text);
	free(text);
	ck_assert_msg(fixture_load(&hybrid, path) == 0, "%s", rig_last_error());
	return path;
}

static void setup(void)
{
	memset(&usb, 0, sizeof(usb));
	snprintf(usb.serial, sizeof(usb.serial), "SIM-0001"); /* the sim unit's identity */
	ck_assert_int_eq(usb_emu_start(&usb), 0);
	memset(&bal, 0, sizeof(bal));
	snprintf(bal.serial, sizeof(bal.serial), "SIM-BAL-1");
	snprintf(bal.model, sizeof(bal.model), "sim analytical balance, d = 0.01 mg");
	bal.readability_g = 1e-5;
	bal.source = sim_balance_source;
	ck_assert_int_eq(balance_emu_start(&bal), 0);
	sim_balance = NULL;
	dir = test_tmpdir();
}

static void teardown(void)
{
	balance_emu_stop(&bal);
	if (sim_balance)
		sim_scale_ops.close(sim_balance);
	usb_emu_stop(&usb);
}

static int run(const char *fixture, const char *unit, const char *out)
{
	struct run_options o = { .script = "scripts/certify.lua", .fixture = fixture,
				 .sim_unit = unit, .out = out, .seed = SEED, .batch = 1, .quiet = 1 };

	return run_execute(&o);
}

static json_t *result(const char *out)
{
	char path[4300];
	json_error_t err;
	json_t *r;

	snprintf(path, sizeof(path), "%s/result.json", out);
	r = json_load_file(path, 0, &err);
	ck_assert_msg(r != NULL, "%s: %s", path, err.text);
	return r;
}

/* The verdict of the run, every step and every measurement, one per line. */
static char *verdicts(const char *out)
{
	json_t *r = result(out), *step, *m;
	size_t i, j;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fprintf(f, "run %s\n", json_string_value(json_object_get(r, "verdict")));
	json_array_foreach(json_object_get(r, "steps"), i, step) {
		fprintf(f, "%s %s: %s\n", json_string_value(json_object_get(step, "id")),
			json_string_value(json_object_get(step, "setting_label")),
			json_string_value(json_object_get(step, "verdict")));
		json_array_foreach(json_object_get(step, "measurements"), j, m)
			fprintf(f, "  %s %s\n", json_string_value(json_object_get(m, "name")),
				json_string_value(json_object_get(m, "verdict")));
	}
	fclose(f);
	json_decref(r);
	return text;
}

/* certify.lua on the pure sim and on the hybrid bench, same seed and unit;
 * both must exit with status. */
static void run_both(const char *unit, int status, char *sim_out, char *hyb_out)
{
	snprintf(sim_out, 4200, "%s/sim", dir);
	snprintf(hyb_out, 4200, "%s/hybrid", dir);
	ck_assert_int_eq(run(NULL, unit, sim_out), status);
	ck_assert_int_eq(run(write_hybrid_fixture(), unit, hyb_out), status);
}

static void expect_same_file(const char *a, const char *b, const char *name)
{
	char pa[4300], pb[4300];
	char *ta, *tb;

	snprintf(pa, sizeof(pa), "%s/%s", a, name);
	snprintf(pb, sizeof(pb), "%s/%s", b, name);
	ta = test_read_file(pa);
	tb = test_read_file(pb);
	ck_assert_msg(strlen(ta) > 100, "%s is nearly empty", pa);
	ck_assert_msg(!strcmp(ta, tb), "%s and %s differ", pa, pb);
	free(ta);
	free(tb);
}

START_TEST(certify_gives_the_pure_sims_verdicts)
{
	char sim_out[4200], hyb_out[4200];
	char *v_sim, *v_hyb;
	json_t *r;

	run_both(NULL, 0, sim_out, hyb_out);

	v_sim = verdicts(sim_out);
	v_hyb = verdicts(hyb_out);
	ck_assert_str_eq(v_hyb, v_sim);
	ck_assert_ptr_nonnull(strstr(v_hyb, "DOSE-GRAV"));
	free(v_sim);
	free(v_hyb);
	expect_same_file(sim_out, hyb_out, "shots.csv");
	expect_same_file(sim_out, hyb_out, "truth.csv");

	/* It went through the emulators: every burst armed over USB, the
	 * balance weighed over the pty. */
	ck_assert_uint_eq(usb_emu_requests(&usb, INJ_ARM), 13);
	ck_assert_uint_ge(usb_emu_requests(&usb, INJ_STATUS), 13 * 2);
	ck_assert_uint_eq(usb.notifications, 780); /* 13 bursts x 60 shots */
	ck_assert_ptr_nonnull(sim_balance);
	r = result(hyb_out);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "uut"), "serial")),
			 "SIM-0001");
	json_decref(r);
}
END_TEST

START_TEST(unplug_mid_burst_ends_the_run_in_error_with_data_kept)
{
	const char *unit = test_write_file(dir, "unplug.lua",
					   "return { faults = { { kind = \"usb_disconnect\", "
					   "at_shot = 100 } } }\n");
	char sim_out[4200], hyb_out[4200], path[4300];
	json_t *r;
	char *shots;

	run_both(unit, 2, sim_out, hyb_out);

	r = result(hyb_out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "ERROR");
	ck_assert_msg(strstr(json_string_value(json_object_get(r, "error")),
			     "unit SIM-0001 left the USB bus"),
		      "%s", json_string_value(json_object_get(r, "error")));
	json_decref(r);
	/* The shots measured before the unplug are kept, as the pure sim keeps them. */
	expect_same_file(sim_out, hyb_out, "shots.csv");
	snprintf(path, sizeof(path), "%s/shots.csv", hyb_out);
	shots = test_read_file(path);
	/* 60 shots in the first step, 39 in the second: the 100th never fired. */
	ck_assert_ptr_nonnull(strstr(shots, "\nDEPTH-ACC@1.5mm,60,"));
	ck_assert_ptr_nonnull(strstr(shots, "\nDEPTH-ACC@2mm,39,"));
	ck_assert_ptr_null(strstr(shots, "\nDEPTH-ACC@2mm,40,"));
	free(shots);
	ck_assert_int_eq(usb.unplugged, 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hybrid bench");
	TCase *tc = tcase_create("certify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, certify_gives_the_pure_sims_verdicts);
	tcase_add_test(tc, unplug_mid_burst_ends_the_run_in_error_with_data_kept);
	suite_add_tcase(s, tc);
	return s;
}
