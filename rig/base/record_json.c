#include "rig/base/record_json.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "rig/base/error.h"

json_t *json_number_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

double json_number_at(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void copy_string(char *dst, size_t len, const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(dst, len, "%s", s ? s : "");
}

enum verdict verdict_parse(const char *name)
{
	for (int v = VERDICT_NONE; v <= VERDICT_LAST; v++)
		if (name && !strcmp(name, verdict_name((enum verdict)v)))
			return (enum verdict)v;
	return VERDICT_NONE;
}

json_t *json_doubles(const double *x, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_number_or_null(x[i]));
	return a;
}

void shot_rows_to_json(json_t *e, const struct shot_row *rows, size_t n)
{
	json_t *flags = json_array();

	for (const struct shot_field *f = shot_fields; f->name; f++) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_number_or_null(shot_field_get(&rows[i], f)));
		json_object_set_new(e, f->name, a);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(flags, json_integer(rows[i].flags));
	json_object_set_new(e, "flags", flags);
}

size_t shot_rows_count(const json_t *e)
{
	return json_array_size(json_object_get(e, "t_s"));
}

void shot_rows_from_json(const json_t *e, struct shot_row *rows, size_t n)
{
	const json_t *flags = json_object_get(e, "flags");

	for (const struct shot_field *f = shot_fields; f->name; f++) {
		const json_t *a = json_object_get(e, f->name);

		for (size_t i = 0; i < n; i++) {
			const json_t *v = json_array_get(a, i);
			double x = json_is_number(v) ? json_number_value(v) : NAN;

			shot_field_set(&rows[i], f, x);
		}
	}
	for (size_t i = 0; i < n; i++)
		rows[i].flags = (unsigned)json_integer_value(json_array_get(flags, i));
	shot_rows_link(rows, n);
}

static json_int_t count_or_zero(const json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

json_t *signal_to_json(const struct signal_record *q)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:b, s:o, s:o, s:I, s:I}", "noise_mm",
			 json_number_or_null(q->noise_mm), "hum_mm", json_number_or_null(q->hum_mm),
			 "hum_hz", json_number_or_null(q->hum_hz), "plunger_noise_ul",
			 json_number_or_null(q->plunger_noise_ul), "clipped_samples",
			 (json_int_t)q->clipped_samples, "stuck", q->stuck, "u_depth_mm",
			 json_number_or_null(q->u_depth_mm), "u_volume_ul",
			 json_number_or_null(q->u_volume_ul), "clipped_shots",
			 (json_int_t)q->clipped_shots, "ambiguous_shots",
			 (json_int_t)q->ambiguous_shots);
}

void signal_from_json(const json_t *j, struct signal_record *q)
{
	q->have = 1;
	q->noise_mm = json_number_at(j, "noise_mm");
	q->hum_mm = json_number_at(j, "hum_mm");
	q->hum_hz = json_number_at(j, "hum_hz");
	q->plunger_noise_ul = json_number_at(j, "plunger_noise_ul");
	q->clipped_samples = (uint64_t)count_or_zero(j, "clipped_samples");
	q->stuck = json_is_true(json_object_get(j, "stuck"));
	q->u_depth_mm = json_number_at(j, "u_depth_mm");
	q->u_volume_ul = json_number_at(j, "u_volume_ul");
	q->clipped_shots = (uint32_t)count_or_zero(j, "clipped_shots");
	q->ambiguous_shots = (uint32_t)count_or_zero(j, "ambiguous_shots");
}

#define MFIELD(f) { #f, offsetof(struct measurement, f) }

static const struct {
	const char *key;
	size_t offset;
} measurement_numbers[] = {
	MFIELD(target), MFIELD(mean), MFIELD(sd), MFIELD(min), MFIELD(max),
	MFIELD(lsl), MFIELD(usl), MFIELD(mean_lo), MFIELD(mean_hi),
	MFIELD(ti_lo), MFIELD(ti_hi), MFIELD(k), MFIELD(confidence), MFIELD(coverage),
	MFIELD(cpk), MFIELD(cpk_lo), MFIELD(uncertainty), MFIELD(guard_band),
	MFIELD(normality_a2), MFIELD(normality_p), MFIELD(normality_alpha),
};

/* Counts where 0 means "none" (JSON null). */
static const struct {
	const char *key;
	size_t offset;
} measurement_counts[] = {
	MFIELD(ti_rank_lo), MFIELD(ti_rank_hi), MFIELD(ti_n_required),
};

#define N_MNUMBERS (sizeof(measurement_numbers) / sizeof(measurement_numbers[0]))

json_t *measurement_to_json(const struct measurement *m)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "name", m->name, "unit", m->unit,
			      "requirement", m->requirement, "n", (json_int_t)m->n);

	for (size_t i = 0; i < N_MNUMBERS; i++)
		json_object_set_new(j, measurement_numbers[i].key,
				    json_number_or_null(*(const double *)((const char *)m +
						       measurement_numbers[i].offset)));
	for (size_t i = 0; i < sizeof(measurement_counts) / sizeof(measurement_counts[0]); i++) {
		size_t v = *(const size_t *)((const char *)m + measurement_counts[i].offset);

		json_object_set_new(j, measurement_counts[i].key,
				    v ? json_integer((json_int_t)v) : json_null());
	}
	json_object_set_new(j, "ti_method", m->ti_method[0] ? json_string(m->ti_method) : json_null());
	json_object_set_new(j, "normality_rejected",
			    isnan(m->normality_p) ? json_null()
						  : json_boolean(m->normality_p < m->normality_alpha));
	if (m->expected >= 0) {
		json_object_set_new(j, "count", json_integer(m->count));
		json_object_set_new(j, "expected", json_integer(m->expected));
	}
	json_object_set_new(j, "verdict", json_string(verdict_name(m->verdict)));
	json_object_set_new(j, "reason", json_string(m->reason));
	return j;
}

void measurement_from_json(const json_t *j, struct measurement *m)
{
	json_t *v;

	measurement_init(m);
	copy_string(m->name, sizeof(m->name), j, "name");
	copy_string(m->unit, sizeof(m->unit), j, "unit");
	copy_string(m->requirement, sizeof(m->requirement), j, "requirement");
	copy_string(m->reason, sizeof(m->reason), j, "reason");
	copy_string(m->ti_method, sizeof(m->ti_method), j, "ti_method");
	for (size_t i = 0; i < sizeof(measurement_counts) / sizeof(measurement_counts[0]); i++)
		if (json_is_integer(v = json_object_get(j, measurement_counts[i].key)) &&
		    json_integer_value(v) > 0)
			*(size_t *)((char *)m + measurement_counts[i].offset) =
				(size_t)json_integer_value(v);
	if (json_is_integer(v = json_object_get(j, "n")) && json_integer_value(v) >= 0)
		m->n = (size_t)json_integer_value(v);
	for (size_t i = 0; i < N_MNUMBERS; i++) {
		double *slot = (double *)((char *)m + measurement_numbers[i].offset);

		if (json_object_get(j, measurement_numbers[i].key))
			*slot = json_number_at(j, measurement_numbers[i].key);
	}
	if (json_is_integer(v = json_object_get(j, "expected"))) {
		m->expected = (long)json_integer_value(v);
		m->count = (long)json_integer_value(json_object_get(j, "count"));
	}
	m->verdict = verdict_parse(json_string_value(json_object_get(j, "verdict")));
}

static json_t *certificate_to_json(const struct fixture_certificate *c)
{
	if (!c->id[0])
		return json_null();
	return json_pack("{s:s, s:s, s:s?, s:s}", "id", c->id, "issuer", c->issuer, "calibrated",
			 c->calibrated[0] ? c->calibrated : NULL, "due", c->due);
}

static void certificate_from_json(const json_t *j, struct fixture_certificate *c)
{
	copy_string(c->id, sizeof(c->id), j, "id");
	copy_string(c->issuer, sizeof(c->issuer), j, "issuer");
	copy_string(c->calibrated, sizeof(c->calibrated), j, "calibrated");
	copy_string(c->due, sizeof(c->due), j, "due");
}

/* An instrument other than a DAQ channel: the balance, the timebase. */
static json_t *instrument_json(const char *kind, const char *driver, const char *channel,
			       const char *unit, const char *model,
			       const struct fixture_certificate *cert)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "kind", kind, "driver", driver,
			 "channel", channel, "unit", unit, "model", model, "certificate",
			 certificate_to_json(cert));
}

json_t *fixture_to_json(const struct fixture *fx)
{
	json_t *instruments = json_array(), *uncertainties = json_array();

	for (size_t i = 0; i < fx->daq.nchannels; i++) {
		const struct fixture_channel *ch = &fx->daq.channels[i];

		json_t *poly = json_array();

		for (int k = 0; k <= ch->poly_order; k++)
			json_array_append_new(poly, json_real(ch->poly[k]));
		json_array_append_new(instruments,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "kind", "sensor",
						"driver", fx->daq.driver, "channel", ch->name,
						"unit", ch->unit, "model", ch->sensor,
						"certificate", certificate_to_json(&ch->cert), "poly",
						poly));
	}
	if (fx->scale.driver[0])
		json_array_append_new(instruments, instrument_json("balance", fx->scale.driver, "mass",
								   "g", fx->scale.model,
								   &fx->scale.cert));
	if (fx->timebase.model[0])
		json_array_append_new(instruments, instrument_json("timebase", fx->daq.driver, "clock",
								   "s", fx->timebase.model,
								   &fx->timebase.cert));
	for (size_t i = 0; i < fx->nuncertainties; i++) {
		const struct fixture_uncertainty *u = &fx->uncertainties[i];

		json_t *e = json_pack("{s:s, s:o, s:o, s:o}", "quantity", u->quantity, "u",
				      json_number_or_null(u->u), "rel_pct",
				      json_number_or_null(u->rel_pct), "coverage_k",
				      u->budget.n ? json_real(u->budget.k) : json_integer(2));

		if (u->budget.n)
			json_object_set_new(e, "budget", fixture_budget_to_json(&u->budget));
		json_array_append_new(uncertainties, e);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:o}, s:o, s:{s:o, s:o, s:o, s:o}, "
			 "s:o}",
			 "name", fx->name, "station", fx->station, "path", fx->path, "sha256",
			 fx->sha256, "daq", "driver", fx->daq.driver, "board", fx->daq.board,
			 "rate_hz", json_number_or_null(fx->daq.rate_hz), "instruments",
			 instruments, "environment", "temperature_c",
			 json_number_or_null(fx->env.temperature_c), "pressure_kpa",
			 json_number_or_null(fx->env.pressure_kpa), "humidity_pct",
			 json_number_or_null(fx->env.humidity_pct), "evaporation_mg_per_s",
			 json_number_or_null(fx->env.evaporation_mg_per_s), "uncertainties",
			 uncertainties);
}

static void poly_from_json(const json_t *poly, struct fixture_channel *ch)
{
	size_t n = json_array_size(poly);

	for (size_t k = 0; k < n && k < FIXTURE_MAX_POLY; k++)
		ch->poly[k] = json_number_value(json_array_get(poly, k));
	ch->poly_order = n ? (int)(n < FIXTURE_MAX_POLY ? n : FIXTURE_MAX_POLY) - 1 : 0;
}

static void instrument_from_json(const json_t *in, struct fixture *fx)
{
	const char *kind = json_string_value(json_object_get(in, "kind"));
	json_t *cert = json_object_get(in, "certificate");

	if (kind && !strcmp(kind, "balance")) {
		copy_string(fx->scale.driver, sizeof(fx->scale.driver), in, "driver");
		copy_string(fx->scale.model, sizeof(fx->scale.model), in, "model");
		certificate_from_json(cert, &fx->scale.cert);
	} else if (kind && !strcmp(kind, "timebase")) {
		copy_string(fx->timebase.model, sizeof(fx->timebase.model), in, "model");
		certificate_from_json(cert, &fx->timebase.cert);
	} else if (fx->daq.nchannels < FIXTURE_MAX_CHANNELS) {
		struct fixture_channel *ch = &fx->daq.channels[fx->daq.nchannels++];

		copy_string(ch->name, sizeof(ch->name), in, "channel");
		copy_string(ch->unit, sizeof(ch->unit), in, "unit");
		copy_string(ch->sensor, sizeof(ch->sensor), in, "model");
		certificate_from_json(cert, &ch->cert);
		poly_from_json(json_object_get(in, "poly"), ch);
	}
}

void fixture_from_json(const json_t *j, struct fixture *fx)
{
	json_t *daq = json_object_get(j, "daq"), *env = json_object_get(j, "environment");
	json_t *v;
	size_t i;

	memset(fx, 0, sizeof(*fx));
	copy_string(fx->name, sizeof(fx->name), j, "name");
	copy_string(fx->station, sizeof(fx->station), j, "station");
	copy_string(fx->path, sizeof(fx->path), j, "path");
	copy_string(fx->sha256, sizeof(fx->sha256), j, "sha256");
	copy_string(fx->daq.driver, sizeof(fx->daq.driver), daq, "driver");
	copy_string(fx->daq.board, sizeof(fx->daq.board), daq, "board");
	fx->daq.rate_hz = json_number_at(daq, "rate_hz");
	json_array_foreach(json_object_get(j, "instruments"), i, v)
		instrument_from_json(v, fx);
	fx->env.temperature_c = json_number_at(env, "temperature_c");
	fx->env.pressure_kpa = json_number_at(env, "pressure_kpa");
	fx->env.humidity_pct = json_number_at(env, "humidity_pct");
	fx->env.evaporation_mg_per_s = json_number_at(env, "evaporation_mg_per_s");
	json_array_foreach(json_object_get(j, "uncertainties"), i, v) {
		struct fixture_uncertainty *u;

		if (fx->nuncertainties == FIXTURE_MAX_UNCERTAINTIES)
			break;
		u = &fx->uncertainties[fx->nuncertainties++];
		copy_string(u->quantity, sizeof(u->quantity), v, "quantity");
		u->u = json_number_at(v, "u");
		u->rel_pct = json_number_at(v, "rel_pct");
		if (isnan(u->rel_pct))
			u->rel_pct = 0;
		fixture_budget_from_json(json_object_get(v, "budget"), &u->budget);
	}
}

json_t *spec_to_json(const struct spec_decl *d)
{
	json_t *models = json_array(), *reqs = json_array();

	for (size_t i = 0; i < d->nmodels; i++)
		json_array_append_new(models, json_string(d->models[i]));
	for (size_t i = 0; i < d->nreq; i++) {
		const struct spec_requirement *q = &d->req[i];
		json_t *at = json_array();

		for (size_t a = 0; a < q->nat; a++)
			json_array_append_new(at, json_real(q->at[a]));
		json_t *o = json_pack("{s:s, s:o, s:I}", "id", q->id, "at", at, "min_shots",
				      (json_int_t)q->min_shots);

		if (q->setting[0]) /* absent: checked on every burst */
			json_object_set_new(o, "setting", json_string(q->setting));
		json_array_append_new(reqs, o);
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", d->name, "revision", d->revision,
			 "path", d->path, "models", models, "requirements", reqs);
}

void spec_from_json(const json_t *j, struct spec_decl *d)
{
	json_t *v, *a;
	size_t i, k;

	memset(d, 0, sizeof(*d));
	copy_string(d->name, sizeof(d->name), j, "name");
	copy_string(d->revision, sizeof(d->revision), j, "revision");
	copy_string(d->path, sizeof(d->path), j, "path");
	json_array_foreach(json_object_get(j, "models"), i, v)
		if (json_is_string(v) && d->nmodels < SPEC_MAX_MODELS)
			snprintf(d->models[d->nmodels++], sizeof(d->models[0]), "%s",
				 json_string_value(v));
	json_array_foreach(json_object_get(j, "requirements"), i, v) {
		struct spec_requirement *q;
		json_t *n = json_object_get(v, "min_shots");

		if (d->nreq == SPEC_MAX_REQUIREMENTS)
			break;
		q = &d->req[d->nreq++];
		copy_string(q->id, sizeof(q->id), v, "id");
		copy_string(q->setting, sizeof(q->setting), v, "setting");
		q->min_shots = json_is_integer(n) && json_integer_value(n) > 0
				       ? (size_t)json_integer_value(n) : 0;
		json_array_foreach(json_object_get(v, "at"), k, a)
			if (json_is_number(a) && q->nat < SPEC_MAX_VALUES)
				q->at[q->nat++] = json_number_value(a);
	}
}

/* A JSON null is a degree of freedom of infinity (an exactly known input,
 * or a budget all of whose inputs are): what fixture_budget_to_json wrote. */
static double dof_at(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? INFINITY : json_number_at(obj, key);
}

/* The budget back as journaled, so that a record rebuilt from the journal
 * (rig recover, rig verify) gives the same result.json and reports as the
 * run that combined it. */
void fixture_budget_from_json(const json_t *j, struct fixture_budget *b)
{
	json_t *v;
	size_t i;

	memset(b, 0, sizeof(*b));
	if (!json_is_object(j))
		return;
	json_array_foreach(json_object_get(j, "items"), i, v) {
		struct fixture_budget_item *it;

		if (b->n == FIXTURE_MAX_BUDGET)
			break;
		it = &b->item[b->n++];
		copy_string(it->name, sizeof(it->name), v, "name");
		copy_string(it->dist, sizeof(it->dist), v, "dist");
		copy_string(it->from, sizeof(it->from), v, "from");
		it->value = json_number_at(v, "value");
		it->k = json_number_at(v, "k");
		it->sensitivity = json_number_at(v, "sensitivity");
		it->dof = dof_at(v, "dof");
		it->u = json_number_at(v, "u");
		it->contribution = json_number_at(v, "contribution");
	}
	b->p = json_number_at(j, "p");
	b->uc = json_number_at(j, "uc");
	b->dof_eff = dof_at(j, "dof_eff");
	b->k = json_number_at(j, "k");
	b->expanded = json_number_at(j, "expanded");
}

/* The budget as result.json and the journal give it (docs/result.schema.json). */
json_t *fixture_budget_to_json(const struct fixture_budget *b)
{
	json_t *items = json_array();

	for (size_t i = 0; i < b->n; i++) {
		const struct fixture_budget_item *it = &b->item[i];

		json_array_append_new(items, json_pack(
			"{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "name", it->name, "dist",
			it->dist, "from", it->from, "value", json_number_or_null(it->value), "k",
			json_number_or_null(it->k), "sensitivity", json_number_or_null(it->sensitivity), "dof",
			json_number_or_null(it->dof), "u", json_number_or_null(it->u), "contribution",
			json_number_or_null(it->contribution)));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "items", items, "p", json_real(b->p),
			 "uc", json_number_or_null(b->uc), "dof_eff", json_number_or_null(b->dof_eff),
			 "k", json_number_or_null(b->k), "expanded", json_number_or_null(b->expanded));
}
