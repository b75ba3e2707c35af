#include "rig/run/replay.h"

#include <libgen.h>
#include <math.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/record_json.h"
#include "rig/run/rederive.h"

static void copy(char *dst, size_t len, const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s)
		snprintf(dst, len, "%s", s);
}

static void source_from(struct source_file *f, const json_t *j)
{
	copy(f->path, sizeof(f->path), j, "path");
	copy(f->sha256, sizeof(f->sha256), j, "sha256");
}

static void on_run_start(struct replay *rp, const json_t *e)
{
	struct run_record *r = rp->rec;
	json_t *seed = json_object_get(e, "seed");

	rp->started = 1;
	copy(r->id, sizeof(r->id), e, "run_id");
	copy(r->rig_version, sizeof(r->rig_version), e, "rig_version");
	copy(r->started, sizeof(r->started), e, "time");
	copy(r->started, sizeof(r->started), e, "started"); /* may precede "time" */
	copy(r->station, sizeof(r->station), e, "station");
	copy(r->operator_name, sizeof(r->operator_name), e, "operator");
	source_from(&r->script, json_object_get(e, "script"));
	source_from(&r->fixture_file, json_object_get(e, "fixture"));
	r->sim = json_is_true(json_object_get(e, "sim"));
	r->seed = json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 0;
	copy(r->sim_unit.path, sizeof(r->sim_unit.path), e, "sim_unit");
	copy(r->sim_unit.sha256, sizeof(r->sim_unit.sha256), e, "sim_unit_sha256");
	r->allow_expired_cal = json_is_true(json_object_get(e, "allow_expired_cal"));
	r->batch = json_is_true(json_object_get(e, "batch"));
	copy(r->station_key_id, sizeof(r->station_key_id), e, "station_key");
	copy(r->socket, sizeof(r->socket), e, "socket");
	copy(r->scanned_serial, sizeof(r->scanned_serial), e, "scanned_serial");
}

/* The run options (rig.params, in the order given) and the store. */
static void on_options(struct replay *rp, const json_t *e)
{
	struct run_record *r = rp->rec;
	const char *name;
	json_t *v;

	copy(rp->store_path, sizeof(rp->store_path), e, "store");
	json_object_foreach(json_object_get(e, "params"), name, v) {
		if (r->nparams == RUN_MAX_PARAMS || !json_is_string(v))
			break;
		snprintf(r->params[r->nparams].name, sizeof(r->params[0].name), "%s", name);
		snprintf(r->params[r->nparams++].value, sizeof(r->params[0].value), "%s",
			 json_string_value(v));
	}
}

/* prompt, log, calibration_override: what the deviations list shows. */
static int on_note(struct replay *rp, const char *kind, const json_t *e)
{
	struct run_note *n = run_record_add_note(rp->rec);

	if (!n)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", rp->journal_path);
	snprintf(n->kind, sizeof(n->kind), "%s", kind);
	copy(n->step, sizeof(n->step), e, "step");
	copy(n->time, sizeof(n->time), e, "time");
	copy(n->message, sizeof(n->message), e, "message");
	copy(n->answer, sizeof(n->answer), e, "answer");
	return 0;
}

static void on_gravimetric(struct step_record *s, const json_t *e)
{
	s->grav.have = 1;
	s->grav.grams = json_number_at(e, "grams");
	s->grav.seconds = json_number_at(e, "seconds");
	s->grav.z_ul_per_mg = json_number_at(e, "z_ul_per_mg");
	s->grav.evaporation_mg = json_number_at(e, "evaporation_mg");
	s->grav.volume_ul = json_number_at(e, "volume_ul");
}

static void on_module(struct replay *rp, const json_t *e)
{
	struct run_record *r = rp->rec;

	if (r->nmodules < sizeof(r->modules) / sizeof(r->modules[0]))
		source_from(&r->modules[r->nmodules++], e);
}

static void on_uut(struct replay *rp, const json_t *e)
{
	copy(rp->rec->uut.model, sizeof(rp->rec->uut.model), e, "model");
	copy(rp->rec->uut.serial, sizeof(rp->rec->uut.serial), e, "serial");
	copy(rp->rec->uut.firmware, sizeof(rp->rec->uut.firmware), e, "firmware");
}

static struct step_record *find_step(struct replay *rp, const json_t *e)
{
	const char *id = json_string_value(json_object_get(e, "step"));

	/* Steps are journaled in order: the one an event names is nearly always the last. */
	for (size_t i = rp->rec->nsteps; id && i-- > 0;)
		if (!strcmp(rp->rec->steps[i].id, id))
			return &rp->rec->steps[i];
	return NULL;
}

static int on_step_start(struct replay *rp, const json_t *e)
{
	struct step_record *s = run_record_add_step(rp->rec);
	json_t *set = json_object_get(e, "setting");

	if (!s)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", rp->journal_path);
	copy(s->id, sizeof(s->id), e, "step");
	copy(s->requirement, sizeof(s->requirement), e, "requirement");
	copy(s->label, sizeof(s->label), e, "label");
	copy(s->started, sizeof(s->started), e, "time");
	s->setting.depth_mm = json_number_at(set, "depth_mm");
	s->setting.dose_ul = json_number_at(set, "dose_ul");
	s->setting.rate_per_min = json_number_at(set, "rate_per_min");
	/* Until its step_end says otherwise, the step was cut short. */
	s->verdict = VERDICT_ABORTED;
	return 0;
}

static int on_burst(struct replay *rp, struct step_record *s, const json_t *e)
{
	json_t *cap = json_object_get(e, "capture");
	size_t n = shot_rows_count(e), first = s->nshots;
	struct artifact *a;

	s->bursts++;
	for (size_t i = 0; i < n; i++) {
		struct shot_row *row = step_add_shot(s);

		if (!row)
			return rig_error(RIG_ERR_NOMEM, "%s: out of memory", rp->journal_path);
		row->shot = (uint32_t)s->nshots;
		row->burst = s->bursts;
	}
	/* a burst of no shots: there may be no rows at all (NULL + 0 is undefined) */
	if (n)
		shot_rows_from_json(e, s->shots + first, n);
	if (!cap)
		return 0;
	if (!(a = step_add_capture(s)))
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", rp->journal_path);
	copy(a->name, sizeof(a->name), cap, "file");
	copy(a->sha256, sizeof(a->sha256), cap, "sha256");
	a->burst = s->bursts;
	return 0;
}

/* A burst's signal quality goes with its capture. */
static void on_signal(struct step_record *s, const json_t *e)
{
	json_t *b = json_object_get(e, "burst");

	for (size_t i = s->ncaptures; json_is_integer(b) && i-- > 0;)
		if (s->captures[i].burst == json_integer_value(b)) {
			signal_from_json(e, &s->captures[i].signal);
			return;
		}
}

static int on_measurement(struct replay *rp, struct step_record *s, const json_t *e,
			  uint64_t lineno)
{
	struct measurement *m = step_add_measurement(s);
	char msg[1024];

	if (!m)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", rp->journal_path);
	measurement_from_json(e, m);
	if (!rp->mismatch)
		return 0;
	if (rederive_measurement(e, rp->fx, s, m) != 0 || rederive_compare(e, m) != 0) {
		snprintf(msg, sizeof(msg), "journal.jsonl:%llu: %s %s: %s",
			 (unsigned long long)lineno, s->id, m->name, rig_last_error());
		rp->mismatch(rp->mismatch_ctx, msg);
	}
	return 0;
}

static void on_step_end(struct step_record *s, const json_t *e)
{
	copy(s->ended, sizeof(s->ended), e, "time");
	copy(s->error, sizeof(s->error), e, "error");
	s->verdict = verdict_parse(json_string_value(json_object_get(e, "verdict")));
}

/*
 * A run rig recover closed: what the journal does not say about it is
 * derived here, from the journal alone, so that every later replay (rig
 * verify) rebuilds the very record recover reported. Steps cut short end
 * at the last event before the kill; a run killed before its run_start is
 * named after its directory.
 */
static void on_run_end(struct replay *rp, const json_t *e)
{
	struct run_record *r = rp->rec;
	char base[4096];

	rp->ended = 1;
	copy(r->ended, sizeof(r->ended), e, "time");
	copy(r->error, sizeof(r->error), e, "error");
	r->verdict = verdict_parse(json_string_value(json_object_get(e, "verdict")));
	if (!rp->started) {
		snprintf(base, sizeof(base), "%s", r->out_dir);
		snprintf(r->id, sizeof(r->id), "%s", basename(base));
		snprintf(r->started, sizeof(r->started), "%s", rp->cut_time[0] ? rp->cut_time : r->ended);
	}
	for (size_t i = 0; i < r->nsteps; i++)
		if (!r->steps[i].ended[0])
			snprintf(r->steps[i].ended, sizeof(r->steps[i].ended), "%s",
				 rp->cut_time[0] ? rp->cut_time : r->ended);
}

int replay_line(void *ctx, json_t *line, uint64_t lineno)
{
	struct replay *rp = ctx;
	const char *event = json_string_value(json_object_get(line, "event"));
	struct step_record *s;

	if (!strcmp(event, "recovered"))
		snprintf(rp->cut_time, sizeof(rp->cut_time), "%s", rp->last_time);
	copy(rp->last_time, sizeof(rp->last_time), line, "time");
	if (!strcmp(event, "run_start"))
		on_run_start(rp, line);
	else if (!strcmp(event, "fixture"))
		fixture_from_json(json_object_get(line, "fixture"), rp->fx);
	else if (!strcmp(event, "module"))
		on_module(rp, line);
	else if (!strcmp(event, "uut"))
		on_uut(rp, line);
	else if (!strcmp(event, "step_start"))
		return on_step_start(rp, line);
	else if (!strcmp(event, "options"))
		on_options(rp, line);
	else if (!strcmp(event, "flash")) {
		copy(rp->rec->firmware_image.path, sizeof(rp->rec->firmware_image.path), line, "image");
		copy(rp->rec->firmware_image.sha256, sizeof(rp->rec->firmware_image.sha256), line,
		     "sha256");
	}
	else if (!strcmp(event, "run_end"))
		on_run_end(rp, line);
	else if (!strcmp(event, "spec"))
		spec_from_json(line, &rp->rec->spec);
	else if (!strcmp(event, "prompt") || !strcmp(event, "log"))
		return on_note(rp, event, line);
	else if (!strcmp(event, "calibration_override"))
		return on_note(rp, "calibration", line);
	else if (!strcmp(event, "safety_stop"))
		copy(rp->rec->safety_stop, sizeof(rp->rec->safety_stop), line, "message");
	else if ((!strcmp(event, "scale_reading") || !strcmp(event, "gravimetric")) &&
		 !find_step(rp, line))
		return 0; /* outside a step (zeroing the balance): nothing to report */
	else if (!strcmp(event, "burst") || !strcmp(event, "measurement") ||
		 !strcmp(event, "step_end") || !strcmp(event, "scale_reading") ||
		 !strcmp(event, "gravimetric") || !strcmp(event, "signal")) {
		if (!(s = find_step(rp, line)))
			return rig_error(RIG_ERR_INVALID, "%s:%llu: %s for a step never started",
					 rp->journal_path, (unsigned long long)lineno, event);
		if (!strcmp(event, "burst"))
			return on_burst(rp, s, line);
		if (!strcmp(event, "measurement"))
			return on_measurement(rp, s, line, lineno);
		if (!strcmp(event, "scale_reading")) {
			if (s->nreadings < STEP_MAX_READINGS)
				s->readings_g[s->nreadings++] = json_number_at(line, "grams");
			return 0;
		}
		if (!strcmp(event, "gravimetric")) {
			on_gravimetric(s, line);
			return 0;
		}
		if (!strcmp(event, "signal")) {
			on_signal(s, line);
			return 0;
		}
		on_step_end(s, line);
	}
	return 0;
}
