#include <jansson.h>
#include <math.h>
#include <string.h>

#include "reports/msa_values.h"
#include "reports/reports.h"
#include "rig/base/audit.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/record_json.h"

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
	/* Each capture with its burst and what its signals were like (null:
	 * the burst journaled no signal quality, e.g. it failed). */
	for (size_t i = 0; i < s->ncaptures; i++) {
		const struct artifact *a = &s->captures[i];

		json_array_append_new(caps, json_pack("{s:s, s:s, s:I, s:o}", "file", a->name,
						      "sha256", a->sha256, "burst",
						      (json_int_t)a->burst, "signal",
						      a->signal.have ? signal_to_json(&a->signal)
								     : json_null()));
	}
	json_t *j, *readings = json_array();

	for (size_t i = 0; i < s->nreadings; i++)
		json_array_append_new(readings, json_real(s->readings_g[i]));
	j = json_pack("{s:s, s:s, s:s, s:{s:f, s:f, s:f}, s:s, s:s, s:s, s:s, s:I, s:I, s:o, "
			 "s:o}",
			 "id", s->id, "requirement", s->requirement, "setting_label", s->label,
			 "setting", "depth_mm", s->setting.depth_mm, "dose_ul", s->setting.dose_ul,
			 "rate_per_min", s->setting.rate_per_min, "started", s->started, "ended",
			 s->ended, "verdict", verdict_name(s->verdict), "error", s->error,
			 "bursts", (json_int_t)s->bursts, "shots", (json_int_t)s->nshots,
			 "captures", caps, "measurements", ms);
	if (s->nreadings)
		json_object_set_new(j, "balance_readings_g", readings);
	else
		json_decref(readings);
	if (s->grav.have)
		json_object_set_new(j, "gravimetric",
				    json_pack("{s:f, s:f, s:f, s:f, s:f}", "grams", s->grav.grams,
					      "seconds", s->grav.seconds, "z_ul_per_mg",
					      s->grav.z_ul_per_mg, "evaporation_mg",
					      s->grav.evaporation_mg, "volume_ul", s->grav.volume_ul));
	return j;
}

/* Per requirement ID (the spec's first): the worst verdict of every
 * measurement made for it, and its worst margin (rig/base/audit.h). */
static json_t *requirements_json(const struct run_record *r)
{
	const char *ids[32];
	size_t n = audit_requirements(r, ids, 32);
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++) {
		struct margin mg;

		audit_margin(r, ids[i], &mg);
		json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:o, s:o, s:s}", "id", ids[i],
						     "verdict", verdict_name(mg.verdict),
						     "judgements", (json_int_t)mg.measurements,
						     "worst_margin", json_number_or_null(mg.dist),
						     "worst_margin_pct", json_number_or_null(mg.pct),
						     "worst_at", mg.step ? mg.step->id : ""));
	}
	return out;
}

static json_t *coverage_json(const struct run_record *r)
{
	struct coverage_row rows[SPEC_MAX_REQUIREMENTS * SPEC_MAX_VALUES];
	size_t n = audit_coverage(r, rows, sizeof(rows) / sizeof(rows[0]));
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:I, s:s}", "requirement",
						     rows[i].requirement, "setting", rows[i].setting,
						     "shots_required", (json_int_t)rows[i].shots_required,
						     "shots_measured", (json_int_t)rows[i].shots_measured,
						     "status", coverage_status_name(rows[i].status)));
	return out;
}

static json_t *deviations_json(const struct run_record *r)
{
	struct deviation d[64];
	size_t n = audit_deviations(r, d, 64);
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "kind", d[i].kind, "step",
						     d[i].step, "text", d[i].text));
	return out;
}

/* A gauge study's every loading, with its shots (docs/msa.md); nothing
 * for a run that is no study. */
static void msa_json(const struct run_record *r, json_t *root)
{
	struct msa_values v;

	if (msa_values_from_record(r, &v) != 0) {
		rig_error_clear();
		return;
	}
	json_object_set_new(root, "msa", msa_values_to_json(&v));
	msa_values_release(&v);
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
	if (r->socket[0])
		json_object_set_new(root, "socket", json_string(r->socket));
	json_object_set_new(root, "safety_stop", json_string(r->safety_stop));
	fixture = fixture_to_json(fx);
	json_object_set_new(fixture, "allow_expired_cal", json_boolean(r->allow_expired_cal));
	json_object_set_new(root, "fixture", fixture);
	json_object_set_new(root, "uut", json_pack("{s:s, s:s, s:s, s:s*}", "model", r->uut.model,
						   "serial", r->uut.serial, "firmware",
						   r->uut.firmware, "scanned_serial",
						   r->scanned_serial[0] ? r->scanned_serial
									: NULL));
	json_object_set_new(root, "script", source(&r->script));
	json_object_set_new(root, "modules", modules);
	json_object_set_new(root, "sim", r->sim ? json_pack("{s:o, s:I}", "unit",
							     source(&r->sim_unit), "seed",
							     (json_int_t)r->seed)
						: json_null());
	json_object_set_new(root, "simulation", json_boolean(r->sim));
	json_object_set_new(root, "station_key", json_string(r->station_key_id));
	json_object_set_new(root, "spec", r->spec.name[0] ? spec_to_json(&r->spec) : json_null());
	json_object_set_new(root, "coverage", coverage_json(r));
	json_object_set_new(root, "deviations", deviations_json(r));
	json_object_set_new(root, "requirements", requirements_json(r));
	json_object_set_new(root, "steps", steps);
	msa_json(r, root);
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
