#include <jansson.h>
#include <math.h>
#include <string.h>

#include "reports/reports.h"
#include "rig/error.h"
#include "rig/file.h"

#define RESULT_SCHEMA "https://rig.example/result.schema.json"
#define RESULT_FORMAT "rig-result/1"

/* JSON has no NaN or infinity: a number not computed is null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A count that 0 marks as absent. */
static json_t *count_or_null(size_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *source(const struct source_file *f)
{
	return json_pack("{s:s, s:s}", "path", f->path, "sha256", f->sha256);
}

static json_t *certificate(const struct fixture_certificate *c)
{
	if (!c->id[0])
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "id", c->id, "issuer", c->issuer, "due", c->due);
}

static json_t *fixture_json(const struct run_record *r, const struct fixture *fx)
{
	json_t *instruments = json_array();

	for (size_t i = 0; i < fx->daq.nchannels; i++) {
		const struct fixture_channel *ch = &fx->daq.channels[i];

		json_array_append_new(instruments,
				      json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", "sensor",
						"channel", ch->name, "unit", ch->unit, "model",
						ch->sensor, "certificate", certificate(&ch->cert)));
	}
	if (fx->scale.driver[0])
		json_array_append_new(instruments,
				      json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", "balance",
						"channel", "mass", "unit", "g", "model",
						fx->scale.model, "certificate",
						certificate(&fx->scale.cert)));
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:f}, s:o, s:{s:f, s:f, s:f, s:f}, s:b}",
			 "name", fx->name, "station", fx->station, "path", r->fixture_file.path,
			 "sha256", r->fixture_file.sha256, "daq", "driver", fx->daq.driver,
			 "rate_hz", fx->daq.rate_hz, "instruments", instruments, "environment",
			 "temperature_c", fx->env.temperature_c, "pressure_kpa",
			 fx->env.pressure_kpa, "humidity_pct", fx->env.humidity_pct,
			 "evaporation_mg_per_s", fx->env.evaporation_mg_per_s,
			 "allow_expired_cal", r->allow_expired_cal);
}

static json_t *measurement_json(const struct measurement *m)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			      "s:o, s:o, s:o, s:o, s:s}",
			      "name", m->name, "unit", m->unit, "requirement", m->requirement, "n",
			      (json_int_t)m->n, "mean", num(m->mean), "sd", num(m->sd), "min",
			      num(m->min), "max", num(m->max), "lsl", num(m->lsl), "usl",
			      num(m->usl), "ti_lo", num(m->ti_lo), "ti_hi", num(m->ti_hi), "k",
			      num(m->k), "cpk", num(m->cpk), "cpk_lo", num(m->cpk_lo), "guard_band",
			      num(m->guard_band), "uncertainty", num(m->uncertainty), "verdict",
			      verdict_name(m->verdict));

	json_object_set_new(j, "target", num(m->target));
	json_object_set_new(j, "mean_lo", num(m->mean_lo));
	json_object_set_new(j, "mean_hi", num(m->mean_hi));
	json_object_set_new(j, "confidence", num(m->confidence));
	json_object_set_new(j, "coverage", num(m->coverage));
	json_object_set_new(j, "ti_method", m->ti_method[0] ? json_string(m->ti_method) : json_null());
	json_object_set_new(j, "ti_rank_lo", count_or_null(m->ti_rank_lo));
	json_object_set_new(j, "ti_rank_hi", count_or_null(m->ti_rank_hi));
	json_object_set_new(j, "ti_n_required", count_or_null(m->ti_n_required));
	json_object_set_new(j, "normality_a2", num(m->normality_a2));
	json_object_set_new(j, "normality_p", num(m->normality_p));
	json_object_set_new(j, "normality_alpha", num(m->normality_alpha));
	json_object_set_new(j, "normality_rejected",
			    isnan(m->normality_p) ? json_null()
						  : json_boolean(m->normality_p < m->normality_alpha));
	if (m->expected >= 0) {
		json_object_set_new(j, "count", json_integer(m->count));
		json_object_set_new(j, "expected", json_integer(m->expected));
	}
	json_object_set_new(j, "reason", json_string(m->reason));
	return j;
}

static json_t *step_json(const struct step_record *s)
{
	json_t *ms = json_array(), *caps = json_array();

	for (size_t i = 0; i < s->nm; i++)
		json_array_append_new(ms, measurement_json(&s->m[i]));
	for (size_t i = 0; i < s->ncaptures; i++)
		json_array_append_new(caps, json_pack("{s:s, s:s}", "file", s->captures[i].name,
						      "sha256", s->captures[i].sha256));
	return json_pack("{s:s, s:s, s:s, s:{s:f, s:f, s:f}, s:s, s:s, s:s, s:s, s:I, s:I, s:o, "
			 "s:o}",
			 "id", s->id, "requirement", s->requirement, "setting_label", s->label,
			 "setting", "depth_mm", s->setting.depth_mm, "dose_ul", s->setting.dose_ul,
			 "rate_per_min", s->setting.rate_per_min, "started", s->started, "ended",
			 s->ended, "verdict", verdict_name(s->verdict), "error", s->error,
			 "bursts", (json_int_t)s->bursts, "shots", (json_int_t)s->nshots,
			 "captures", caps, "measurements", ms);
}

/* Per requirement ID, the worst verdict of every measurement made for it. */
static json_t *requirements_json(const struct run_record *r)
{
	json_t *reqs = json_object(), *out = json_array();
	const char *key;
	json_t *v;

	for (size_t i = 0; i < r->nsteps; i++)
		for (size_t j = 0; j < r->steps[i].nm; j++) {
			const struct measurement *m = &r->steps[i].m[j];
			json_t *old = json_object_get(reqs, m->requirement);
			enum verdict worst = m->verdict;

			if (old)
				worst = verdict_worse((enum verdict)json_integer_value(old), worst);
			json_object_set_new(reqs, m->requirement, json_integer(worst));
		}
	json_object_foreach(reqs, key, v)
		json_array_append_new(out, json_pack("{s:s, s:s}", "id", key, "verdict",
						     verdict_name((enum verdict)json_integer_value(v))));
	json_decref(reqs);
	return out;
}

int report_result_json(const struct run_record *r, const struct fixture *fx, const char *path)
{
	json_t *steps = json_array(), *modules = json_array(), *root;
	FILE *f;
	int rc;

	for (size_t i = 0; i < r->nsteps; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	for (size_t i = 0; i < r->nmodules; i++)
		json_array_append_new(modules, source(&r->modules[i]));
	root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "$schema",
			 RESULT_SCHEMA, "format", RESULT_FORMAT, "run_id", r->id, "rig_version",
			 r->rig_version, "started", r->started, "ended", r->ended, "verdict",
			 verdict_name(r->verdict), "error", r->error, "operator", r->operator_name,
			 "batch", r->batch);
	json_object_set_new(root, "station", json_string(r->station));
	json_object_set_new(root, "safety_stop", json_string(r->safety_stop));
	json_object_set_new(root, "fixture", fixture_json(r, fx));
	json_object_set_new(root, "uut", json_pack("{s:s, s:s, s:s}", "model", r->uut.model,
						   "serial", r->uut.serial, "firmware",
						   r->uut.firmware));
	json_object_set_new(root, "script", source(&r->script));
	json_object_set_new(root, "modules", modules);
	json_object_set_new(root, "sim", r->sim ? json_pack("{s:o, s:I}", "unit",
							     source(&r->sim_unit), "seed",
							     (json_int_t)r->seed)
						: json_null());
	json_object_set_new(root, "requirements", requirements_json(r));
	json_object_set_new(root, "steps", steps);
	rc = file_create(path, &f);
	if (!rc) {
		if (json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) != 0 ||
		    fputc('\n', f) == EOF)
			rc = rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
		if (rc)
			fclose(f);
		else
			rc = file_close_synced(f, path);
	}
	json_decref(root);
	return rc;
}
