#include "rig/base/record.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/audit.h"
#include "rig/base/error.h"

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_NONE: return "NONE";
	case VERDICT_PASS: return "PASS";
	case VERDICT_FAIL: return "FAIL";
	case VERDICT_INDETERMINATE: return "INDETERMINATE";
	case VERDICT_ERROR: return "ERROR";
	case VERDICT_ABORTED: return "ABORTED";
	case VERDICT_INCOMPLETE: return "INCOMPLETE";
	}
	return "?";
}

static int severity(enum verdict v)
{
	static const int rank[] = {
		[VERDICT_NONE] = 0, [VERDICT_PASS] = 1, [VERDICT_INDETERMINATE] = 2,
		[VERDICT_INCOMPLETE] = 3, [VERDICT_FAIL] = 4, [VERDICT_ERROR] = 5,
		[VERDICT_ABORTED] = 6,
	};
	return rank[v];
}

enum verdict verdict_worse(enum verdict a, enum verdict b)
{
	return severity(a) >= severity(b) ? a : b;
}

void run_record_init(struct run_record *r)
{
	memset(r, 0, sizeof(*r));
}

void run_record_release(struct run_record *r)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		free(r->steps[i].m);
		free(r->steps[i].shots);
		free(r->steps[i].captures);
		free(r->steps[i].values);
	}
	free(r->steps);
	free(r->notes);
	memset(r, 0, sizeof(*r));
}

/* Append one zeroed element to a growable array. */
static void *grow(void **items, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *q = realloc(*items, ncap * size);

		if (!q)
			return NULL;
		*items = q;
		*cap = ncap;
	}
	p = (char *)*items + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

struct step_record *run_record_add_step(struct run_record *r)
{
	return grow((void **)&r->steps, &r->nsteps, &r->steps_cap, sizeof(*r->steps));
}

struct measurement *step_add_measurement(struct step_record *s)
{
	struct measurement *m = grow((void **)&s->m, &s->nm, &s->m_cap, sizeof(*s->m));

	if (m)
		measurement_init(m);
	return m;
}

#define SFIELD(f) { #f, offsetof(struct shot_row, f) }

const struct shot_field shot_fields[] = {
	SFIELD(t_s), SFIELD(depth_mm), SFIELD(volume_ul), SFIELD(u_depth_mm), SFIELD(u_volume_ul),
	SFIELD(baseline_mm), SFIELD(onset_scan), SFIELD(peak_scan), SFIELD(end_scan),
	SFIELD(baseline_from), SFIELD(baseline_to),
	SFIELD(level_before_ul), SFIELD(level_after_ul),
	SFIELD(before_from), SFIELD(before_to), SFIELD(after_from), SFIELD(after_to),
	{ NULL, 0 },
};

double shot_field_get(const struct shot_row *r, const struct shot_field *f)
{
	double v;

	memcpy(&v, (const char *)r + f->offset, sizeof(v));
	return v;
}

void shot_field_set(struct shot_row *r, const struct shot_field *f, double v)
{
	memcpy((char *)r + f->offset, &v, sizeof(v));
}

void shot_rows_link(struct shot_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rows[i].interval_ms = i + 1 < n ? (rows[i + 1].t_s - rows[i].t_s) * 1000.0 : NAN;
}

int shot_row_same(const struct shot_row *a, const struct shot_row *b)
{
	for (const struct shot_field *f = shot_fields; f->name; f++) {
		double x = shot_field_get(a, f), y = shot_field_get(b, f);

		/* Bits, so that NAN equals NAN and -0 does not equal 0. */
		if (memcmp(&x, &y, sizeof(x)))
			return 0;
	}
	return a->flags == b->flags;
}

struct shot_row *step_add_shot(struct step_record *s)
{
	return grow((void **)&s->shots, &s->nshots, &s->shots_cap, sizeof(*s->shots));
}

struct artifact *step_add_capture(struct step_record *s)
{
	return grow((void **)&s->captures, &s->ncaptures, &s->captures_cap, sizeof(*s->captures));
}

struct run_note *run_record_add_note(struct run_record *r)
{
	return grow((void **)&r->notes, &r->nnotes, &r->notes_cap, sizeof(*r->notes));
}

int step_keep_values(struct step_record *s, struct measurement *m, const double *x, size_t n)
{
	if (s->nvalues + n > s->values_cap) {
		size_t cap = s->values_cap ? s->values_cap : 64;
		double *p;

		while (cap < s->nvalues + n)
			cap *= 2;
		p = realloc(s->values, cap * sizeof(*p));
		if (!p)
			return rig_error(RIG_ERR_NOMEM, "out of memory keeping %zu values", n);
		s->values = p;
		s->values_cap = cap;
	}
	if (n)
		memcpy(s->values + s->nvalues, x, n * sizeof(*x));
	m->value_at = s->nvalues;
	m->nvalues = n;
	s->nvalues += n;
	return 0;
}

void measurement_init(struct measurement *m)
{
	memset(m, 0, sizeof(*m));
	m->target = m->mean = m->sd = m->min = m->max = NAN;
	m->lsl = m->usl = m->mean_lo = m->mean_hi = NAN;
	m->ti_lo = m->ti_hi = m->k = m->confidence = m->coverage = NAN;
	m->normality_a2 = m->normality_p = m->normality_alpha = NAN;
	m->cpk = m->cpk_lo = NAN;
	m->uncertainty = m->guard_band = 0;
	m->count = m->expected = -1;
	m->verdict = VERDICT_NONE;
}

void run_record_settle(struct run_record *r)
{
	enum verdict run = VERDICT_NONE;

	for (size_t i = 0; i < r->nsteps; i++) {
		struct step_record *s = &r->steps[i];
		enum verdict v = s->error[0] ? VERDICT_ERROR : VERDICT_NONE;

		for (size_t j = 0; j < s->nm; j++)
			v = verdict_worse(v, s->m[j].verdict);
		if (s->verdict == VERDICT_ABORTED)
			v = VERDICT_ABORTED;
		s->verdict = v;
		run = verdict_worse(run, v);
	}
	if (r->error[0])
		run = verdict_worse(run, VERDICT_ERROR);
	/* Judged well is not enough: the run must have covered its spec. */
	if ((run == VERDICT_PASS || run == VERDICT_INDETERMINATE) && !audit_covered(r))
		run = VERDICT_INCOMPLETE;
	if (r->verdict != VERDICT_ABORTED)
		r->verdict = run;
}
