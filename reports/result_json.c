#include <jansson.h>
#include <math.h>
#include <string.h>

#include "reports/reports.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/run/record_json.h"

#define RESULT_SCHEMA "https://rig.example/result.schema.json"
#define RESULT_FORMAT "rig-result/1"

static json_t *source(const struct source_file *f)
{
	return json_pack("{s:s, s:s}", "path", f->path, "sha256", f->sha256);
}

static json_t *step_json(const struct step_record *s)
{
	json_t *ms = json_array(), *caps = json_array();

	for (size_t i = 0; i < s->nm; i++)
		json_array_append_new(ms, measurement_to_json(&s->m[i]));
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
	json_t *steps = json_array(), *modules = json_array(), *root, *fixture;
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
	fixture = fixture_to_json(fx);
	json_object_set_new(fixture, "allow_expired_cal", json_boolean(r->allow_expired_cal));
	json_object_set_new(root, "fixture", fixture);
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
	rc = file_replace_open(path, &f);
	if (!rc) {
		if (json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0 ||
		    fputc('\n', f) == EOF)
			rc = rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
		if (rc)
			file_replace_abandon(f, path);
		else
			rc = file_replace_commit(f, path);
	}
	json_decref(root);
	return rc;
}
