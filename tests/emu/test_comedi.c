/*
 * The Comedi DAQ driver through the real comedilib against an emulated
 * NI PCI-6221 (tests/emu/comedi_board.h). Run under umockdev-wrapper.
 */
#include <comedi.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "rig/station/station.h"
#include "rig/base/error.h"
#include "rig/verbs/list_devices.h"
#include "rig/measure/rcap.h"
#include "rig/run/run.h"
#include "tests/emu/comedi_board.h"
#include "tests/lib/testutil.h"

#define FIXTURE "fixtures/ni-pci6221.lua"
#define DISPLACEMENT_LSB 0.0001220703125 /* mm per code, the fixture's polynomial */
#define PLUNGER_LSB 0.125

/* The fixture file with each "from" replaced by "to" (NULL-terminated pairs). */
static const char *fixture_with(const char *const *subs)
{
	char *text = test_read_file(test_path(FIXTURE));
	const char *path;

	for (; subs[0]; subs += 2)
		text = test_replace(text, subs[0], subs[1]);
	path = test_write_file(test_tmpdir(), "fixture.lua", text);
	free(text);
	return path;
}

#define WITH(...) fixture_with((const char *const[]){ __VA_ARGS__, NULL })

struct opened {
	struct fixture fx;
	struct bench bench;
	struct daq *daq;
};

static int open_daq(struct opened *o, const char *fixture)
{
	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(fixture_load(&o->fx, fixture), 0);
	o->bench.fx = &o->fx;
	return comedi_daq_ops.open(&o->daq, &o->fx.daq, &o->bench);
}

static void close_daq(struct opened *o)
{
	comedi_daq_ops.close(o->daq);
	o->daq = NULL;
}

static void ramp_board(size_t chunk_bytes)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP, .chunk_bytes = chunk_bytes };

	emu_comedi_start(&c);
}

static void assert_error(int rc, int want, const char *needle)
{
	ck_assert_msg(rc == want, "rc %d (%s), wanted %d", rc, rig_last_error(), want);
	ck_assert_msg(strstr(rig_last_error(), needle), "message \"%s\" lacks \"%s\"",
		      rig_last_error(), needle);
}

START_TEST(discovers_channels_and_ranges)
{
	struct emu_comedi_stats st;
	struct opened o;

	ramp_board(0);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	ck_assert_str_eq(o.daq->board, "pci-6221");
	ck_assert_str_eq(o.daq->driver_name, "ni_pcimio");
	ck_assert_uint_eq(o.daq->nchannels, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct daq_channel *ch = &o.daq->channels[i];

		ck_assert_str_eq(ch->name, o.fx.daq.channels[i].name);
		ck_assert_uint_eq(ch->maxdata, 65535);
		ck_assert_double_eq(ch->range_v[0], -10);
		ck_assert_double_eq(ch->range_v[1], 10);
		ck_assert_int_eq(ch->poly_order, 1);
		ck_assert_double_eq(ch->poly[1], o.fx.daq.channels[i].poly[1]);
	}
	ck_assert_str_eq(o.daq->channels[0].calibration, "DKD-K-70001-LVDT-0117");
	ck_assert_str_eq(o.daq->channels[2].calibration, "fixture polynomial");
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.dio_outputs, 1u); /* the trigger line only, released */
	ck_assert_uint_eq(st.dio_state, 0);
	ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.chanlist_len, 3);
	ck_assert_uint_eq(st.chanlist[0], CR_PACK(0, 0, AREF_DIFF));
	ck_assert_uint_eq(st.chanlist[1], CR_PACK(1, 0, AREF_DIFF));
	ck_assert_uint_eq(st.chanlist[2], CR_PACK(2, 0, AREF_GROUND));
	ck_assert_uint_ge(st.buffer_bytes, 2 * 20000 * 3 * 2); /* two seconds of scans */
	ck_assert_int_eq(o.daq->ops->stop(o.daq), 0);
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

START_TEST(selects_the_fixture_range)
{
	struct emu_comedi_stats st;
	struct opened o;

	ramp_board(0);
	ck_assert_int_eq(open_daq(&o, WITH("name = \"trigger\", unit = \"V\", number = 2, "
					   "range_v = { -10, 10 }",
					   "name = \"trigger\", unit = \"V\", number = 2, "
					   "range_v = { -0.2, 0.2 }")),
			 0);
	ck_assert_double_eq_tol(o.daq->channels[2].range_v[1], 0.2, 1e-9);
	ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(CR_RANGE(st.chanlist[2]), 3);
	ck_assert_uint_eq(CR_RANGE(st.chanlist[0]), 0);
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

START_TEST(refuses_a_range_the_board_lacks)
{
	struct opened o;

	ramp_board(0);
	assert_error(open_daq(&o, WITH("range_v = { -10, 10 }, aref = \"diff\",\n"
				       "        -- LVDT",
				       "range_v = { -3, 3 }, aref = \"diff\",\n"
				       "        -- LVDT")),
		     RIG_ERR_INVALID, "has no -3..3 V range on AI 0 (it has -10..10, -5..5, -1..1, -0.2..0.2 V");
	ck_assert_msg(strstr(rig_last_error(), "fixture.lua:23: channel displacement"), "%s",
		      rig_last_error());
	emu_comedi_stop();
}
END_TEST

START_TEST(grants_the_requested_rate)
{
	struct emu_comedi_stats st;
	struct opened o;

	ramp_board(0);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
	ck_assert_double_eq(o.daq->rate_hz, 20000);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.scan_period_ns, 50000);
	ck_assert_int_eq(o.daq->ops->stop(o.daq), 0);
	/* 33333 ns on a 50 ns timer: the board runs at what it grants. */
	ck_assert_int_eq(o.daq->ops->start(o.daq, 30000), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.scan_period_ns, 33350);
	ck_assert_double_eq(o.daq->rate_hz, 1e9 / 33350);
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

START_TEST(refuses_a_rate_beyond_the_board)
{
	struct opened o;

	ramp_board(0);
	/* 3 channels x 100 kS/s > 250 kS/s: the board offers 83333 scans/s. */
	assert_error(open_daq(&o, WITH("rate_hz = 20000", "rate_hz = 100000")), RIG_ERR_INVALID,
		     "daq.rate_hz 100000 is too fast for pci-6221 scanning 3 channels: it grants "
		     "83333.3 scans/s (250000 samples/s in all)");
	ck_assert_msg(strstr(rig_last_error(), "fixture.lua:17:"), "%s", rig_last_error());
	emu_comedi_stop();
	ramp_board(0);
	ck_assert_int_eq(open_daq(&o, WITH("rate_hz = 20000", "rate_hz = 80000")), 0);
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

/* Read nblocks blocks continuing the ramp at scan next, waiting up to
 * timeout_ms for each; every code must be the ramp's. Returns the scan
 * after the last one read. */
static uint64_t read_more(struct daq *daq, unsigned nblocks, uint64_t next, unsigned timeout_ms,
			  int *rc)
{
	size_t n = daq->nchannels;

	*rc = 0;
	for (unsigned b = 0; b < nblocks; b++) {
		struct daq_block blk;

		if ((*rc = daq->ops->read(daq, &blk, timeout_ms)) != 0)
			break;
		ck_assert_uint_ge(blk.nscans, 1);
		ck_assert_uint_eq(blk.first_scan, next);
		for (size_t i = 0; i < blk.nscans * n; i++)
			ck_assert_uint_eq(blk.codes[i], (uint16_t)((next * n + i) & 0xffff));
		next += blk.nscans;
	}
	return next;
}

static uint64_t read_ramp(struct daq *daq, unsigned nblocks, int *rc)
{
	return read_more(daq, nblocks, 0, 2000, rc);
}

START_TEST(streams_blocks_across_odd_chunks)
{
	static const struct {
		size_t chunk_bytes;
		const char *block;
	} cases[] = {
		{ 1001, "block_scans = 1000" },  /* chunks end inside samples and scans */
		{ 7777, "block_scans = 1024" },  /* several blocks per chunk */
		{ 1, "block_scans = 7" },        /* one byte at a time */
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct opened o;
		int rc;

		ramp_board(cases[c].chunk_bytes);
		ck_assert_int_eq(open_daq(&o, WITH("block_scans = 1024", cases[c].block)), 0);
		ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
		ck_assert_uint_eq(read_ramp(o.daq, 40, &rc), 40 * o.fx.daq.block_scans);
		ck_assert_int_eq(rc, 0);
		close_daq(&o);
		emu_comedi_stop();
	}
}
END_TEST

static void overrun_keeps_data(int old_kernel)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP, .chunk_bytes = 1001,
				       .overrun_at_scan = 5000, .old_kernel = old_kernel };
	struct opened o;
	int rc;

	emu_comedi_start(&c);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
	/* Every scan before the loss arrives, then the loss, never as data. */
	ck_assert_uint_eq(read_ramp(o.daq, 100, &rc), 5000);
	assert_error(rc, RIG_ERR_OVERRUN, "/dev/comedi0: acquisition buffer overrun after scan 5000");
	close_daq(&o);
	emu_comedi_stop();
}

START_TEST(overrun_after_the_data_before_it)
{
	overrun_keeps_data(0);
}
END_TEST

START_TEST(overrun_on_kernels_that_report_it_in_read)
{
	overrun_keeps_data(1);
}
END_TEST

START_TEST(stalled_board_times_out_and_resumes)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP, .stall_at_scan = 3000 };
	struct daq_block blk;
	struct opened o;
	int rc;

	emu_comedi_start(&c);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	ck_assert_int_eq(o.daq->ops->start(o.daq, 20000), 0);
	/* 1024, 1024, then the 952 whole scans there are when the wait ends;
	 * the first sample of scan 3000 waits for the rest of its scan. */
	ck_assert_uint_eq(read_more(o.daq, 3, 0, 30, &rc), 3000);
	ck_assert_int_eq(rc, 0);
	assert_error(o.daq->ops->read(o.daq, &blk, 30), RIG_ERR_TIMEOUT,
		     "no scan from pci-6221 for 30 ms after scan 3000");
	emu_comedi_resume();
	ck_assert_uint_eq(read_more(o.daq, 5, 3000, 2000, &rc), 3000 + 5 * 1024);
	ck_assert_int_eq(rc, 0);
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

START_TEST(trigger_line_follows)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP };
	struct emu_comedi_stats st;
	struct opened o;

	emu_comedi_start(&c);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	ck_assert_int_eq(o.daq->ops->trigger(o.daq, 1), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.dio_state, 1);
	ck_assert_uint_eq(st.trigger_presses, 1);
	ck_assert_int_eq(o.daq->ops->trigger(o.daq, 0), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.dio_state, 0);
	close_daq(&o);
	emu_comedi_stop();

	c.trigger_stuck = 1;
	emu_comedi_start(&c);
	ck_assert_int_eq(open_daq(&o, test_path(FIXTURE)), 0);
	assert_error(o.daq->ops->trigger(o.daq, 1), RIG_ERR_DEVICE,
		     "trigger line 0 reads 0 after writing 1");
	close_daq(&o);
	emu_comedi_stop();
}
END_TEST

static double poly_at(const struct daq_channel *ch, double code)
{
	double y = 0, p = 1;

	for (int k = 0; k <= ch->poly_order; k++, p *= code)
		y += ch->poly[k] * p;
	return y;
}

/* A comedilib calibration file for a converter whose code is
 * ideal * (1 + gain) + offset on the +-10 V range, around mid-scale. */
static const char *calibration_file(const char *board, double gain, double offset)
{
	double lsb = 20.0 / 65535 / (1 + gain), origin = 32768;
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\n driver_name => \"ni_pcimio\",\n board_name => \"%s\",\n calibrations => [\n"
		 "  {\n   subdevice => 0,\n   channels => [],\n   ranges => [0],\n   arefs => [],\n"
		 "   caldacs => [],\n   softcal_to_phys => {\n    expansion_origin => %.1f,\n"
		 "    coefficients => [%.17g, %.17g]\n   }\n  }\n ]\n}\n",
		 board, origin, -10 + (origin - offset) * lsb, lsb);
	return test_write_file(test_tmpdir(), "ni_pcimio_pci-6221_comedi0", text);
}

START_TEST(soft_calibration_corrects_the_converter)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP };
	const double gain = 0.002, offset = 12;
	/* 4 mm on the LVDT: ideal code 40960; this converter says: */
	double code = floor(40960 * (1 + gain) + offset + 0.5);
	char line[300];
	struct opened o;

	emu_comedi_start(&c);
	snprintf(line, sizeof(line), "calibration_file = \"%s\",\n    channels",
		 calibration_file("pci-6221", gain, offset));
	ck_assert_int_eq(open_daq(&o, WITH("channels", line)), 0);
	ck_assert_str_eq(o.daq->channels[0].calibration,
			 "DKD-K-70001-LVDT-0117 + comedi softcal ni_pcimio_pci-6221_comedi0");
	ck_assert_double_eq_tol(poly_at(&o.daq->channels[0], code), 4.0, DISPLACEMENT_LSB);
	/* The fixture's polynomial alone would be 11 um off: the test can fail. */
	ck_assert_double_gt(fabs(o.fx.daq.channels[0].poly[0] + o.fx.daq.channels[0].poly[1] * code -
				 4.0),
			    0.01);
	close_daq(&o);

	snprintf(line, sizeof(line), "calibration_file = \"%s\",\n    channels",
		 calibration_file("pci-6229", gain, offset));
	assert_error(open_daq(&o, WITH("channels", line)), RIG_ERR_INVALID,
		     "is for a pci-6229 (ni_pcimio), the board is a pci-6221 (ni_pcimio)");
	assert_error(open_daq(&o, WITH("channels", "calibration_file = \"/nonexistent/cal\",\n"
						   "    channels")),
		     RIG_ERR_INVALID, "daq.calibration_file /nonexistent/cal does not exist");
	emu_comedi_stop();
}
END_TEST

START_TEST(refuses_another_board)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP, .board = "pci-6229" };
	struct opened o;

	emu_comedi_start(&c);
	assert_error(open_daq(&o, test_path(FIXTURE)), RIG_ERR_INVALID,
		     "ni-pci6221.lua:13: /dev/comedi0 is a pci-6229 (driver ni_pcimio), the "
		     "fixture is for a pci-6221");
	emu_comedi_stop();
}
END_TEST

START_TEST(refuses_channels_the_board_lacks)
{
	/* An 8-input board (ni_pcimio also drives the PCI-6143). */
	struct emu_comedi_config c = { .signal = EMU_RAMP, .board = "pci-6143", .ai_channels = 8 };
	struct opened o;

	emu_comedi_start(&c);
	assert_error(open_daq(&o, WITH("board = \"pci-6221\",", "", "number = 1,", "number = 9,")),
		     RIG_ERR_INVALID,
		     "channel plunger is AI 9, but pci-6143 on /dev/comedi0 has 8 analog inputs");
	emu_comedi_stop();
}
END_TEST

START_TEST(missing_device_names_the_file)
{
	struct opened o;

	emu_comedi_start_empty();
	assert_error(open_daq(&o, test_path(FIXTURE)), RIG_ERR_NODEV,
		     "ni-pci6221.lua:13: DAQ device /dev/comedi0 does not exist");
	emu_comedi_stop();
}
END_TEST

static const char *list_output(void)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(list_devices(f, NULL), 0);
	fclose(f);
	return buf;
}

START_TEST(lists_the_board)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP };
	const char *out;

	emu_comedi_start(&c);
	out = list_output();
	ck_assert_msg(strstr(out, "comedi  /dev/comedi0  pci-6221 (driver ni_pcimio): 16 AI, maxdata "
				  "65535, ranges -10..10,-5..5,-1..1,-0.2..0.2 V, streams; DIO "
				  "subdevice 2, 8 lines\n"),
		      "%s", out);
	emu_comedi_stop();
	emu_comedi_start_empty();
	out = list_output();
	ck_assert_msg(strstr(out, "comedi  no board present"), "%s", out);
	emu_comedi_stop();
}
END_TEST

/* ---- whole runs: the certify script through comedilib ---- */

static int run(const char *fixture, const char *unit, uint64_t seed, const char *out)
{
	struct run_options o = { .script = "scripts/certify.lua", .fixture = fixture,
				 .sim_unit = unit, .out = out, .seed = seed, .batch = 1,
				 .quiet = 1 };

	return run_execute(&o);
}

/* The ni-pci6221 fixture with the sim DAQ in place of the board. */
static const char *sim_twin(void)
{
	return WITH("driver = \"comedi\"", "driver = \"sim\"");
}

static void sim_board(const struct fixture *fx, uint64_t seed)
{
	struct emu_comedi_config c = { .signal = EMU_SIM, .fx = fx, .seed = seed };

	emu_comedi_start(&c);
}

static char *slurp(const char *dir, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return test_read_file(path);
}

static void same_verdicts(const char *a, const char *b)
{
	char pa[4200], pb[4200];
	json_t *ja, *jb, *sa, *sb;

	snprintf(pa, sizeof(pa), "%s/result.json", a);
	snprintf(pb, sizeof(pb), "%s/result.json", b);
	ja = json_load_file(pa, 0, NULL);
	jb = json_load_file(pb, 0, NULL);
	ck_assert(ja && jb);
	ck_assert_str_eq(json_string_value(json_object_get(ja, "verdict")),
			 json_string_value(json_object_get(jb, "verdict")));
	sa = json_object_get(ja, "steps");
	sb = json_object_get(jb, "steps");
	ck_assert_uint_eq(json_array_size(sa), json_array_size(sb));
	for (size_t i = 0; i < json_array_size(sa); i++)
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(sa, i), "verdict")),
				 json_string_value(json_object_get(json_array_get(sb, i), "verdict")));
	json_decref(ja);
	json_decref(jb);
}

/* shots.csv rows equal, values within one code of their channel. */
static unsigned same_shots(const char *a, const char *b)
{
	char *ta = slurp(a, "shots.csv"), *tb = slurp(b, "shots.csv"), *sa, *sb;
	char *la = strtok_r(ta, "\n", &sa), *lb = strtok_r(tb, "\n", &sb);
	unsigned rows = 0;

	ck_assert_str_eq(la, lb); /* header */
	while ((la = strtok_r(NULL, "\n", &sa)) != NULL) {
		char step_a[64], step_b[64], iv_a[32] = "", iv_b[32] = "";
		unsigned shot_a, shot_b;
		double ya[3], yb[3];

		lb = strtok_r(NULL, "\n", &sb);
		ck_assert_ptr_nonnull(lb);
		ck_assert_int_ge(sscanf(la, "%63[^,],%u,%lf,%lf,%lf,%31s", step_a, &shot_a, &ya[0],
					&ya[1], &ya[2], iv_a),
				 5);
		ck_assert_int_ge(sscanf(lb, "%63[^,],%u,%lf,%lf,%lf,%31s", step_b, &shot_b, &yb[0],
					&yb[1], &yb[2], iv_b),
				 5);
		ck_assert_str_eq(step_a, step_b);
		ck_assert_uint_eq(shot_a, shot_b);
		ck_assert_double_eq_tol(ya[0], yb[0], 2e-6);               /* t_s: board clock, us */
		ck_assert_double_eq_tol(ya[1], yb[1], DISPLACEMENT_LSB);  /* depth_mm */
		ck_assert_double_eq_tol(ya[2], yb[2], PLUNGER_LSB);       /* volume_ul */
		ck_assert_int_eq(!iv_a[0], !iv_b[0]);
		if (iv_a[0])
			ck_assert_double_eq_tol(atof(iv_a), atof(iv_b), 0.05 + 1e-4); /* one scan */
		rows++;
	}
	ck_assert_ptr_null(strtok_r(NULL, "\n", &sb));
	free(ta);
	free(tb);
	return rows;
}

START_TEST(certify_through_the_board_matches_the_sim)
{
	const char *sim_out = test_tmpdir(), *board_out = test_tmpdir();
	const char *twin = sim_twin();
	struct emu_comedi_stats st;
	struct fixture fx;

	ck_assert_int_eq(fixture_load(&fx, test_path(FIXTURE)), 0);
	ck_assert_int_eq(run(twin, NULL, 7, sim_out), 0);
	sim_board(&fx, 7);
	ck_assert_int_eq(run(FIXTURE, NULL, 7, board_out), 0);
	emu_comedi_stats(&st);
	ck_assert_uint_eq(st.commands, 13); /* one capture per burst */
	ck_assert_uint_eq(st.cancels, 13);
	ck_assert_uint_eq(st.trigger_presses, 13);
	same_verdicts(sim_out, board_out);
	ck_assert_uint_eq(same_shots(sim_out, board_out), 780);
	emu_comedi_stop();
}
END_TEST

START_TEST(failing_unit_fails_the_same_way)
{
	const char *sim_out = test_tmpdir(), *board_out = test_tmpdir();
	const char *unit = test_path("fixtures/units/depth-offset.lua");
	struct fixture fx;

	ck_assert_int_eq(fixture_load(&fx, test_path(FIXTURE)), 0);
	ck_assert_int_eq(run(sim_twin(), unit, 3, sim_out), 1);
	sim_board(&fx, 3);
	ck_assert_int_eq(run(FIXTURE, unit, 3, board_out), 1);
	same_verdicts(sim_out, board_out);
	same_shots(sim_out, board_out);
	emu_comedi_stop();
}
END_TEST

static uint64_t capture_scans(const char *dir, const char *name)
{
	struct rcap_reader r;
	char path[4300];
	uint64_t n;

	snprintf(path, sizeof(path), "%s/captures/%s", dir, name);
	ck_assert_int_eq(rcap_open(&r, path), 0);
	n = r.scans;
	rcap_close_reader(&r);
	return n;
}

START_TEST(overrun_mid_run_is_an_error_and_keeps_the_data)
{
	const char *unit = test_write_file(test_tmpdir(), "overrun.lua",
					   "return { faults = { { kind = \"daq_overrun\", "
					   "at_shot = 30 } } }\n");
	const char *sim_out = test_tmpdir(), *board_out = test_tmpdir();
	struct fixture fx;
	char *result;
	uint64_t scans;

	ck_assert_int_eq(fixture_load(&fx, test_path(FIXTURE)), 0);
	ck_assert_int_eq(run(sim_twin(), unit, 1, sim_out), 2);
	sim_board(&fx, 1);
	ck_assert_int_eq(run(FIXTURE, unit, 1, board_out), 2);
	result = slurp(board_out, "result.json");
	ck_assert_msg(strstr(result, "\"verdict\": \"ERROR\"") || strstr(result, "\"verdict\":\"ERROR\""),
		      "%s", result);
	ck_assert_msg(strstr(result, "/dev/comedi0: acquisition buffer overrun after scan"), "%s",
		      result);
	free(result);
	/* The capture up to the loss is on disk, as long as the sim's. */
	scans = capture_scans(board_out, "DEPTH-ACC@1.5mm-1.rcap");
	ck_assert_uint_gt(scans, 0);
	ck_assert_uint_eq(scans, capture_scans(sim_out, "DEPTH-ACC@1.5mm-1.rcap"));
	emu_comedi_stop();
}
END_TEST

START_TEST(run_refuses_a_wrong_board)
{
	struct emu_comedi_config c = { .signal = EMU_RAMP, .board = "pci-6229" };
	const char *out = test_tmpdir();
	char *result;

	emu_comedi_start(&c);
	ck_assert_int_eq(run(FIXTURE, NULL, 1, out), 2);
	result = slurp(out, "result.json");
	ck_assert_msg(strstr(result, "is a pci-6229 (driver ni_pcimio), the fixture is for a "
				     "pci-6221"),
		      "%s", result);
	free(result);
	emu_comedi_stop();
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("comedi (emulated PCI-6221)");
	TCase *tc = tcase_create("driver");
	TCase *runs = tcase_create("runs");

	tcase_add_test(tc, discovers_channels_and_ranges);
	tcase_add_test(tc, selects_the_fixture_range);
	tcase_add_test(tc, refuses_a_range_the_board_lacks);
	tcase_add_test(tc, grants_the_requested_rate);
	tcase_add_test(tc, refuses_a_rate_beyond_the_board);
	tcase_add_test(tc, streams_blocks_across_odd_chunks);
	tcase_add_test(tc, overrun_after_the_data_before_it);
	tcase_add_test(tc, overrun_on_kernels_that_report_it_in_read);
	tcase_add_test(tc, stalled_board_times_out_and_resumes);
	tcase_add_test(tc, trigger_line_follows);
	tcase_add_test(tc, soft_calibration_corrects_the_converter);
	tcase_add_test(tc, refuses_another_board);
	tcase_add_test(tc, refuses_channels_the_board_lacks);
	tcase_add_test(tc, missing_device_names_the_file);
	tcase_add_test(tc, lists_the_board);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tcase_add_test(runs, certify_through_the_board_matches_the_sim);
	tcase_add_test(runs, failing_unit_fails_the_same_way);
	tcase_add_test(runs, overrun_mid_run_is_an_error_and_keeps_the_data);
	tcase_add_test(runs, run_refuses_a_wrong_board);
	tcase_set_timeout(runs, 600);
	suite_add_tcase(s, runs);
	return s;
}
