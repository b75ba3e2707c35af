/* The sim unit loader and the model's determinism. */
#include <math.h>
#include <string.h>

#include "drivers/sim/model.h"
#include "drivers/sim/random.h"
#include "drivers/sim/unit.h"
#include "rig/base/error.h"
#include "tests/lib/testutil.h"

static int load(const char *text, struct sim_unit *u)
{
	const char *path = test_write_file(test_tmpdir(), "unit.lua", text);

	sim_unit_defaults(u);
	return sim_unit_load(u, path);
}

START_TEST(defaults_are_a_good_unit)
{
	struct sim_unit u;

	ck_assert_int_eq(load("return {}", &u), 0);
	ck_assert_str_eq(u.model, "MI-350");
	ck_assert_double_eq(u.depth.gain, 1.0);
	ck_assert_double_eq(u.depth.offset_mm, 0.0);
	ck_assert_double_eq(u.dose.gain, 1.0);
	ck_assert_double_eq(u.rate.gain, 1.0);
	ck_assert_double_eq(u.missed_shot_prob, 0.0);
	ck_assert_uint_eq(u.nfaults, 0);
}
END_TEST

START_TEST(every_field_of_the_design_is_read)
{
	struct sim_unit u;

	ck_assert_int_eq(load("return {\n"
			      "  model = 'MI-351', serial = 'S-9', firmware = '3.0.0',\n"
			      "  depth = { offset_mm = 0.1, gain = 1.01, noise_mm = 0.02, drift_mm_per_shot = 0.001 },\n"
			      "  dose = { gain = 0.98, offset_ul = 0.5, noise_pct = 2 },\n"
			      "  rate = { gain = 1.02, jitter_ms = 3 },\n"
			      "  missed_shot_prob = 0.01, double_shot_prob = 0.02,\n"
			      "  faults = { { kind = 'usb_disconnect', at_shot = 200 },\n"
			      "             { kind = 'balance_unstable', at_shot = 1 } },\n"
			      "}\n",
			      &u),
			 0);
	ck_assert_str_eq(u.serial, "S-9");
	ck_assert_str_eq(u.firmware, "3.0.0");
	ck_assert_double_eq(u.depth.offset_mm, 0.1);
	ck_assert_double_eq(u.depth.drift_mm_per_shot, 0.001);
	ck_assert_double_eq(u.dose.offset_ul, 0.5);
	ck_assert_double_eq(u.rate.jitter_ms, 3);
	ck_assert_double_eq(u.double_shot_prob, 0.02);
	ck_assert_uint_eq(u.nfaults, 2);
	ck_assert_int_eq(u.faults[0].kind, SIM_FAULT_USB_DISCONNECT);
	ck_assert_uint_eq(u.faults[0].at_shot, 200);
	ck_assert_ptr_eq(sim_unit_fault(&u, SIM_FAULT_BALANCE_UNSTABLE), &u.faults[1]);
	ck_assert_ptr_null(sim_unit_fault(&u, SIM_FAULT_DAQ_OVERRUN));
}
END_TEST

/* Each bad file names the file, the line and the field. */
START_TEST(errors_name_file_line_and_field)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
		{ "return {\n  serail = 'x',\n}\n", ":2: serail: unknown field" },
		{ "return {\n  depth = {\n    gain = 'big',\n  },\n}\n",
		  ":3: depth.gain: expected a number, got string" },
		{ "return {\n  rate = {\n    gain = -1,\n  },\n}\n", ":3: rate.gain: -1 is out of range" },
		{ "return {\n  missed_shot_prob = 2,\n}\n", ":2: missed_shot_prob: 2 is out of range" },
		{ "return {\n  faults = {\n    { kind = 'x' },\n  },\n}\n",
		  ":3: faults[1].kind: \"x\" is not a fault" },
		{ "return 42\n", ":1: must return a table, got number" },
		{ "return {\n  depth = 1,\n}\n", ":2: depth: expected a plain table, got number" },
		{ "return { model = 'M', model2 = 1 }\n", ":1: model2: unknown field" },
		{ "error('boom')\n", ":1: boom" },
		{ "while true do end\n", "instruction budget exceeded" },
		{ "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(1000) .. i end\n",
		  "not enough memory" },
		{ "return { serial = ('x'):rep(100) }\n", "serial: string too long" },
		/* metamethods would run file code where nothing catches its errors */
		{ "return setmetatable({}, { __index = function() error('boom') end })\n",
		  ":1: must return a plain table, not one with a metatable" },
		{ "return {\n  depth = setmetatable({}, { __index = function() while true do end end }),\n}\n",
		  ":2: depth: expected a plain table, got one with a metatable" },
		{ "return setmetatable({}, { __gc = function() while true do end end })\n",
		  ":1: __gc finalizers are not allowed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_unit u;

		ck_assert_msg(load(cases[i].text, &u) == RIG_ERR_INVALID, "case %zu accepted", i);
		ck_assert_msg(strstr(rig_last_error(), "unit.lua") != NULL, "case %zu: %s", i,
			      rig_last_error());
		ck_assert_msg(strstr(rig_last_error(), cases[i].expect) != NULL,
			      "case %zu: got \"%s\", want \"%s\"", i, rig_last_error(),
			      cases[i].expect);
	}
}
END_TEST

START_TEST(sandbox_offers_no_io)
{
	struct sim_unit u;

	ck_assert_int_eq(load("return { serial = io.open('/etc/passwd'):read() }", &u),
			 RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "attempt to index a nil value"));
	ck_assert_int_eq(load("return { serial = require('os') }", &u), RIG_ERR_INVALID);
}
END_TEST

/* Run a burst of n shots on a model and collect the stop positions. */
static void fire(uint64_t seed, const struct sim_unit *unit, uint32_t n, double *stops,
		 double *volumes)
{
	struct sim_unit u = *unit;
	struct sim_model m;
	struct uut_settings s = { 4.0, 50.0, 350.0 };

	u.rate.jitter_ms = 0; /* one shot per period, so each step adds exactly one */
	ck_assert_int_eq(sim_model_init(&m, &u, seed, NULL), 0);
	sim_model_configure(&m, &s);
	sim_model_arm(&m, n);
	sim_model_trigger(&m, 1);
	/* One period at a time: each step schedules exactly the next shot. */
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_shot *last;

		sim_model_advance(&m, m.now + 60.0 / 350.0);
		m.now += 60.0 / 350.0;
		ck_assert_uint_eq(m.fired, i + 1);
		last = &m.ring[(m.head + m.count - 1) % SIM_SHOT_RING];
		stops[i] = last->stop_mm;
		volumes[i] = last->volume_ul;
	}
	sim_model_release(&m);
}

START_TEST(same_seed_same_unit)
{
	struct sim_unit u;
	double a[8], b[8], c[8], va[8], vb[8], vc[8];

	sim_unit_defaults(&u);
	fire(42, &u, 8, a, va);
	fire(42, &u, 8, b, vb);
	fire(43, &u, 8, c, vc);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_mem_eq(va, vb, sizeof(va));
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_double_eq_tol(a[i], 4.0, 5 * u.depth.noise_mm);
		ck_assert_double_eq_tol(va[i], 50.0, 50.0 * 5 * u.dose.noise_pct / 100);
	}
}
END_TEST

START_TEST(offset_and_gain_move_the_stop)
{
	struct sim_unit u;
	double a[8], v[8];

	sim_unit_defaults(&u);
	u.depth.noise_mm = 0;
	u.dose.noise_pct = 0;
	u.depth.offset_mm = 0.4;
	u.dose.gain = 0.9;
	fire(1, &u, 8, a, v);
	for (int i = 0; i < 8; i++) {
		ck_assert_double_eq_tol(a[i], 4.4, 1e-12);
		ck_assert_double_eq_tol(v[i], 45.0, 1e-12);
	}
}
END_TEST

START_TEST(normal_deviates_have_unit_variance)
{
	struct sim_rng r;
	double sum = 0, sum2 = 0;
	const int n = 200000;

	sim_rng_seed(&r, 5, 1);
	for (int i = 0; i < n; i++) {
		double x = sim_rng_normal(&r);

		sum += x;
		sum2 += x * x;
	}
	/* 5 standard errors: sd of the mean is 1/sqrt(n), of the variance sqrt(2/n). */
	ck_assert_double_le(fabs(sum / n), 5 / sqrt(n));
	ck_assert_double_le(fabs(sum2 / n - 1), 5 * sqrt(2.0 / n));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *unit = tcase_create("unit file");
	TCase *model = tcase_create("model");

	tcase_add_test(unit, defaults_are_a_good_unit);
	tcase_add_test(unit, every_field_of_the_design_is_read);
	tcase_add_test(unit, errors_name_file_line_and_field);
	tcase_add_test(unit, sandbox_offers_no_io);
	tcase_add_test(model, same_seed_same_unit);
	tcase_add_test(model, offset_and_gain_move_the_stop);
	tcase_add_test(model, normal_deviates_have_unit_variance);
	tcase_set_timeout(unit, 30);
	suite_add_tcase(s, unit);
	suite_add_tcase(s, model);
	return s;
}
