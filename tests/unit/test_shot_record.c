/*
 * One shot record (issue 15, docs/design.md "What a shot is"): each shot
 * carries the points its numbers were read from, and those points are
 * checked here against the raw codes the generator (tests/lib/synth.c)
 * wrote, through the calibration polynomial applied here, not rig's: the
 * baseline is the mean over its window, the settled plunger levels are
 * the means over theirs and the volume is their difference, the onset and
 * the crest are where the times say. Then the record goes through its
 * journal form and back bit for bit, as rig verify --deep relies on.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/record.h"
#include "rig/base/record_json.h"
#include "rig/measure/capture.h"
#include "rig/station/burst.h"
#include "tests/lib/shots.h"
#include "tests/lib/synth.h"
#include "tests/lib/testutil.h"

#define NSTROKES 6
static struct synth_stroke strokes[NSTROKES];

/* A 16-bit sensor over -1..+7 mm with an offset, a plunger, 20 kS/s;
 * strokes of several depths and doses every 0.25 s. */
static struct synth make_synth(void)
{
	static const double stop[] = { 1.5, 4.0, 6.0, 2.0 };
	static const double vol[] = { 10, 50, 100, 20 };
	struct synth s = {
		.rate_hz = 20000, .bits = 16,
		.poly_d = { -1.0, 8.0 / 65535 }, .poly_p = { 0.0, 0.05 },
		.offset_mm = 0.3, .noise_mm = 0.002, .noise_ul = 0.05, .seed = 7,
		.nstrokes = NSTROKES, .strokes = strokes,
	};

	for (size_t i = 0; i < NSTROKES; i++) {
		strokes[i] = (struct synth_stroke){ .rise_s = 0.003, .dwell_s = 0.030,
						    .retract_s = 0.004 };
		strokes[i].t0 = 0.15 + 0.25 * (double)i;
		strokes[i].stop_mm = stop[i % 4];
		strokes[i].volume_ul = vol[i % 4];
	}
	synth_init(&s);
	return s;
}

/* Mean of channel ch (0 displacement, 1 plunger) over scans [from, to),
 * each code through the generator's own polynomial. */
static double mean_of(const struct synth *s, int ch, double from, double to)
{
	size_t n = (size_t)(to - from);
	uint16_t *codes = malloc(2 * n * sizeof(*codes));
	const double *poly = ch ? s->poly_p : s->poly_d;
	long double sum = 0;

	ck_assert_ptr_nonnull(codes);
	synth_codes(s, (uint64_t)from, n, codes);
	for (size_t i = 0; i < n; i++)
		sum += poly[0] + poly[1] * codes[2 * i + (size_t)ch];
	free(codes);
	return (double)(sum / (long double)n);
}

static void measure_synth(struct synth *s, struct shots *got)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/shots.rcap", test_tmpdir());
	ck_assert_int_eq(synth_write_rcap(s, path, (uint64_t)(1.8 * s->rate_hz)), 0);
	memset(got, 0, sizeof(*got));
	ck_assert_msg(measure_capture(path, 0, shots_collect, got, NULL) == 0, "%s", rig_last_error());
	ck_assert_uint_eq(got->n, NSTROKES);
}

START_TEST(points_are_where_the_numbers_came_from)
{
	struct synth s = make_synth();
	struct shots got;

	measure_synth(&s, &got);
	for (size_t i = 0; i < got.n; i++) {
		const struct shot *sh = &got.s[i];
		double t0 = strokes[i].t0 * s.rate_hz, stop = t0 + (0.003 + 0.030) * s.rate_hz;

		/* Times are the scan indices over the rate, nothing else. */
		ck_assert(sh->t_s == sh->onset_scan / s.rate_hz);
		ck_assert(sh->peak_s == sh->peak_scan / s.rate_hz);
		ck_assert(sh->end_s == sh->end_scan / s.rate_hz);
		/* The baseline: 20 ms (docs/measurement.md) before the rise,
		 * its value the mean over that window. */
		ck_assert_uint_eq(sh->baseline_to - sh->baseline_from, 400);
		ck_assert_double_le((double)sh->baseline_to, t0);
		ck_assert_double_eq_tol(sh->baseline_mm,
					mean_of(&s, 0, (double)sh->baseline_from, (double)sh->baseline_to),
					1e-9);
		ck_assert_double_eq_tol(sh->baseline_mm, s.offset_mm, 0.002);
		/* The crest lies on the stop, at the stop's time. */
		ck_assert_double_eq_tol(sh->baseline_mm + sh->depth_mm, s.offset_mm + strokes[i].stop_mm,
					0.02);
		ck_assert_double_ge(sh->peak_scan, t0 + 0.003 * s.rate_hz - 2);
		ck_assert_double_le(sh->peak_scan, stop);
		ck_assert_double_gt(sh->onset_scan, t0);
		ck_assert_double_lt(sh->onset_scan, t0 + 0.003 * s.rate_hz);
		/* The settled levels: means over their windows; the volume is
		 * their difference, exactly; a shot's "after" is the next one's
		 * "before". */
		ck_assert_double_eq_tol(sh->level_before_ul,
					mean_of(&s, 1, (double)sh->before_from, (double)sh->before_to),
					1e-9);
		ck_assert_double_eq_tol(sh->level_after_ul,
					mean_of(&s, 1, (double)sh->after_from, (double)sh->after_to),
					1e-9);
		ck_assert(sh->volume_ul == sh->level_after_ul - sh->level_before_ul);
		ck_assert_double_le((double)sh->before_to, sh->onset_scan);
		ck_assert_double_ge((double)sh->after_from, (double)sh->end_scan);
		ck_assert_double_eq_tol(sh->volume_ul, strokes[i].volume_ul,
					0.01 * strokes[i].volume_ul);
		if (i + 1 < got.n) {
			ck_assert_uint_eq(sh->after_from, got.s[i + 1].before_from);
			ck_assert_uint_eq(sh->after_to, got.s[i + 1].before_to);
			ck_assert(sh->level_after_ul == got.s[i + 1].level_before_ul);
		}
	}
}
END_TEST

/* The journal's form of a burst gives back every number bit for bit; one
 * changed in its last bit is a different shot. */
START_TEST(journal_form_round_trips)
{
	struct synth s = make_synth();
	struct shots got;
	struct shot_row rows[MAX_SHOTS], back[MAX_SHOTS];
	json_t *e = json_object(), *again;
	char *text;

	measure_synth(&s, &got);
	memset(rows, 0, sizeof(rows));
	memset(back, 0, sizeof(back));
	for (size_t i = 0; i < got.n; i++)
		burst_shot_row(&rows[i], &got.s[i]);
	rows[1].level_after_ul = NAN;  /* a value not known travels as null */
	shot_rows_link(rows, got.n);
	shot_rows_to_json(e, rows, got.n);
	text = json_dumps(e, JSON_COMPACT);
	again = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(again);
	ck_assert_uint_eq(shot_rows_count(again), got.n);
	shot_rows_from_json(again, back, got.n);
	for (size_t i = 0; i < got.n; i++) {
		ck_assert_msg(shot_row_same(&rows[i], &back[i]), "shot %zu differs after the journal",
			      i + 1);
		ck_assert(rows[i].interval_ms == back[i].interval_ms ||
			  (isnan(rows[i].interval_ms) && isnan(back[i].interval_ms)));
	}
	ck_assert(isnan(back[1].level_after_ul));
	ck_assert_double_eq(back[2].baseline_from, (double)got.s[2].baseline_from);
	back[3].baseline_mm = nextafter(back[3].baseline_mm, INFINITY);
	ck_assert(!shot_row_same(&rows[3], &back[3]));
	back[4].flags ^= 1;
	ck_assert(!shot_row_same(&rows[4], &back[4]));
	free(text);
	json_decref(e);
	json_decref(again);
}
END_TEST

/* A journal from before the points were kept: every point reads NAN,
 * never a zero a figure would draw as a baseline. */
START_TEST(old_journal_has_no_points)
{
	struct shot_row rows[2];
	json_t *e = json_loads("{\"t_s\": [1.0, 1.5], \"depth_mm\": [2.0, 2.1], "
			       "\"volume_ul\": [10.0, null], \"flags\": [0, 4]}", 0, NULL);

	ck_assert_ptr_nonnull(e);
	memset(rows, 0, sizeof(rows));
	ck_assert_uint_eq(shot_rows_count(e), 2);
	shot_rows_from_json(e, rows, 2);
	ck_assert_double_eq(rows[0].interval_ms, 500.0);
	ck_assert(isnan(rows[1].interval_ms));
	ck_assert(isnan(rows[1].volume_ul));
	ck_assert_uint_eq(rows[1].flags, 4);
	ck_assert(isnan(rows[0].baseline_mm) && isnan(rows[0].onset_scan) &&
		  isnan(rows[0].level_before_ul) && isnan(rows[0].baseline_from));
	json_decref(e);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("shot_record");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, points_are_where_the_numbers_came_from);
	tcase_add_test(tc, journal_form_round_trips);
	tcase_add_test(tc, old_journal_has_no_points);
	suite_add_tcase(s, tc);
	return s;
}
