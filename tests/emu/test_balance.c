/* The mtsics backend against an MT-SICS balance on a pseudo-terminal. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drivers/backends.h"
#include "rig/base/error.h"
#include "tests/emu/balance_emu.h"
#include "tests/lib/testutil.h"

static struct balance_emu emu;
static struct fixture_scale cfg;
static struct scale *sc;

static void setup(void)
{
	memset(&emu, 0, sizeof(emu));
	snprintf(emu.serial, sizeof(emu.serial), "B021002593");
	snprintf(emu.model, sizeof(emu.model), "XPR205 220.00000 g");
	ck_assert_int_eq(balance_emu_start(&emu), 0);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.driver, sizeof(cfg.driver), "mtsics");
	snprintf(cfg.port, sizeof(cfg.port), "%s", emu.slave_path);
	snprintf(cfg.model, sizeof(cfg.model), "fixture's model");
	cfg.baud = 9600;
	cfg.timeout_ms = 300;
	sc = NULL;
}

static void teardown(void)
{
	if (sc)
		sc->ops->close(sc);
	balance_emu_stop(&emu);
}

static void open_balance(void)
{
	ck_assert_msg(mtsics_scale_ops.open(&sc, &cfg, NULL) == 0, "%s", rig_last_error());
}

static void expect(int rc, int code, const char *what)
{
	ck_assert_msg(rc == code, "rc %d, expected %d: %s", rc, code, rig_last_error());
	ck_assert_msg(strstr(rig_last_error(), what), "\"%s\" lacks \"%s\"", rig_last_error(),
		      what);
}

START_TEST(opens_and_identifies)
{
	open_balance();
	ck_assert_str_eq(sc->serial, "B021002593");
	ck_assert_str_eq(sc->model, "XPR205 220.00000 g");
	ck_assert_uint_eq(emu.commands, 3); /* @, I4, I2 */
}
END_TEST

START_TEST(keeps_the_fixture_model_without_I2)
{
	balance_emu_answer(&emu, "I2", "ES");
	open_balance();
	ck_assert_str_eq(sc->model, "fixture's model");
}
END_TEST

START_TEST(refuses_what_is_not_a_balance_port)
{
	snprintf(cfg.port, sizeof(cfg.port), "%s", test_path("Makefile"));
	expect(mtsics_scale_ops.open(&sc, &cfg, NULL), RIG_ERR_INVALID, "not a serial port");
	snprintf(cfg.port, sizeof(cfg.port), "/dev/ttyACM-none");
	expect(mtsics_scale_ops.open(&sc, &cfg, NULL), RIG_ERR_NODEV, "/dev/ttyACM-none: cannot open");
	cfg.port[0] = '\0';
	expect(mtsics_scale_ops.open(&sc, &cfg, NULL), RIG_ERR_INVALID, "scale.port");
	snprintf(cfg.port, sizeof(cfg.port), "%s", emu.slave_path);
	cfg.baud = 12345;
	expect(mtsics_scale_ops.open(&sc, &cfg, NULL), RIG_ERR_INVALID, "not a standard rate");
	ck_assert_ptr_null(sc);
}
END_TEST

START_TEST(tares_and_weighs_net)
{
	struct scale_reading r;

	balance_emu_load(&emu, 25.00311);   /* the weighing vessel */
	open_balance();
	ck_assert_int_eq(sc->ops->zero(sc), 0);
	ck_assert_int_eq(sc->ops->tare(sc), 0);
	balance_emu_load(&emu, 28.00432);   /* plus 60 shots of 50 ul */
	ck_assert_msg(sc->ops->weigh(sc, 1000, &r) == 0, "%s", rig_last_error());
	ck_assert_int_eq(r.stable, 1);
	ck_assert_double_eq_tol(r.grams, 3.00121, 1e-9);
}
END_TEST

START_TEST(waits_for_stability)
{
	struct scale_reading r;

	balance_emu_load(&emu, 3.0);
	open_balance();
	balance_emu_unsettle(&emu, 3);
	ck_assert_int_eq(sc->ops->weigh_now(sc, &r), 0);
	ck_assert_int_eq(r.stable, 0);
	ck_assert_double_eq_tol(r.grams, 3.003, 1e-9);
	ck_assert_msg(sc->ops->weigh(sc, 3000, &r) == 0, "%s", rig_last_error());
	ck_assert_int_eq(r.stable, 1);
	ck_assert_double_eq_tol(r.grams, 3.0, 1e-9);
	ck_assert_uint_eq(emu.commands, 3 + 1 + 3); /* open, SI, S I, S I, S S */
}
END_TEST

START_TEST(times_out_when_never_stable)
{
	struct scale_reading r;

	open_balance();
	balance_emu_unsettle(&emu, 1000);
	expect(sc->ops->weigh(sc, 250, &r), RIG_ERR_TIMEOUT, "no stable reading within 250 ms");
	expect(sc->ops->tare(sc), RIG_ERR_TIMEOUT, "for \"T\"");
	expect(sc->ops->zero(sc), RIG_ERR_TIMEOUT, "for \"Z\"");
}
END_TEST

/* What the driver sends cmd for. */
static int call(const char *cmd)
{
	struct scale_reading r;

	if (!strcmp(cmd, "S"))
		return sc->ops->weigh(sc, 1000, &r);
	if (!strcmp(cmd, "SI"))
		return sc->ops->weigh_now(sc, &r);
	return !strcmp(cmd, "T") ? sc->ops->tare(sc) : sc->ops->zero(sc);
}

static const struct {
	const char *cmd, *reply;
	int code;
	const char *what;
} bad_replies[] = {
	{ "S", "ES", RIG_ERR_PROTOCOL, "syntax error" },
	{ "S", "ET", RIG_ERR_PROTOCOL, "transmission error" },
	{ "T", "EL", RIG_ERR_DEVICE, "logical error" },
	{ "S", "S +", RIG_ERR_DEVICE, "overload" },
	{ "SI", "S -", RIG_ERR_DEVICE, "underload" },
	{ "Z", "Z +", RIG_ERR_DEVICE, "above the zero/tare range" },
	{ "S", "S S   #@!~ g", RIG_ERR_PROTOCOL, "no weight value" },
	{ "SI", "\x7f\x01\x02", RIG_ERR_PROTOCOL, "malformed" },
	{ "S", "S S      1.00000 oz", RIG_ERR_PROTOCOL, "\"oz\"" },
};

/* Error replies and garbage: a clear error naming the port, then the
 * balance still answers. */
START_TEST(reports_a_bad_reply)
{
	open_balance();
	balance_emu_answer(&emu, bad_replies[_i].cmd, bad_replies[_i].reply);
	expect(call(bad_replies[_i].cmd), bad_replies[_i].code, bad_replies[_i].what);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), emu.slave_path));
	ck_assert_int_eq(call(bad_replies[_i].cmd), 0);
}
END_TEST

START_TEST(times_out_on_silence)
{
	struct scale_reading r;

	open_balance();
	balance_emu_silence(&emu);
	expect(sc->ops->weigh_now(sc, &r), RIG_ERR_TIMEOUT, "did not answer within 300 ms");
}
END_TEST

START_TEST(reports_a_hang_up)
{
	struct scale_reading r;

	open_balance();
	balance_emu_hangup(&emu);
	expect(sc->ops->weigh_now(sc, &r), RIG_ERR_NODEV, "hung up");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("MT-SICS balance on a pty");
	TCase *tc = tcase_create("balance");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, opens_and_identifies);
	tcase_add_test(tc, keeps_the_fixture_model_without_I2);
	tcase_add_test(tc, refuses_what_is_not_a_balance_port);
	tcase_add_test(tc, tares_and_weighs_net);
	tcase_add_test(tc, waits_for_stability);
	tcase_add_test(tc, times_out_when_never_stable);
	tcase_add_loop_test(tc, reports_a_bad_reply, 0,
			    (int)(sizeof(bad_replies) / sizeof(bad_replies[0])));
	tcase_add_test(tc, times_out_on_silence);
	tcase_add_test(tc, reports_a_hang_up);
	suite_add_tcase(s, tc);
	return s;
}
