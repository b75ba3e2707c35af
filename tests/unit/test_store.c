/* The results store: migrations, a run's round trip, baselines, branches. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/store/store.h"
#include "tests/lib/testutil.h"

/* One store per test, in a folder the store must create. */
static const char *db_path(const char *test)
{
	static char dir[4200], path[4400];

	if (!dir[0])
		snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	snprintf(path, sizeof(path), "%s/%s/results.db", dir, test);
	return path;
}

/* A small run: one step, a measurement judged from 3 values, 3 shots. */
static void make_run(struct run_record *r, const char *id, const char *firmware, enum verdict v,
		     const char *started)
{
	static const double x[] = { 4.01, 3.98, 4.03 };
	struct step_record *s;
	struct measurement *m;

	run_record_init(r);
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->started, sizeof(r->started), "%s", started);
	snprintf(r->script.path, sizeof(r->script.path), "scripts/regression.lua");
	snprintf(r->uut.model, sizeof(r->uut.model), "MI-350");
	snprintf(r->uut.serial, sizeof(r->uut.serial), "SIM-0001");
	snprintf(r->uut.firmware, sizeof(r->uut.firmware), "%s", firmware);
	r->verdict = v;
	s = run_record_add_step(r);
	snprintf(s->id, sizeof(s->id), "DEPTH-ACC@4mm");
	snprintf(s->requirement, sizeof(s->requirement), "DEPTH-ACC");
	snprintf(s->label, sizeof(s->label), "4 mm");
	s->setting.depth_mm = 4;
	m = step_add_measurement(s);
	snprintf(m->name, sizeof(m->name), "depth_mm");
	snprintf(m->requirement, sizeof(m->requirement), "DEPTH-ACC");
	m->n = 3;
	m->mean = (x[0] + x[1] + x[2]) / 3;
	m->target = 4;
	m->verdict = v;
	ck_assert_int_eq(step_keep_values(s, m, x, 3), 0);
	for (int i = 0; i < 3; i++) {
		struct shot_row *row = step_add_shot(s);

		row->shot = (uint32_t)i + 1;
		row->depth_mm = x[i];
		row->interval_ms = i < 2 ? 500 : NAN;
	}
}

START_TEST(migrates_once_and_refuses_newer_schemas)
{
	struct store s;
	sqlite3 *db;

	ck_assert_int_eq(store_open(&s, db_path("migrates_once_and_refuses_newer_schemas")), 0);
	store_close(&s);
	ck_assert_int_eq(store_open(&s, db_path("migrates_once_and_refuses_newer_schemas")), 0);  /* second open: nothing to do */
	store_close(&s);
	ck_assert_int_eq(sqlite3_open(db_path("migrates_once_and_refuses_newer_schemas"), &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(&s, db_path("migrates_once_and_refuses_newer_schemas")), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "schema version 99 was written by a newer rig"));
}
END_TEST

START_TEST(a_run_round_trips)
{
	struct run_record r, back;
	struct store s;
	char id[64];

	make_run(&r, "20260101T000000Z-abcd", "2.4.1", VERDICT_PASS, "2026-01-01T00:00:00Z");
	ck_assert_int_eq(store_open(&s, db_path("a_run_round_trips")), 0);
	ck_assert_int_eq(store_put_run(&s, &r), 0);
	ck_assert_int_eq(store_put_run(&s, &r), RIG_ERR_INVALID);  /* stored once only */
	ck_assert_int_eq(store_resolve_run(&s, "20260101T0000", id), 0);
	ck_assert_str_eq(id, r.id);
	run_record_init(&back);
	ck_assert_int_eq(store_load_run(&s, id, &back), 0);
	ck_assert_str_eq(back.uut.firmware, "2.4.1");
	ck_assert_uint_eq(back.nsteps, 1);
	ck_assert_uint_eq(back.steps[0].nm, 1);
	ck_assert_uint_eq(back.steps[0].m[0].nvalues, 3);
	ck_assert_double_eq(back.steps[0].values[back.steps[0].m[0].value_at + 2], 4.03);
	ck_assert_double_eq_tol(back.steps[0].m[0].mean, r.steps[0].m[0].mean, 1e-15);
	ck_assert(isnan(back.steps[0].m[0].sd));  /* NAN stored as NULL, read back as NAN */
	ck_assert_int_eq(store_resolve_run(&s, "nope", id), RIG_ERR_INVALID);
	run_record_release(&back);
	run_record_release(&r);
	store_close(&s);
}
END_TEST

START_TEST(baselines)
{
	struct run_record a, b, c;
	struct store s;
	char base[64];
	const char *how;

	make_run(&a, "A", "2.4.1", VERDICT_PASS, "2026-01-01T00:00:00Z");
	make_run(&b, "B", "2.4.2", VERDICT_FAIL, "2026-01-02T00:00:00Z");
	make_run(&c, "C", "2.4.3", VERDICT_PASS, "2026-01-03T00:00:00Z");
	ck_assert_int_eq(store_open(&s, db_path("baselines")), 0);
	ck_assert_int_eq(store_put_run(&s, &a), 0);
	ck_assert_int_eq(store_put_run(&s, &b), 0);
	ck_assert_int_eq(store_put_run(&s, &c), 0);
	/* latest earlier PASS of branch 2.4: B failed, so A */
	ck_assert_int_eq(store_find_baseline(&s, "C", base, &how), 0);
	ck_assert_str_eq(base, "A");
	ck_assert_str_eq(how, "latest-pass");
	ck_assert_int_lt(store_find_baseline(&s, "A", base, &how), 0);
	ck_assert_int_eq(store_set_baseline(&s, "B", "dana", "known bad, for the test"), 0);
	ck_assert_int_eq(store_find_baseline(&s, "C", base, &how), 0);
	ck_assert_str_eq(base, "B");
	ck_assert_str_eq(how, "set");
	ck_assert_int_eq(store_set_baseline(&s, "Z", "dana", ""), RIG_ERR_INVALID);
	store_close(&s);
	run_record_release(&a);
	run_record_release(&b);
	run_record_release(&c);
}
END_TEST

START_TEST(firmware_branches)
{
	char b[32];

	store_firmware_branch("2.4.1", b, sizeof(b));
	ck_assert_str_eq(b, "2.4");
	store_firmware_branch("2.5.0-dose-low", b, sizeof(b));
	ck_assert_str_eq(b, "2.5");
	store_firmware_branch("10.12", b, sizeof(b));
	ck_assert_str_eq(b, "10.12");
	store_firmware_branch("nightly", b, sizeof(b));
	ck_assert_str_eq(b, "nightly");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, migrates_once_and_refuses_newer_schemas);
	tcase_add_test(tc, a_run_round_trips);
	tcase_add_test(tc, baselines);
	tcase_add_test(tc, firmware_branches);
	suite_add_tcase(s, tc);
	return s;
}
