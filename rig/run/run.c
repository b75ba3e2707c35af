#include "rig/run/run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reports/artifacts.h"
#include "reports/reports.h"
#include "rig/station/station.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/script/harness.h"
#include "rig/base/interrupt.h"
#include "rig/base/journal.h"
#include "rig/run/msa_gate.h"
#include "rig/base/paths.h"
#include "rig/base/record.h"
#include "rig/base/record_json.h"
#include "rig/store/central.h"
#include "rig/store/store.h"
#include "rig/run/recover.h"
#include "rig/base/timefmt.h"
#include "rig/base/utf8.h"
#include "drivers/backends.h"
#include "rig/station/fixture_load.h"

struct run {
	const struct run_options *opt;
	char script_path[4096];
	char fixture_path[4096];
	int batch;                 /* the fixture has sockets: run them (batch.c) */
	char sim_unit_path[4096];  /* "" : built-in defaults */
	struct fixture fx;
	struct run_record rec;
	struct journal journal;
	struct station station;
	struct station_key key;
	struct msa_gate msa;       /* the gauge-study interlock's findings */
	int journal_open;
	int records_written; /* result.json ... MANIFEST.sig all in place */
};

/* A file named on the command line (option opt), else the default one. */
static int find_default(const char *given, const char *opt, const char *rel,
			enum paths_kind kind, char *out, size_t len)
{
	char why[2600];

	if (given)
		return paths_resolve(given, kind, out, len);
	if (paths_resolve(rel, kind, out, len) == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", rig_last_error());
	return rig_error(RIG_ERR_INVALID, "no %s given, and the default %s (use %s)", opt, why, opt);
}

static int uses_sim(const struct fixture *fx)
{
	return !strcmp(fx->daq.driver, "sim") || !strcmp(fx->uut.driver, "sim") ||
	       !strcmp(fx->scale.driver, "sim");
}

/* UTC second and 32 random bits: a run id keys the run in the central store
 * across every station of a line, and 16 bits met again there (two of 8
 * stations in one second drew the same tail: a false "conflict"). */
static void make_run_id(char *buf, size_t len)
{
	char stamp[32];

	time_format_compact(time(NULL), stamp, sizeof(stamp));
	snprintf(buf, len, "%s-%08x", stamp, (unsigned)randombytes_random());
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * The run directory is this run's alone, before anything is written: made
 * new (or an empty directory made for it; never a symbolic link), then
 * claimed by creating RECOVER_MARK in it exclusively. A second rig aimed
 * at the same place finds it taken and exits having written nothing. The
 * mark holds the run id: it is how recovery tells rig's run directories
 * from anybody else's (rig/recover.h).
 */
static int make_run_dir(struct run *run)
{
	struct run_record *r = &run->rec;
	char parent[4096], mark[4200], line[80];
	struct stat st;
	int fd, rc = 0, n;

	if (run->opt->out)
		rc = path_format(r->out_dir, sizeof(r->out_dir), "%s", run->opt->out);
	else
		rc = path_format(r->out_dir, sizeof(r->out_dir), "reports/out/%s", r->id);
	/* Every name the run writes fits when its mark does (the reports check theirs). */
	if (rc || (rc = path_join(mark, sizeof(mark), r->out_dir, RECOVER_MARK)) != 0) {
		r->out_dir[0] = '\0';
		return rc;
	}
	snprintf(parent, sizeof(parent), "%s", r->out_dir);
	if (strcmp(dirname(parent), ".") && strcmp(parent, "/") &&
	    (rc = file_mkdirs(parent, 0755)) != 0)
		return rc;
	if (mkdir(r->out_dir, 0755) != 0) {
		if (errno != EEXIST || lstat(r->out_dir, &st) != 0)
			return rig_error_errno(RIG_ERR_IO, "%s: cannot create the run directory",
					       r->out_dir);
		if (S_ISLNK(st.st_mode))
			return rig_error(RIG_ERR_INVALID, "%s: is a symbolic link (choose a new "
					 "--out directory)", r->out_dir);
		if (!S_ISDIR(st.st_mode) || !dir_is_empty(r->out_dir))
			return rig_error(RIG_ERR_INVALID, "%s: already exists and is not empty "
					 "(choose a new --out directory)", r->out_dir);
	}
	fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST
			       ? rig_error(RIG_ERR_INVALID, "%s: already exists (choose a new --out "
					   "directory)", r->out_dir)
			       : rig_error_errno(RIG_ERR_IO, "%s: cannot claim the run directory",
						 r->out_dir);
	n = snprintf(line, sizeof(line), "%s\n", r->id);
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: write failed", mark);
	close(fd);
	return rc;
}

static void fill_record(struct run *run)
{
	const struct run_options *o = run->opt;
	struct run_record *r = &run->rec;
	const char *user = getenv("USER");

	make_run_id(r->id, sizeof(r->id));
	snprintf(r->rig_version, sizeof(r->rig_version), "%s", RIG_VERSION);
	time_format_iso(time(NULL), r->started, sizeof(r->started));
	snprintf(r->station, sizeof(r->station), "%s",
		 run->fx.station[0] ? run->fx.station : run->fx.name);
	snprintf(r->operator_name, sizeof(r->operator_name), "%s",
		 o->operator_name ? o->operator_name : (user && user[0] ? user : "unknown"));
	snprintf(r->script.path, sizeof(r->script.path), "%s", run->script_path);
	snprintf(r->fixture_file.path, sizeof(r->fixture_file.path), "%s", run->fixture_path);
	snprintf(r->socket, sizeof(r->socket), "%s", run->fx.socket);
	snprintf(r->scanned_serial, sizeof(r->scanned_serial), "%s", o->serial ? o->serial : "");
	snprintf(r->fixture_file.sha256, sizeof(r->fixture_file.sha256), "%s", run->fx.sha256);
	r->sim = uses_sim(&run->fx);
	r->seed = o->seed;
	r->allow_expired_cal = o->allow_expired_cal;
	r->batch = o->batch || (!o->answers && (!isatty(STDIN_FILENO) || getenv("CI")));
	for (int i = 0; i < o->nparams && r->nparams < RUN_MAX_PARAMS; i++) {
		struct run_param *p = &r->params[r->nparams++];
		const char *eq = strchr(o->params[i], '=');

		snprintf(p->name, sizeof(p->name), "%.*s", (int)(eq - o->params[i]), o->params[i]);
		snprintf(p->value, sizeof(p->value), "%s", eq + 1);
	}
	if (r->sim) {
		snprintf(r->sim_unit.path, sizeof(r->sim_unit.path), "%s",
			 run->sim_unit_path[0] ? run->sim_unit_path : "(built-in nominal unit)");
		if (run->sim_unit_path[0])
			file_sha256_hex(run->sim_unit_path, r->sim_unit.sha256);
	}
}

/* The run options a script reads (rig.params, rig.firmware), and the store
 * the run records into (for rig recover), for the journal. */
static json_t *options_event(const struct run *run)
{
	json_t *params = json_object();
	char store[4096] = "";

	for (size_t i = 0; i < run->rec.nparams; i++)
		json_object_set_new(params, run->rec.params[i].name,
				    json_string(run->rec.params[i].value));
	if (run->opt->db)
		snprintf(store, sizeof(store), "%s", run->opt->db);
	else if (store_default_path(store, sizeof(store)) != 0)
		store[0] = '\0';
	return json_pack("{s:o, s:s?, s:s}", "params", params, "firmware", run->opt->firmware,
			 "store", store);
}

/* Store-and-forward: with a central store named in station.conf, push
 * the outbox now. The central store being away costs a notice, never the
 * run: the run waits in the outbox for the next sync (docs/line.md). */
static void forward_to_central(const struct run *run)
{
	char to[1024], target[256];
	struct sync_counts n;

	if (central_configured(to, sizeof(to)) != 0) {
		fprintf(stderr, "rig: warning: %s; run %s not forwarded\n", rig_last_error(),
			run->rec.id);
		return;
	}
	if (!to[0])
		return;
	if (central_sync_to(to, run->opt->db, 0, 3, NULL, NULL, &n, target, sizeof(target)) != 0)
		fprintf(stderr, "rig: warning: %s; run %s stays in the outbox (rig sync)\n",
			rig_last_error(), run->rec.id);
	else if (n.conflicts)
		fprintf(stderr, "rig: warning: %ld run(s) conflict with the central store's copy "
			"(rig sync says which)\n", n.conflicts);
	else if (!run->opt->quiet)
		printf("forwarded to %s (%ld run(s))\n", target, n.pushed);
}

/* Copy the run into the results store once its directory, the primary
 * record, is complete: a store that cannot take the run costs a warning, not
 * the run (docs/regression.md). A run whose records could not be written
 * (a full disk) goes in when rig recover has completed them. */
static void record_in_store(const struct run *run)
{
	struct store st;
	int rc;

	if (!run->records_written) {
		fprintf(stderr, "rig: warning: run %s is not in the results store until its records "
			"are complete (rig recover %s)\n", run->rec.id, run->rec.out_dir);
		return;
	}
	if ((rc = store_open(&st, run->opt->db)) == 0)
		rc = store_put_run(&st, &run->rec);
	store_close(&st);
	if (rc)
		fprintf(stderr, "rig: warning: results store: %s; run %s is not in the store (its "
			"records are complete in %s)\n", rig_last_error(), run->rec.id,
			run->rec.out_dir);
	else
		forward_to_central(run);
}

static json_t *run_start_event(const struct run *run)
{
	const struct run_record *r = &run->rec;

	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:b, s:I, s:s, s:b, "
			 "s:b, s:s, s:s, s:s?, s:s*, s:s}",
			 "run_id", r->id, "rig_version", r->rig_version, "station", r->station,
			 "operator", r->operator_name, "script", "path", r->script.path, "sha256",
			 r->script.sha256, "fixture", "path", r->fixture_file.path, "sha256",
			 r->fixture_file.sha256, "sim", r->sim, "seed", (json_int_t)r->seed,
			 "sim_unit", r->sim_unit.path, "allow_expired_cal", r->allow_expired_cal,
			 "batch", r->batch, "sim_unit_sha256", r->sim_unit.sha256, "station_key",
			 r->station_key_id, "socket", r->socket[0] ? r->socket : NULL,
			 "scanned_serial", r->scanned_serial[0] ? r->scanned_serial : NULL,
			 /* the record's start, which may precede this line */
			 "started", r->started);
}

/* Load, check and open everything before the script runs. 0 or an error. */
static int prepare(struct run *run)
{
	const struct run_options *o = run->opt;
	char today[16], why[96];
	int rc;

	if ((rc = find_default(o->fixture, "--fixture", "fixtures/sim-bench.lua", PATHS_FIXTURE,
			       run->fixture_path, sizeof(run->fixture_path))) != 0)
		return rc;
	if ((rc = fixture_load(&run->fx, run->fixture_path)) != 0)
		return rc;
	/* A station of several sockets: each runs as a process of its own
	 * (rig/run/batch.c), this one only starts them. */
	if (run->fx.nsockets && !o->socket) {
		run->batch = 1;
		if ((rc = paths_resolve(o->script, PATHS_SCRIPT, run->script_path,
					sizeof(run->script_path))) != 0)
			return rc;
		return harness_check_script(run->script_path);
	}
	if (o->socket && (rc = fixture_select_socket(&run->fx, o->socket)) != 0)
		return rc;
	if (!o->socket && (o->nsocket_units || o->nsocket_serials))
		return rig_error(RIG_ERR_INVALID, "%s: SOCKET=... given, but the fixture declares "
				 "no sockets", run->fixture_path);
	if (o->serial)
		snprintf(run->fx.uut.serial, sizeof(run->fx.uut.serial), "%s", o->serial);
	if (uses_sim(&run->fx)) {
		/* Without nominal.lua the sim plays its built-in nominal unit. */
		if (find_default(o->sim_unit, "--sim-unit", "fixtures/units/nominal.lua",
				 PATHS_UNIT, run->sim_unit_path, sizeof(run->sim_unit_path))) {
			if (o->sim_unit)
				return RIG_ERR_INVALID;
			rig_error_clear();
		}
		if (run->sim_unit_path[0] && (rc = sim_unit_check(run->sim_unit_path)) != 0)
			return rc;
	} else if (o->sim_unit)
		return rig_error(RIG_ERR_INVALID, "--sim-unit given, but fixture %s uses no sim "
				 "backend", run->fixture_path);
	if ((rc = key_station(&run->key, stderr)) != 0)
		return rc;
	time_format_date(time(NULL), today, sizeof(today));
	rc = fixture_check_calibration(&run->fx, today);
	if (rc && !o->allow_expired_cal)
		return rc;
	if (!o->msa_study &&
	    (rc = msa_gate_check(&run->fx, o->db, o->allow_expired_msa, &run->msa)) != 0)
		return rc;
	if ((rc = paths_resolve(o->script, PATHS_SCRIPT, run->script_path,
				sizeof(run->script_path))) != 0)
		return rc;
	if ((rc = harness_check_script(run->script_path)) != 0)
		return rc;
	if (o->firmware && access(o->firmware, R_OK) != 0)
		return rig_error_errno(RIG_ERR_INVALID, "--firmware %s: cannot read the image",
				       o->firmware);
	if (!o->operator_name && getenv("USER") &&
	    utf8_problem(getenv("USER"), strlen(getenv("USER")), why, sizeof(why)))
		return rig_error(RIG_ERR_INVALID, "$USER: %s (name the operator with --operator)",
				 why);
	fill_record(run);
	key_id(&run->key, run->rec.station_key_id);
	if ((rc = file_sha256_hex(run->script_path, run->rec.script.sha256)) != 0)
		return rc;
	return make_run_dir(run);
}

/* What the DAQ backend made of the fixture: the board, and per channel the
 * range and code-to-unit polynomial in use, with where it came from (the
 * fixture's certificate, or that composed with the board's calibration). */
static json_t *daq_json(const struct daq *daq)
{
	json_t *chans = json_array();

	for (size_t i = 0; i < daq->nchannels; i++) {
		const struct daq_channel *ch = &daq->channels[i];
		json_t *poly = json_array();

		for (int k = 0; k <= ch->poly_order; k++)
			json_array_append_new(poly, json_real(ch->poly[k]));
		json_array_append_new(chans,
				      json_pack("{s:s, s:s, s:[f,f], s:I, s:o, s:s}", "name", ch->name,
						"unit", ch->unit, "range_v", ch->range_v[0],
						ch->range_v[1], "maxdata", (json_int_t)ch->maxdata,
						"poly", poly, "calibration", ch->calibration));
	}
	return json_pack("{s:s, s:s, s:o}", "board", daq->board, "driver", daq->driver_name,
			 "channels", chans);
}

/* Runs left unclosed beside this one (a crash, a kill) are closed first:
 * only under the default reports/out, rig's own. Elsewhere (--out) the
 * directories beside the run are the user's; rig recover closes runs there. */
static void recover_neighbours(const struct run *run)
{
	char parent[4096];
	char *slash;

	if (run->opt->out)
		return;

	snprintf(parent, sizeof(parent), "%s", run->rec.out_dir);
	while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent] = '\0';
	recover_leftovers(parent, run->rec.out_dir, &run->key, stderr);
}

/* What the unit reports about itself goes into every record: text only. */
static int check_identity(const struct uut_identity *id)
{
	const char *const what[] = { "model", "serial", "firmware" };
	const char *const val[] = { id->model, id->serial, id->firmware };
	char why[96];

	for (int i = 0; i < 3; i++)
		if (utf8_problem(val[i], strlen(val[i]), why, sizeof(why)))
			return rig_error(RIG_ERR_PROTOCOL, "the unit reports a %s that is no text: "
					 "%s", what[i], why);
	return 0;
}

/* The serial the operator scanned is the unit's, or the wrong unit is in
 * the socket: refused before the first shot. A unit that reports no serial
 * cannot be checked; the scanned one is recorded all the same. */
static int check_scanned(const struct run_record *r)
{
	if (!r->scanned_serial[0] || !r->uut.serial[0] ||
	    !strcmp(r->scanned_serial, r->uut.serial))
		return 0;
	return rig_error(RIG_ERR_INVALID, "serial %s was scanned, but the unit in the socket%s%s "
			 "reports serial %s: wrong unit in the socket", r->scanned_serial,
			 r->socket[0] ? " " : "", r->socket, r->uut.serial);
}

static int open_station(struct run *run)
{
	struct driver_options bo = { 0 };
	char truth[4200];
	int rc;

	if ((rc = path_join(truth, sizeof(truth), run->rec.out_dir, "truth.csv")) != 0)
		return rc;
	bo.sim_unit = run->sim_unit_path[0] ? run->sim_unit_path : NULL;
	bo.seed = run->opt->seed;
	bo.realtime = run->opt->realtime;
	bo.truth_path = run->rec.sim ? truth : NULL;
	rc = station_open(&run->station, &run->fx, &bo);
	if (rc)
		return rc;
	run->rec.uut = run->station.uut->id;
	if ((rc = check_identity(&run->rec.uut)) != 0)
		return rc;
	rc = journal_append(&run->journal, "uut",
			    json_pack("{s:s, s:s, s:s, s:s}", "model", run->rec.uut.model, "serial",
				      run->rec.uut.serial, "firmware", run->rec.uut.firmware,
				      "daq_board", run->station.daq->board));
	if (!rc && (rc = journal_append(&run->journal, "daq", daq_json(run->station.daq))) == 0)
		rc = check_scanned(&run->rec);
	return rc;
}

static int run_script(struct run *run)
{
	struct harness h;
	int rc;

	harness_init(&h);
	h.station = &run->station;
	h.rec = &run->rec;
	h.journal = &run->journal;
	h.fx = &run->fx;
	h.batch = run->rec.batch;
	h.answers = run->opt->answers;
	h.step_timeout_s = run->opt->step_timeout_s;
	h.firmware = run->opt->firmware;
	h.progress = !run->opt->quiet && isatty(STDERR_FILENO);
	snprintf(h.script_path, sizeof(h.script_path), "%s", run->script_path);
	snprintf(h.run_dir, sizeof(h.run_dir), "%s", run->rec.out_dir);
	rc = harness_run(&h);
	if (h.progress)
		fputs("\r\033[K", stderr);
	/* A step the script left open (it raised inside) ends with the run. */
	if (h.step) {
		snprintf(h.step->error, sizeof(h.step->error), "%s",
			 rc ? rig_last_error() : "step did not end");
		time_format_iso(time(NULL), h.step->ended, sizeof(h.step->ended));
	}
	if (!rc && h.device_failed)
		rc = rig_error(RIG_ERR_DEVICE, "%s", h.device_message);
	if (!rc && run->opt->firmware &&
	    strcmp(run->rec.firmware_image.path, run->opt->firmware) != 0)
		rc = rig_error(RIG_ERR_INVALID, "%s: --firmware %s was given but the script never "
			       "flashed it (call rig.uut:flash())", run->opt->script,
			       run->opt->firmware);
	harness_release(&h);
	return rc;
}

/* A run that is ERROR by a step's error alone (a clipped sensor, say)
 * names the first such step. */
static void print_step_error(const struct run_record *r)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i].error[0]) {
			fprintf(stderr, "rig: step %s: %s\n", r->steps[i].id, r->steps[i].error);
			return;
		}
	fprintf(stderr, "rig: the run ended in ERROR\n");
}

static int exit_status(const struct run_record *r, int rc)
{
	if (rc && rc != RIG_ERR_SAFETY)
		return 2;
	switch (r->verdict) {
	case VERDICT_PASS: return 0;
	case VERDICT_FAIL:
	case VERDICT_INCOMPLETE:
	case VERDICT_INDETERMINATE: return 1;
	default: return 2;
	}
}

/* Finish the record and journal after the script (whatever happened). */
static int close_run(struct run *run, int rc)
{
	struct run_record *r = &run->rec;
	int wrc, jrc = 0;

	if (rc && rc != RIG_ERR_SAFETY)
		snprintf(r->error, sizeof(r->error), "%s", rig_last_error());
	if (rc == RIG_ERR_SAFETY)
		snprintf(r->safety_stop, sizeof(r->safety_stop), "%s", rig_last_error());
	if (rc == RIG_ERR_ABORTED)
		r->verdict = VERDICT_ABORTED;
	time_format_iso(time(NULL), r->ended, sizeof(r->ended));
	run_record_settle(r);
	for (size_t i = 0; !rc && i < r->nsteps; i++)
		if (!strcmp(r->steps[i].error, STEP_JUDGED_NOTHING)) {
			rc = rig_error(RIG_ERR_INVALID, "%s: step %s judged nothing", r->script.path,
				       r->steps[i].id);
			snprintf(r->error, sizeof(r->error), "%s", rig_last_error());
		}
	if (!rc && r->verdict == VERDICT_NONE) {
		rc = rig_error(RIG_ERR_INVALID, "%s: the script judged nothing", r->script.path);
		snprintf(r->error, sizeof(r->error), "%s", rig_last_error());
		r->verdict = VERDICT_ERROR;
	}
	/* The end of the run is part of its record: a journal that cannot take
	 * it (a full disk) is a records failure, as a report that cannot be
	 * written is; rig recover closes such a run later. */
	if (run->journal_open &&
	    (jrc = journal_append(&run->journal, "run_end",
				  json_pack("{s:s, s:s}", "verdict", verdict_name(r->verdict),
					    "error", r->error))) != 0 &&
	    !(rc && rc != RIG_ERR_SAFETY)) {
		rc = jrc;
		snprintf(r->error, sizeof(r->error), "%s", rig_last_error());
	}
	station_release(&run->station);
	/* The journal stays locked until the run is signed: until then a
	 * recovery by another rig would take this live run for a dead one. */
	if (run->opt->artifacts && r->verdict != VERDICT_ABORTED)
		run->opt->artifacts(r, run->opt->artifacts_ctx); /* it reports its own failure */
	wrc = reports_write_supplemented(r, &run->fx, run->opt->supplement, &run->key);
	run->records_written = wrc == 0 && jrc == 0;
	if (run->journal_open)
		journal_close(&run->journal);
	if (wrc && !(rc && rc != RIG_ERR_SAFETY)) {
		rc = wrc;
		snprintf(r->error, sizeof(r->error), "%s", rig_last_error());
	}
	return rc;
}

int run_execute(const struct run_options *o)
{
	struct run *run = calloc(1, sizeof(*run));
	char journal_path[4200], today[16];
	int rc, status;

	if (!run) {
		fprintf(stderr, "rig: out of memory\n");
		return 2;
	}
	run->opt = o;
	run_record_init(&run->rec);
	interrupt_install_handlers();
	rc = prepare(run);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		run_record_release(&run->rec);
		free(run);
		return 2;
	}
	if (run->batch) {
		status = batch_execute(o, run->fixture_path, &run->fx);
		run_record_release(&run->rec);
		free(run);
		return status;
	}
	recover_neighbours(run);
	rc = path_format(journal_path, sizeof(journal_path), "%s/journal.jsonl", run->rec.out_dir);
	if (!rc)
		rc = journal_create(&run->journal, journal_path);
	if (!rc) {
		run->journal_open = 1;
		rc = journal_append(&run->journal, "run_start", run_start_event(run));
	}
	if (!rc)
		rc = journal_append(&run->journal, "options", options_event(run));
	if (!rc)
		rc = journal_append(&run->journal, "fixture",
				    json_pack("{s:o}", "fixture", fixture_to_json(&run->fx)));
	time_format_date(time(NULL), today, sizeof(today));
	if (!rc && o->allow_expired_cal && fixture_check_calibration(&run->fx, today) != 0) {
		struct run_note *n = run_record_add_note(&run->rec);

		if (n) {
			snprintf(n->kind, sizeof(n->kind), "calibration");
			snprintf(n->message, sizeof(n->message), "%s", rig_last_error());
			snprintf(n->time, sizeof(n->time), "%s", run->rec.started);
		}
		rc = journal_append(&run->journal, "calibration_override",
				    json_pack("{s:s}", "message", rig_last_error()));
	}
	if (!rc)
		rc = msa_gate_journal(&run->msa, &run->journal);
	if (!rc)
		rc = open_station(run);
	if (!rc)
		rc = run_script(run);
	rc = close_run(run, rc);
	/* The verdict first: the store may make the station wait for a lock. */
	report_summary(&run->rec, &run->fx, stdout);
	fflush(stdout);
	if (run->rec.verdict != VERDICT_ABORTED)
		record_in_store(run);
	status = exit_status(&run->rec, rc);
	if (status == 2 && run->rec.error[0])
		fprintf(stderr, "rig: %s\n", run->rec.error);
	else if (status == 2 && rig_last_error()[0])
		fprintf(stderr, "rig: %s\n", rig_last_error());
	else if (status == 2)
		print_step_error(&run->rec);
	run_record_release(&run->rec);
	sodium_memzero(&run->key, sizeof(run->key));
	free(run);
	return status;
}
