#include "reports/msa_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/record_json.h"

/* rig msa's own bounds (docs/msa.md): a label beyond them is no loading,
 * and a forged one cannot make the design billions of cells. */
#define MSA_MAX_PARTS 100
#define MSA_MAX_OPERATORS 20
#define MSA_MAX_TRIALS 20
#define MSA_MAX_TYPE1_TRIALS 1000

static int study_step(const struct step_record *st)
{
	return !strncmp(st->requirement, "MSA-", 4) && strcmp(st->requirement, "MSA-GRR") &&
	       strcmp(st->requirement, "MSA-TYPE1");
}

/* Where a study step's loading sits, from its label: 1 gauge R&R, 0 Type 1,
 * -1 no study label. */
static int locate(const char *label, unsigned idx[3])
{
	char end;

	if (sscanf(label, "P%u O%u T%u%c", &idx[0], &idx[1], &idx[2], &end) == 3 && idx[0] &&
	    idx[1] && idx[2] && idx[0] <= MSA_MAX_PARTS && idx[1] <= MSA_MAX_OPERATORS &&
	    idx[2] <= MSA_MAX_TRIALS)
		return 1;
	idx[0] = idx[1] = 1;
	if (sscanf(label, "ref T%u%c", &idx[2], &end) == 1 && idx[2] && idx[2] <= MSA_MAX_TYPE1_TRIALS)
		return 0;
	return -1;
}

/* The step's measurement of the study's requirement (the burst). */
static const struct measurement *loading(const struct step_record *st)
{
	for (size_t i = 0; i < st->nm; i++)
		if (!strcmp(st->m[i].requirement, st->requirement))
			return &st->m[i];
	return NULL;
}

int msa_values_from_record(const struct run_record *r, struct msa_values *v)
{
	unsigned idx[3];
	int kinds = 0;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *st = &r->steps[i];
		int kind;

		if (!study_step(st) || (kind = locate(st->label, idx)) < 0)
			continue;
		kinds |= 1 << kind;
		v->grr = kind;
		snprintf(v->requirement, sizeof(v->requirement), "%s", st->requirement + 4);
		v->parts = idx[0] > v->parts ? idx[0] : v->parts;
		v->operators = idx[1] > v->operators ? idx[1] : v->operators;
		v->trials = idx[2] > v->trials ? idx[2] : v->trials;
	}
	if (!kinds)
		return rig_error(RIG_ERR_INVALID, "run %s holds no gauge study", r->id);
	if (kinds == 3)
		return rig_error(RIG_ERR_INVALID, "run %s holds steps of a gauge R&R and of a Type 1 "
				 "study", r->id);
	v->n = v->parts * v->operators * v->trials;
	v->step = calloc(v->n, sizeof(*v->step));
	v->m = calloc(v->n, sizeof(*v->m));
	if (!v->step || !v->m) {
		msa_values_release(v);
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *st = &r->steps[i];
		size_t at;

		if (!study_step(st) || locate(st->label, idx) != v->grr)
			continue;
		at = ((idx[0] - 1) * v->operators + idx[1] - 1) * v->trials + idx[2] - 1;
		v->step[at] = st; /* a loading measured again: the last one counts */
		v->m[at] = loading(st);
	}
	for (size_t i = 0; i < v->n; i++)
		v->missing += !isfinite(msa_value(v, i));
	return 0;
}

void msa_values_release(struct msa_values *v)
{
	free(v->step);
	free(v->m);
	v->step = NULL;
	v->m = NULL;
}

double msa_value(const struct msa_values *v, size_t i)
{
	return v->m[i] ? v->m[i]->mean : NAN;
}

json_t *msa_values_to_json(const struct msa_values *v)
{
	json_t *loadings = json_array();
	const char *unit = "", *quantity = "";
	size_t i = 0;

	for (size_t p = 1; p <= v->parts; p++)
		for (size_t o = 1; o <= v->operators; o++)
			for (size_t t = 1; t <= v->trials; t++, i++) {
				const struct step_record *st = v->step[i];
				const struct measurement *m = v->m[i];
				json_t *e = json_pack("{s:I, s:I, s:I}", "part", (json_int_t)p,
						      "operator", (json_int_t)o, "trial",
						      (json_int_t)t);

				json_object_set_new(e, "step", st ? json_string(st->id) : json_null());
				json_object_set_new(e, "value", json_number_or_null(msa_value(v, i)));
				/* the burst's shots, each as judged: the raw values the
				 * loading's value is the mean of */
				json_object_set_new(e, "shots", m && m->nvalues
					? json_doubles(st->values + m->value_at, m->nvalues)
					: json_array());
				if (m) {
					unit = m->unit;
					quantity = m->name;
				}
				json_array_append_new(loadings, e);
			}
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "study",
			 v->grr ? "grr" : "type1", "requirement", v->requirement, "quantity",
			 quantity, "unit", unit, "parts", (json_int_t)v->parts, "operators",
			 (json_int_t)v->operators, "trials", (json_int_t)v->trials, "missing",
			 (json_int_t)v->missing, "loadings", loadings);
}
