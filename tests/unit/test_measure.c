/*
 * The extractor on captures built here, not by the sim bench, whose truth
 * is known in closed form (tests/lib/synth.c): trapezoid and damped
 * overshoot strokes, several rise times, baseline offsets and drift,
 * 12- and 16-bit codes, inverted sensor wiring. Each is written as a .rcap
 * file and measured both through the C API and through `rig measure`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/measure/capture.h"
#include "rig/measure/fit.h"
#include "rig/measure/reduce.h"
#include "tests/lib/shots.h"
#include "tests/lib/synth.h"
#include "tests/lib/testutil.h"

/* The accuracy targets (issue 4). */
#define DEPTH_TOL_MM 0.02
#define ONSET_TOL_S 0.0001
#define VOLUME_TOL 0.01   /* of the stroke's volume */
/* A measured shot is the true stroke whose onset lies within this. */
#define MATCH_S 0.002

/* A 16-bit LVDT over -1..+7 mm and a plunger encoder, 20 kS/s. */
static struct synth bench16(struct synth_stroke *k, size_t n)
{
	struct synth s = {
		.rate_hz = 20000, .bits = 16,
		.poly_d = { -1.0, 8.0 / 65535 }, .poly_p = { 0.0, 0.05 },
		.noise_mm = 0.002, .noise_ul = 0.05, .seed = 42,
		.nstrokes = n, .strokes = k,
	};

	synth_init(&s);
	return s;
}

/* Strokes every period s from t0, depths and volumes cycling through a
 * few settings. Where strokes overlap (a slow retract), keep depths close:
 * the next must rise through half its depth from where the last left it. */
static size_t train(struct synth_stroke *k, size_t n, double t0, double period,
		    struct synth_stroke shape)
{
	static const double stop[] = { 1.5, 4.0, 6.0, 2.0 };
	static const double vol[] = { 10, 50, 100, 20 };

	for (size_t i = 0; i < n; i++) {
		k[i] = shape;
		k[i].t0 = t0 + (double)i * period;
		k[i].stop_mm = stop[i % 4];
		k[i].volume_ul = vol[i % 4];
	}
	return n;
}

static const struct synth_stroke trapezoid = {
	.rise_s = 0.003, .dwell_s = 0.030, .retract_s = 0.004,
};

static const struct synth_stroke ringing = {
	.rise_s = 0.002, .dwell_s = 0.030, .retract_s = 0.004, .cosine = 1,
	.overshoot_mm = 0.05, .ring_hz = 600, .ring_tau_s = 0.001,
};

static const char *write_capture(const struct synth *s, double seconds)
{
	static char path[8][4200];
	static unsigned slot;
	char *p = path[slot++ % 8];

	snprintf(p, sizeof(path[0]), "%s/capture.rcap", test_tmpdir());
	ck_assert_int_eq(synth_write_rcap(s, p, (uint64_t)(seconds * s->rate_hz)), 0);
	return p;
}

static void measure_path(const char *path, size_t block, struct shots *out)
{
	memset(out, 0, sizeof(*out));
	ck_assert_msg(measure_capture(path, block, shots_collect, out, NULL) == 0, "%s",
		      rig_last_error());
}

/* Every stroke found once, at its time, with its depth, onset and volume;
 * nothing else found. */
static void expect_truth(const struct synth *s, const struct shots *m, double depth_tol)
{
	ck_assert_uint_eq(m->n, s->nstrokes);
	for (size_t i = 0; i < s->nstrokes; i++) {
		const struct shot *got = &m->s[i];
		double on = synth_onset(s, i);

		ck_assert_msg(fabs(got->t_s - on) < MATCH_S, "stroke %zu at %.6f s: nearest shot %.6f",
			      i, on, got->t_s);
		ck_assert_msg(fabs(got->depth_mm - synth_depth(s, i)) <= depth_tol,
			      "stroke %zu: depth %.5f, true %.5f", i, got->depth_mm,
			      synth_depth(s, i));
		ck_assert_msg(fabs(got->t_s - on) <= ONSET_TOL_S, "stroke %zu: onset %.7f, true %.7f",
			      i, got->t_s, on);
		ck_assert_msg(fabs(got->volume_ul - s->strokes[i].volume_ul) <=
				      VOLUME_TOL * s->strokes[i].volume_ul,
			      "stroke %zu: volume %.4f, true %.4f", i, got->volume_ul,
			      s->strokes[i].volume_ul);
	}
}

/* `rig measure --csv` prints what the C API measured (to its digits). */
static void expect_cli_agrees(const char *path, const struct shots *m)
{
	const char *rig = getenv("RIG") ? getenv("RIG") : "build/rig";
	char cmd[8400], line[256];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "'%s' measure '%s' --csv", rig, path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_str_eq(line, "shot,t_s,depth_mm,volume_ul,interval_ms,u_depth_mm,u_volume_ul,flags\n");
	while (fgets(line, sizeof(line), p)) {
		unsigned idx;
		double t, d, v, ud;
		char *f = line;

		ck_assert_int_eq(sscanf(line, "%u,%lf,%lf,%lf", &idx, &t, &d, &v), 4);
		ck_assert_uint_lt(n, m->n);
		ck_assert_uint_eq(idx, m->s[n].index);
		ck_assert_double_eq_tol(t, m->s[n].t_s, 1e-6);
		ck_assert_double_eq_tol(d, m->s[n].depth_mm, 1e-6);
		ck_assert_double_eq_tol(v, m->s[n].volume_ul, 1e-6);
		/* then interval, u(depth), u(volume), flags by name */
		for (int c = 0; c < 5; c++)
			f = strchr(f, ',') + 1;
		ck_assert_int_eq(sscanf(f, "%lf", &ud), 1);
		ck_assert_double_eq_tol(ud, m->s[n].u_depth_mm, 1e-6);
		f = strchr(strchr(f, ',') + 1, ',') + 1;
		ck_assert_int_eq(strstr(f, "ambiguous") != NULL, (m->s[n].flags & SHOT_AMBIGUOUS) != 0);
		ck_assert_int_eq(strstr(f, "slow") != NULL, (m->s[n].flags & SHOT_SLOW) != 0);
		n++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(n, m->n);
}

static void check_capture(struct synth *s, double seconds, double depth_tol)
{
	const char *path = write_capture(s, seconds);
	struct shots m;

	measure_path(path, 0, &m);
	expect_truth(s, &m, depth_tol);
	expect_cli_agrees(path, &m);
}

START_TEST(trapezoid_16bit)
{
	struct synth_stroke k[8];
	struct synth s = bench16(k, train(k, 8, 0.05, 0.2, trapezoid));

	s.offset_mm = 0.3;
	check_capture(&s, 1.7, 0.005);
}
END_TEST

START_TEST(damped_overshoot_16bit)
{
	struct synth_stroke k[8];
	struct synth s = bench16(k, train(k, 8, 0.05, 0.2, ringing));

	check_capture(&s, 1.7, 0.005);
}
END_TEST

/* rise_ms = _i: 1 ms, 3 ms, 8 ms */
START_TEST(rise_times)
{
	static const double rise[] = { 0.001, 0.003, 0.008 };
	struct synth_stroke shape = ringing, k[6];
	struct synth s;

	shape.rise_s = rise[_i];
	s = bench16(k, train(k, 6, 0.05, 0.25, shape));
	check_capture(&s, 1.6, 0.005);
}
END_TEST

/* A 12-bit converter: 2 µm steps, the noise below one of them. Baseline
 * offset and a drift of 50 µm/s that a fixed zero would turn into error. */
START_TEST(offset_and_drift_12bit)
{
	struct synth_stroke k[8];
	struct synth s = bench16(k, train(k, 8, 0.05, 0.2, ringing));

	s.bits = 12;
	s.poly_d[1] = 8.0 / 4095;
	s.poly_p[1] = 0.5;
	s.noise_ul = 0.3;  /* dithers the coarse plunger steps */
	s.offset_mm = -0.6;
	s.drift_mm_per_s = 0.05;
	check_capture(&s, 1.7, 0.005);
}
END_TEST

/* The sensor wired the other way round: codes fall as the needle goes out. */
START_TEST(inverted_wiring)
{
	struct synth_stroke k[8];
	struct synth s = bench16(k, train(k, 8, 0.05, 0.2, trapezoid));

	s.poly_d[0] = 7.0;
	s.poly_d[1] = -8.0 / 65535;
	check_capture(&s, 1.7, 0.005);
}
END_TEST

/* 1 kS/s: a 3 ms rise is three samples, the 600 Hz ring is aliased. */
START_TEST(slow_converter)
{
	struct synth_stroke k[8];
	struct synth s = bench16(k, train(k, 8, 0.05, 0.25, ringing));

	s.rate_hz = 1000;
	for (size_t i = 0; i < s.nstrokes; i++) {
		s.strokes[i].rise_s = 0.003;
		s.strokes[i].overshoot_mm = 0.02;  /* the sim's default unit */
	}
	check_capture(&s, 2.1, DEPTH_TOL_MM);
}
END_TEST

/*
 * Overlapping strokes at 350/min: the unit fires again while the needle is
 * still on its way home (slow retract), so it never comes back to rest
 * between them. Each is still one shot with its own onset and depth.
 */
START_TEST(overlapping_strokes)
{
	struct synth_stroke shape = trapezoid, k[6];
	struct synth s;

	shape.dwell_s = 0.060;
	shape.retract_s = 0.150;
	train(k, 6, 0.05, 60.0 / 350, shape);
	for (size_t i = 0; i < 6; i++)
		k[i].stop_mm = i % 2 ? 3.5 : 4;
	s = bench16(k, 6);
	ck_assert_double_gt(s.strokes[1].x0, 0.5);  /* really overlapping */
	check_capture(&s, 1.4, 0.005);
}
END_TEST

/* The needle bounces off its rest after a shot: not a second shot. */
START_TEST(bounce_is_not_a_shot)
{
	struct synth_stroke k[4] = { trapezoid, trapezoid, trapezoid, trapezoid };
	struct synth s;
	struct shots m;

	k[0].t0 = 0.05;
	k[0].stop_mm = 4;
	k[0].volume_ul = 20;
	/* back home at 0.087 s: a 0.4 mm bounce 1 ms later, another below
	 * the threshold after the debounce gap */
	k[1] = (struct synth_stroke){ .t0 = 0.088, .rise_s = 0.0005, .stop_mm = 0.4,
				      .dwell_s = 0.0005, .retract_s = 0.0005 };
	k[2] = (struct synth_stroke){ .t0 = 0.095, .rise_s = 0.001, .stop_mm = 0.1,
				      .dwell_s = 0.001, .retract_s = 0.001 };
	k[3].t0 = 0.3;
	k[3].stop_mm = 2;
	k[3].volume_ul = 20;
	s = bench16(k, 4);
	measure_path(write_capture(&s, 0.5), 0, &m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_double_eq_tol(m.s[0].depth_mm, 4, 0.005);
	ck_assert_double_eq_tol(m.s[1].depth_mm, 2, 0.005);
	ck_assert_double_eq_tol(m.s[0].volume_ul, 20, 0.2);
	ck_assert_uint_eq(m.s[0].flags, 0);
}
END_TEST

static struct shots measure_with(const struct synth *s, double seconds, double expected_depth)
{
	struct measure_config cfg = {
		.rate_hz = s->rate_hz, .nchannels = 2, .displacement = 0, .plunger = 1,
		.maxdata = (1u << s->bits) - 1, .expected_depth_mm = expected_depth,
		.displacement_cal = { { s->poly_d[0], s->poly_d[1] }, 1 },
		.plunger_cal = { { s->poly_p[0], s->poly_p[1] }, 1 },
	};
	size_t n = (size_t)(seconds * s->rate_hz);
	uint16_t *codes = malloc(2 * n * sizeof(*codes));
	struct measure *m;
	struct shots out = { 0 };

	ck_assert_ptr_nonnull(codes);
	synth_codes(s, 0, n, codes);
	ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, &out), 0);
	ck_assert_int_eq(measure_feed(m, codes, n), 0);
	ck_assert_int_eq(measure_finish(m), 0);
	measure_free(m);
	free(codes);
	return out;
}

START_TEST(slow_and_partial_strokes_flagged)
{
	struct synth_stroke k[3] = { trapezoid, trapezoid, trapezoid };
	struct synth s;
	struct shots m;

	k[0].t0 = 0.05;
	k[0].stop_mm = 4;
	k[1].t0 = 0.25;
	k[1].stop_mm = 4;
	k[1].rise_s = 0.025;  /* 10-90 %: 20 ms */
	k[2].t0 = 0.5;
	k[2].stop_mm = 2;     /* half the setting */
	s = bench16(k, 3);
	m = measure_with(&s, 0.7, 4);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_uint_eq(m.s[0].flags, 0);
	ck_assert_double_eq_tol(m.s[0].rise_ms, 2.4, 0.05);
	ck_assert_uint_eq(m.s[1].flags, SHOT_SLOW);
	ck_assert_double_eq_tol(m.s[1].rise_ms, 20, 0.1);
	ck_assert_double_eq_tol(m.s[1].t_s, synth_onset(&s, 1), ONSET_TOL_S);
	ck_assert_uint_eq(m.s[2].flags, SHOT_PARTIAL);
	ck_assert_double_eq_tol(m.s[2].depth_mm, 2, 0.005);
}
END_TEST

START_TEST(capture_ends_mid_shot)
{
	struct synth_stroke k[2] = { trapezoid, trapezoid };
	struct synth s;
	struct shots m;

	k[0].t0 = 0.05;
	k[0].stop_mm = 3;
	k[1].t0 = 0.25;
	k[1].stop_mm = 5;
	s = bench16(k, 2);
	m = measure_with(&s, 0.27, 0);  /* ends in the second dwell */
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.s[0].flags, 0);
	ck_assert_double_eq_tol(m.s[0].end_s, 0.087, 0.0005);
	ck_assert_uint_eq(m.s[1].flags, SHOT_UNFINISHED);
	ck_assert_double_eq_tol(m.s[1].depth_mm, 5, 0.005);
	ck_assert(isnan(m.s[1].end_s));
}
END_TEST

/*
 * The same stream in blocks of 1, 7, 4096 scans and all at once, and with
 * the portable reduction instead of the vector one: the same bits.
 */
START_TEST(block_size_invariance)
{
	static const size_t blocks[] = { 1, 7, 4096, 127, 129, 0 };
	struct synth_stroke shape = ringing, k[12];
	struct synth s;
	struct measure_config cfg = {
		.rate_hz = 20000, .nchannels = 2, .displacement = 0, .plunger = 1,
		.maxdata = 65535, .expected_depth_mm = 4,
		.displacement_cal = { { -1.0, 8.0 / 65535 }, 1 },
		.plunger_cal = { { 0.0, 0.05 }, 1 },
	};
	size_t n = 2 * 20000 + 333;
	uint16_t *codes = malloc(2 * n * sizeof(*codes));
	struct shots ref = { 0 };

	shape.dwell_s = 0.060;
	shape.retract_s = 0.150;  /* overlapping, so re-fires are covered */
	train(k, 12, 0.01, 60.0 / 350, shape);
	for (size_t i = 0; i < 12; i++)
		k[i].stop_mm = i % 2 ? 3.5 : 4;
	s = bench16(k, 12);
	s.drift_mm_per_s = 0.01;
	ck_assert_ptr_nonnull(codes);
	synth_codes(&s, 0, n, codes);
	for (int portable = 0; portable < 2; portable++) {
		if (portable)
			setenv("RIG_SIMD", "0", 1);
		else
			unsetenv("RIG_SIMD");
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
			struct shots got = { 0 };
			struct measure *m;
			size_t step = blocks[b] ? blocks[b] : n;

			ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, &got), 0);
			for (size_t i = 0; i < n; i += step)
				ck_assert_int_eq(measure_feed(m, codes + 2 * i,
							      n - i < step ? n - i : step), 0);
			ck_assert_int_eq(measure_finish(m), 0);
			measure_free(m);
			if (!portable && b == 0) {
				ref = got;
				ck_assert_uint_eq(ref.n, 12);
				continue;
			}
			ck_assert_uint_eq(got.n, ref.n);
			ck_assert_msg(memcmp(got.s, ref.s, ref.n * sizeof(ref.s[0])) == 0,
				      "blocks of %zu (portable %d) differ", step, portable);
		}
	}
	unsetenv("RIG_SIMD");
	free(codes);
}
END_TEST

/* Also through the file reader, one scan at a time. */
START_TEST(file_read_in_single_scans)
{
	struct synth_stroke k[4];
	struct synth s = bench16(k, train(k, 4, 0.05, 0.2, ringing));
	const char *path = write_capture(&s, 0.9);
	struct shots a, b;

	measure_path(path, 0, &a);
	measure_path(path, 1, &b);
	ck_assert_uint_eq(a.n, 4);
	ck_assert_uint_eq(b.n, 4);
	ck_assert(memcmp(a.s, b.s, sizeof(a.s[0]) * a.n) == 0);
}
END_TEST

START_TEST(code_above_maxdata_is_an_error)
{
	struct measure_config cfg = {
		.rate_hz = 1000, .nchannels = 1, .displacement = 0, .plunger = -1,
		.maxdata = 4095, .displacement_cal = { { 0, 0.001 }, 1 },
	};
	uint16_t codes[100] = { 0 };
	struct shots out = { 0 };
	struct measure *m;

	codes[37] = 5000;
	ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, &out), 0);
	ck_assert_int_eq(measure_feed(m, codes, 100), RIG_ERR_PROTOCOL);
	ck_assert_str_eq(rig_last_error(),
			 "measure: displacement code 5000 above the converter's maximum 4095 at "
			 "scan 37");
	measure_free(m);
}
END_TEST

START_TEST(absurd_rate_refused)
{
	struct measure_config cfg = {
		.rate_hz = 1e300, .nchannels = 1, .displacement = 0, .plunger = -1,
		.maxdata = 4095, .displacement_cal = { { 0, 0.001 }, 1 },
	};
	struct measure *m = NULL;

	ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, NULL), RIG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "scan rate 1e+300 Hz out of range"));
	cfg.rate_hz = -5;
	ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, NULL), RIG_ERR_INVALID);
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(non_monotonic_calibration_refused)
{
	/* turns back at code 2500 */
	struct measure_config cfg = {
		.rate_hz = 1000, .nchannels = 1, .displacement = 0, .plunger = -1,
		.maxdata = 4095, .displacement_cal = { { 0, 0.005, -1e-6 }, 2 },
	};
	struct measure *m = NULL;

	ck_assert_int_eq(measure_new(&m, &cfg, shots_collect, NULL), RIG_ERR_INVALID);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(rig_last_error(), "not monotonic"));
}
END_TEST

/* The reducer's helpers, vector and portable, against the codes read one
 * by one: channels split out of the scans (the ring's and the rise's
 * copies), the extreme displacement codes, and a linear channel's sum, at
 * every length up to two vector groups and past, with either channel first. */
START_TEST(scan_helpers)
{
	enum { N = 75, NCH = 3 };
	uint16_t codes[N * NCH], a[N], b[N];

	for (size_t i = 0; i < N * NCH; i++)
		codes[i] = (uint16_t)(i * 40503u % 65536);  /* 0 at i = 0, 65535 nowhere */
	codes[37 * NCH + 1] = 65535;                       /* channel 1's largest, scan 37 */
	for (int portable = 0; portable < 2; portable++) {
		if (portable)
			setenv("RIG_SIMD", "0", 1);
		for (size_t nch = 1; nch <= NCH; nch++)
			for (int d = 0; d < (int)nch; d++) {
				struct scan_layout l;
				int other = (d + 1) % (int)nch;

				scan_layout_init(&l, nch, d, 1);
				ck_assert_int_eq(l.vector && portable, 0);
				for (size_t n = 0; n <= N; n++) {
					struct scan_stats st;
					uint16_t max, min, hi = 0, lo = UINT16_MAX;
					uint64_t sum = 0;
					double ps[FIXTURE_MAX_POLY] = { 0 };

					memset(a, 0xff, sizeof(a));
					memset(b, 0xff, sizeof(b));
					scan_split(codes, n, &l, d, other, a, b);
					for (size_t i = 0; i < n; i++) {
						uint16_t x = codes[i * nch + (size_t)d];

						ck_assert_uint_eq(a[i], x);
						ck_assert_uint_eq(b[i], codes[i * nch + (size_t)other]);
						hi = x > hi ? x : hi;
						lo = x < lo ? x : lo;
						sum += x;
					}
					ck_assert_uint_eq(n < N ? a[n] : 0xffff, 0xffff);  /* nothing past n */
					memset(b, 0xff, sizeof(b));
					scan_split(codes, n, &l, d, d, b, NULL);  /* one channel */
					ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
					if (n == 0)
						continue;
					scan_range(codes, n, &l, &max, &min);
					scan_reduce(codes, n, &l, &st);
					ck_assert_uint_eq(max, hi);
					ck_assert_uint_eq(min, lo);
					ck_assert_uint_eq(st.max, hi);
					ck_assert_uint_eq(st.min, lo);
					ck_assert_double_eq(st.sum[1], (double)sum);
					power_sums(codes + d, n, nch, 1, ps);
					ck_assert_double_eq(ps[1], (double)sum);
				}
			}
	}
	unsetenv("RIG_SIMD");
	/* the figures the loop compares with are real ones: channel 1 of
	 * three peaks at scan 37, channel 0 starts at 0 */
	{
		struct scan_layout l;
		uint16_t max, min;

		scan_layout_init(&l, NCH, 1, 1);
		scan_range(codes, N, &l, &max, &min);
		ck_assert_uint_eq(max, 65535);
		scan_layout_init(&l, NCH, 0, 1);
		scan_range(codes, N, &l, &max, &min);
		ck_assert_uint_eq(min, 0);
	}
}
END_TEST

/* A cubic calibration: the chunk means through power sums must be those
 * of the converted samples, and shots measure as well as with a line. */
START_TEST(polynomial_calibration)
{
	struct calibration c = { { -1.0, 1.2e-4, 1e-10, -2e-15 }, 3 };
	double sum[FIXTURE_MAX_POLY] = { 0 }, direct = 0;
	uint16_t codes[] = { 0, 17, 4096, 30000, 65535, 12345 };
	size_t n = sizeof(codes) / sizeof(codes[0]);

	power_sums(codes, n, 1, 3, sum);
	for (size_t i = 0; i < n; i++)
		direct += calibration_apply(&c, codes[i]);
	ck_assert_double_eq_tol(calibration_mean(&c, sum, (double)n), direct / (double)n, 1e-12);
}
END_TEST

START_TEST(peak_fit)
{
	double y[41], at, u, mean = 0;
	size_t h;

	/* an exact parabola: the vertex, between samples, over the widest window */
	for (int i = 0; i < 11; i++)
		y[i] = 3.0 - 0.5 * (i - 4.3) * (i - 4.3);
	ck_assert_double_eq_tol(fit_crest(y, 11, 5, 1e-12, &at, &u, &h), 3.0, 1e-9);
	ck_assert_double_eq_tol(at, 4.3, 1e-9);
	ck_assert_uint_eq(h, 5);
	/* flat: the level, not a vertex far away */
	for (int i = 0; i < 11; i++)
		y[i] = 2.0;
	ck_assert_double_eq_tol(fit_crest(y, 11, 5, 1e-12, &at, &u, &h), 2.0, 1e-12);
	/* a 1.2 kHz crest at 20 kS/s (16.7 samples a period), amplitude 1.8:
	 * the window narrows to where the parabola holds; no cap at the
	 * highest sample (the crest is between samples) */
	for (int i = 0; i < 41; i++)
		y[i] = 6 + 1.8 * cos(2 * M_PI * 1200 * (i - 20.4) / 20000);
	ck_assert_double_eq_tol(fit_crest(y, 41, 20, 1e-10, &at, &u, &h), 7.8, 0.002);
	ck_assert_double_eq_tol(at, 20.4, 0.05);
	ck_assert_uint_lt(h, 6);
	/* a noisy flat stop: no max-of-noise bias (mean over realisations) */
	for (int r = 0; r < 200; r++) {
		for (int i = 0; i < 41; i++) {
			uint32_t x = (uint32_t)(r * 41 + i) * 2654435761u;
			double g = 0;

			for (int k = 0; k < 12; k++) {  /* Irwin-Hall: near normal, sd 1 */
				x = x * 1664525u + 1013904223u;
				g += (double)(x >> 8) / 16777216.0;
			}
			y[i] = 4.0 + 0.01 * (g - 6);
		}
		mean += fit_crest(y, 41, 20, 1e-4, &at, &u, &h) / 200;
	}
	ck_assert_double_eq_tol(mean, 4.0, 0.002);
	/* a rise into a flat stop between samples: the stop, not a bridge */
	{
		double c[7] = { 0.5, 3.0, 5.6, 6.0, 6.0, 6.0, 6.0 };

		ck_assert_double_eq_tol(fit_crest(c, 7, 3, 1e-8, &at, &u, &h), 6.0, 1e-9);
	}
}
END_TEST

START_TEST(ring_fit)
{
	double y[12], at, best = 0;

	/* a 1 kHz ring sampled at 5 kS/s from its stop arrival: the crest of
	 * D + A e^{-a t} sin(w t) between samples, from the samples after it */
	for (int i = 0; i < 12; i++) {
		double t = i / 5000.0 - 0.00005;

		y[i] = 4 + 1.2 * exp(-600 * t) * sin(2 * M_PI * 1000 * t);
	}
	for (int k = 0; k < 100000; k++) {  /* the first lobe, on a 10 ns grid */
		double t = k * 1e-8, v = 4 + 1.2 * exp(-600 * t) * sin(2 * M_PI * 1000 * t);

		best = v > best ? v : best;
	}
	ck_assert_double_eq_tol(fit_ring(y, 12, 1, 1e-10, &at), best, 1e-6);
	/* no ring (a flat top): refused */
	for (int i = 0; i < 12; i++)
		y[i] = 4 + 0.001 * (i % 2);
	ck_assert(isnan(fit_ring(y, 12, 1, 1e-6, &at)));
}
END_TEST

/* A stop that rings in two modes, sampled at 5 kS/s: the one-mode
 * model cannot take it, the two-mode one gives the crest between samples. */
START_TEST(two_mode_ring_fit)
{
	double y[14], at, best = 0;

	for (int i = 0; i < 14; i++) {
		double t = i / 5000.0 - 0.00008;

		y[i] = 4 + 1.2 * exp(-600 * t) * sin(2 * M_PI * 1000 * t) +
		       0.5 * exp(-1500 * t) * sin(2 * M_PI * 1800 * t);
	}
	for (int k = 0; k < 100000; k++) {  /* the first lobe, on a 10 ns grid */
		double t = k * 1e-8, v = 4 + 1.2 * exp(-600 * t) * sin(2 * M_PI * 1000 * t) +
					 0.5 * exp(-1500 * t) * sin(2 * M_PI * 1800 * t);

		best = v > best ? v : best;
	}
	ck_assert(isnan(fit_ring(y, 14, 1, 1e-10, &at)));
	ck_assert_double_eq_tol(fit_ring2(y, 14, 1, 1e-10, &at), best, 1e-6);
	/* the highest sample is well below it: the parabola could not say */
	ck_assert_double_gt(best - y[1], 0.05);
	/* not enough samples, or no ring: refused */
	ck_assert(isnan(fit_ring2(y, 12, 1, 1e-10, &at)));
	/* a slow ring (20 kS/s) under noise: modes the noise makes up may
	 * fit the samples, but never read a crest far above them */
	for (int r = 0; r < 4000; r++) {
		uint32_t x = (uint32_t)r * 2654435761u + 1;
		double got, top = -INFINITY;

		for (int i = 0; i < 14; i++) {
			double g = 0;

			for (int k = 0; k < 12; k++) {  /* Irwin-Hall: near normal, sd 1 */
				x = x * 1664525u + 1013904223u;
				g += (double)(x >> 8) / 16777216.0;
			}
			y[i] = 1.5 + 0.08 * exp(-0.05 * i) * cos(0.31 * i + r) + 0.02 * (g - 6);
		}
		for (int i = 0; i <= 2; i++)
			top = fmax(top, y[i]);
		got = fit_ring2(y, 14, 1, 0.02 * 0.02, &at);
		ck_assert_msg(isnan(got) || got <= top + 0.1, "realisation %d: crest %.4f over "
			      "samples of at most %.4f", r, got, top);
	}
	for (int i = 0; i < 14; i++)
		y[i] = 4 + 0.001 * (i % 2);
	ck_assert(isnan(fit_ring2(y, 14, 1, 1e-6, &at)));
}
END_TEST

/* Strong ringing at 5 kS/s under 1 % noise (0.1 mm): every shot is
 * within the strong-ringing goal (0.05 mm) or flagged ambiguous (a
 * measured number is never silently wrong); the same strokes without
 * the ring are not flagged (the flag is the ring's, not the noise's). */
/* Eight strokes at 5 kS/s under 0.1 mm of noise (1 % of a 10 mm
 * sensor), ringing with this overshoot at 1 kHz; measured into m. */
static struct synth noisy_5k(struct synth_stroke *k, double overshoot_mm, struct shots *m)
{
	struct synth_stroke shape = ringing;
	struct synth s;

	shape.overshoot_mm = overshoot_mm;
	shape.ring_hz = 1000;
	shape.ring_tau_s = 0.0015;
	s = bench16(k, train(k, 8, 0.05, 0.2, shape));
	s.rate_hz = 5000;
	s.noise_mm = 0.1;
	measure_path(write_capture(&s, 1.7), 0, m);
	ck_assert_uint_eq(m->n, 8);
	return s;
}

START_TEST(noisy_coarse_ring_flagged)
{
	struct synth_stroke k[8];
	struct shots m;
	struct synth s = noisy_5k(k, 1.2, &m);
	size_t flagged = 0;

	for (size_t i = 0; i < m.n; i++) {
		int amb = (m.s[i].flags & SHOT_AMBIGUOUS) != 0;

		flagged += (size_t)amb;
		ck_assert_msg(amb || fabs(m.s[i].depth_mm - synth_depth(&s, i)) <= 0.05,
			      "shot %zu: depth %.4f, true %.4f, not flagged", i, m.s[i].depth_mm,
			      synth_depth(&s, i));
	}
	ck_assert_uint_gt(flagged, 0);
	noisy_5k(k, 0, &m);
	for (size_t i = 0; i < m.n; i++)
		ck_assert_msg(!(m.s[i].flags & SHOT_AMBIGUOUS), "shot %zu flagged without a ring", i);
}
END_TEST

START_TEST(crossing_fit)
{
	double y[12] = { 0, 0, 0.1, 1, 2, 3, 4, 5, 6, 7, 7.2, 7.2 };

	/* the line through the band around 3.5 */
	ck_assert_double_eq_tol(fit_crossing(y, 11, 3.5, 2.0), 5.5, 1e-12);
	/* too few samples in the band: between the two around the level */
	ck_assert_double_eq_tol(fit_crossing(y, 11, 0.55, 0.1), 2.5, 1e-12);
	ck_assert_double_eq(fit_crossing(y, 11, 8, 1), -1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("measure");
	TCase *tc = tcase_create("synthetic");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, trapezoid_16bit);
	tcase_add_test(tc, damped_overshoot_16bit);
	tcase_add_loop_test(tc, rise_times, 0, 3);
	tcase_add_test(tc, offset_and_drift_12bit);
	tcase_add_test(tc, inverted_wiring);
	tcase_add_test(tc, slow_converter);
	tcase_add_test(tc, overlapping_strokes);
	tcase_add_test(tc, bounce_is_not_a_shot);
	tcase_add_test(tc, slow_and_partial_strokes_flagged);
	tcase_add_test(tc, capture_ends_mid_shot);
	tcase_add_test(tc, block_size_invariance);
	tcase_add_test(tc, file_read_in_single_scans);
	tcase_add_test(tc, code_above_maxdata_is_an_error);
	tcase_add_test(tc, absurd_rate_refused);
	tcase_add_test(tc, non_monotonic_calibration_refused);
	tcase_add_test(tc, scan_helpers);
	tcase_add_test(tc, polynomial_calibration);
	tcase_add_test(tc, peak_fit);
	tcase_add_test(tc, ring_fit);
	tcase_add_test(tc, two_mode_ring_fit);
	tcase_add_test(tc, noisy_coarse_ring_flagged);
	tcase_add_test(tc, crossing_fit);
	suite_add_tcase(s, tc);
	return s;
}
