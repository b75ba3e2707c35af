#include "rig/base/audit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *coverage_status_name(enum coverage_status s)
{
	switch (s) {
	case COVERAGE_OK: return "covered";
	case COVERAGE_SHORT: return "SHORT";
	case COVERAGE_MISSING: return "MISSING";
	}
	return "?";
}

static double setting_value(const struct step_record *s, const char *name)
{
	if (!strcmp(name, "depth_mm"))
		return s->setting.depth_mm;
	if (!strcmp(name, "dose_ul"))
		return s->setting.dose_ul;
	if (!strcmp(name, "rate_per_min"))
		return s->setting.rate_per_min;
	return NAN;
}

static int judged(const struct step_record *s, const char *requirement)
{
	for (size_t j = 0; j < s->nm; j++)
		if (!strcmp(s->m[j].requirement, requirement))
			return 1;
	return 0;
}

/* A requirement checked on every burst: judged in every step that fired. */
static void every_burst_row(const struct run_record *r, const struct spec_requirement *q,
			    struct coverage_row *row)
{
	snprintf(row->setting, sizeof(row->setting), "every burst");
	for (size_t i = 0; i < r->nsteps; i++) {
		if (r->steps[i].bursts == 0)
			continue;
		row->steps_required++;
		row->shots_measured += judged(&r->steps[i], q->id);
	}
	row->status = row->shots_measured < row->steps_required || row->steps_required == 0
			      ? COVERAGE_MISSING
			      : COVERAGE_OK;
}

size_t audit_coverage(const struct run_record *r, struct coverage_row *out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < r->spec.nreq; k++) {
		const struct spec_requirement *q = &r->spec.req[k];

		if (!q->setting[0]) {
			if (n == max)
				return n;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].requirement = q->id;
			every_burst_row(r, q, &out[n++]);
			continue;
		}
		for (size_t a = 0; a < q->nat && n < max; a++) {
			struct coverage_row *row = &out[n++];
			int seen = 0;

			memset(row, 0, sizeof(*row));
			row->requirement = q->id;
			row->shots_required = q->min_shots;
			snprintf(row->setting, sizeof(row->setting), "%s = %g", q->setting, q->at[a]);
			/* The best step at this setting counts: shots are not pooled
			 * across steps, each step is one sample. */
			for (size_t i = 0; i < r->nsteps; i++) {
				const struct step_record *s = &r->steps[i];

				if (strcmp(s->requirement, q->id) ||
				    fabs(setting_value(s, q->setting) - q->at[a]) > 1e-9 ||
				    !judged(s, q->id))
					continue;
				seen = 1;
				if (s->nshots > row->shots_measured)
					row->shots_measured = s->nshots;
			}
			row->status = !seen ? COVERAGE_MISSING
				      : row->shots_measured < q->min_shots ? COVERAGE_SHORT
									   : COVERAGE_OK;
		}
	}
	return n;
}

int audit_covered(const struct run_record *r)
{
	struct coverage_row rows[SPEC_MAX_REQUIREMENTS * SPEC_MAX_VALUES];
	size_t n = audit_coverage(r, rows, sizeof(rows) / sizeof(rows[0]));

	for (size_t i = 0; i < n; i++)
		if (rows[i].status != COVERAGE_OK)
			return 0;
	return 1;
}

static struct deviation *add(struct deviation *out, size_t *n, size_t max, const char *kind,
			     const char *step)
{
	if (*n == max)
		return NULL;
	snprintf(out[*n].kind, sizeof(out[*n].kind), "%s", kind);
	snprintf(out[*n].step, sizeof(out[*n].step), "%s", step ? step : "");
	out[*n].text[0] = '\0';
	return &out[(*n)++];
}

size_t audit_deviations(const struct run_record *r, struct deviation *out, size_t max)
{
	struct coverage_row rows[SPEC_MAX_REQUIREMENTS * SPEC_MAX_VALUES];
	size_t n = 0, nrows = audit_coverage(r, rows, sizeof(rows) / sizeof(rows[0]));
	struct deviation *d;

	if (!r->spec.name[0] && (d = add(out, &n, max, "spec", NULL)))
		snprintf(d->text, sizeof(d->text), "the script loaded no spec module that declares "
			 "its requirements: coverage was not checked");
	for (size_t i = 0; i < r->nparams; i++)
		if ((d = add(out, &n, max, "run option", NULL)))
			snprintf(d->text, sizeof(d->text), "--param %s=%s", r->params[i].name,
				 r->params[i].value);
	if (r->firmware_image.path[0] && (d = add(out, &n, max, "run option", NULL)))
		snprintf(d->text, sizeof(d->text), "firmware image %.300s flashed (SHA-256 %s)",
			 r->firmware_image.path, r->firmware_image.sha256);
	if (r->allow_expired_cal && (d = add(out, &n, max, "calibration", NULL)))
		snprintf(d->text, sizeof(d->text), "--allow-expired-cal: the calibration interlock "
			 "was overridden");
	for (size_t i = 0; i < r->nnotes; i++) {
		const struct run_note *note = &r->notes[i];

		if (!strcmp(note->kind, "prompt")) {
			if (strncmp(note->answer, "automatic", 9))
				continue; /* answered by the operator: as written */
			if ((d = add(out, &n, max, "prompt", note->step)))
				snprintf(d->text, sizeof(d->text), "\"%.380s\" answered %s", note->message,
					 note->answer);
		} else if ((d = add(out, &n, max,
				    !strcmp(note->kind, "log") ? "operator note" : note->kind,
				    note->step))) {
			snprintf(d->text, sizeof(d->text), "%s", note->message);
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].status == COVERAGE_OK || !(d = add(out, &n, max, "coverage", NULL)))
			continue;
		if (!strcmp(rows[i].setting, "every burst"))
			snprintf(d->text, sizeof(d->text), "%s not checked in %zu of %zu steps that fired",
				 rows[i].requirement, rows[i].steps_required - rows[i].shots_measured,
				 rows[i].steps_required);
		else if (rows[i].status == COVERAGE_MISSING)
			snprintf(d->text, sizeof(d->text), "%s at %s skipped (spec %s requires it)",
				 rows[i].requirement, rows[i].setting, r->spec.name);
		else
			snprintf(d->text, sizeof(d->text), "%s at %s: %zu shots, spec %s requires %zu",
				 rows[i].requirement, rows[i].setting, rows[i].shots_measured,
				 r->spec.name, rows[i].shots_required);
	}
	return n;
}

/* Distance of value inside [lo, hi] (negative outside), and as % of the
 * distance from target to the limit it is nearer. */
static void consider(struct margin *mg, const struct step_record *s, const struct measurement *m,
		     const char *clause, double value, double lo, double hi)
{
	double target = m->target, d, span;

	if (isnan(value))
		return;
	if (!isnan(lo) && (isnan(hi) || value - lo <= hi - value)) {
		d = value - lo;
		span = !isnan(target) && target > lo ? target - lo : !isnan(hi) ? (hi - lo) / 2 : NAN;
	} else if (!isnan(hi)) {
		d = hi - value;
		span = !isnan(target) && target < hi ? hi - target : !isnan(lo) ? (hi - lo) / 2 : NAN;
	} else {
		return;
	}
	double pct = span > 0 ? 100.0 * d / span : NAN;

	if (isnan(mg->dist) || (!isnan(pct) && (isnan(mg->pct) || pct < mg->pct)) ||
	    (isnan(pct) && isnan(mg->pct) && d < mg->dist)) {
		mg->dist = d;
		mg->pct = pct;
		mg->clause = clause;
		mg->step = s;
		mg->m = m;
	}
}

void audit_margin(const struct run_record *r, const char *requirement, struct margin *out)
{
	memset(out, 0, sizeof(*out));
	out->pct = out->dist = NAN;
	out->clause = "";
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *s = &r->steps[i];

		for (size_t j = 0; j < s->nm; j++) {
			const struct measurement *m = &s->m[j];

			if (strcmp(m->requirement, requirement))
				continue;
			out->verdict = verdict_worse(out->verdict, m->verdict);
			out->measurements++;
			if (m->expected >= 0 || m->n == 0)
				continue;
			consider(out, s, m, "mean", m->mean, m->mean_lo, m->mean_hi);
			if (m->ti_method[0]) {
				consider(out, s, m, "TI low end", m->ti_lo, m->lsl, NAN);
				consider(out, s, m, "TI high end", m->ti_hi, NAN, m->usl);
			} else {
				consider(out, s, m, "smallest value", m->min, m->lsl, NAN);
				consider(out, s, m, "largest value", m->max, NAN, m->usl);
			}
		}
	}
}

static size_t add_id(const char **ids, size_t n, size_t max, const char *id)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(ids[k], id))
			return n;
	if (n < max)
		ids[n++] = id;
	return n;
}

size_t audit_requirements(const struct run_record *r, const char **ids, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < r->spec.nreq; k++)
		n = add_id(ids, n, max, r->spec.req[k].id);
	for (size_t i = 0; i < r->nsteps; i++) {
		for (size_t j = 0; j < r->steps[i].nm; j++)
			n = add_id(ids, n, max, r->steps[i].m[j].requirement);
		if (r->steps[i].nm == 0 || r->steps[i].error[0])
			n = add_id(ids, n, max, r->steps[i].requirement);
	}
	return n;
}
