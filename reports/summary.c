#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/format.h"
#include "reports/reports.h"
#include "rig/base/audit.h"

/* u: the guard band applied (the fixture's U), "" where none applies. */
#define ROW "%-11s %-13s %-38s %-32s %-8s %s\n"

static void row(FILE *out, const char *req, const char *setting, const char *meas,
		const char *lim, const char *u, enum verdict v)
{
	fprintf(out, ROW, req, setting, meas, lim, u, verdict_name(v));
}

/* A check rig.every_burst makes on each burst of another requirement's step:
 * an exact shot count, or an upper limit on every value relative to the
 * setting. Anything else a step judged is shown in the step's own rows. */
static int burst_check(const struct step_record *s, const struct measurement *m)
{
	if (!strcmp(m->requirement, s->requirement))
		return 0;
	return m->expected >= 0 ||
	       (!isnan(m->usl) && isnan(m->lsl) && !isnan(m->target) && isnan(m->mean_lo) &&
		isnan(m->mean_hi) && isnan(m->ti_lo) && isnan(m->ti_hi));
}

/* Requirements checked on every burst get one line for the whole run. */
static void every_burst_rows(const struct run_record *r, FILE *out)
{
	char seen[16][32];
	size_t nseen = 0;

	for (size_t i = 0; i < r->nsteps; i++)
		for (size_t j = 0; j < r->steps[i].nm; j++) {
			const struct measurement *m0 = &r->steps[i].m[j];
			enum verdict v = VERDICT_NONE;
			long count = 0, expected = 0;
			double worst = -INFINITY, limit_gap = INFINITY;
			size_t checks = 0, k;
			char meas[96], lim[64];

			if (!burst_check(&r->steps[i], m0))
				continue;
			for (k = 0; k < nseen && strcmp(seen[k], m0->requirement); k++)
				;
			if (k < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", m0->requirement);
			for (size_t a = 0; a < r->nsteps; a++)
				for (size_t b = 0; b < r->steps[a].nm; b++) {
					const struct measurement *m = &r->steps[a].m[b];

					if (strcmp(m->requirement, m0->requirement) ||
					    !burst_check(&r->steps[a], m))
						continue;
					checks++;
					v = verdict_worse(v, m->verdict);
					count += m->count;
					expected += m->expected;
					if (!isnan(m->max) && !isnan(m->usl) &&
					    m->usl - m->max < limit_gap) {
						limit_gap = m->usl - m->max;
						worst = m->max - m->target;
					}
				}
			if (m0->expected >= 0) {
				snprintf(meas, sizeof(meas), "%ld of %ld in %zu bursts", count,
					 expected, checks);
				snprintf(lim, sizeof(lim), "exact");
			} else {
				snprintf(meas, sizeof(meas), "worst %+.3f %s from set (%zu bursts)",
					 worst, m0->unit, checks);
				snprintf(lim, sizeof(lim), "<= set %+.3g %s", m0->usl - m0->target,
					 m0->unit);
			}
			row(out, m0->requirement, "every burst", meas, lim, "", v);
		}
}

void report_summary(const struct run_record *r, const struct fixture *fx, FILE *out)
{
	size_t counts[VERDICT_LAST + 1] = { 0 };

	fprintf(out, "\nrig %s  %s  on %s (%s%s%s)\n", r->rig_version, r->script.path, fx->name,
		r->station, r->socket[0] ? ", socket " : "", r->socket);
	fprintf(out, "unit %s %s firmware %s   operator %s   run %s\n\n", r->uut.model,
		r->uut.serial, r->uut.firmware, r->operator_name, r->id);
	fprintf(out, ROW, "requirement", "setting", "measured", "limits", "U", "verdict");
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *s = &r->steps[i];
		int shown = 0;

		counts[s->verdict]++;
		for (size_t j = 0; j < s->nm; j++) {
			char meas[96], lim[96], u[16] = "";

			if (burst_check(s, &s->m[j]))
				continue;
			format_measured(&s->m[j], meas, sizeof(meas));
			format_limits(&s->m[j], lim, sizeof(lim));
			if (s->m[j].guard_band > 0)
				snprintf(u, sizeof(u), "%.3g", s->m[j].guard_band);
			row(out, s->m[j].requirement, s->label, meas, lim, u, s->m[j].verdict);
			if (s->m[j].verdict != VERDICT_PASS && s->m[j].reason[0])
				fprintf(out, "%26s-> %s\n", "", s->m[j].reason);
			shown = 1;
		}
		if (!shown)
			row(out, s->requirement, s->label, "(nothing judged)", "", "", s->verdict);
		if (s->error[0])
			fprintf(out, "%26s-> %s\n", "", s->error);
	}
	every_burst_rows(r, out);
	fprintf(out, "\n%s", verdict_name(r->verdict));
	fprintf(out, "  (%zu steps: %zu pass, %zu fail, %zu indeterminate, %zu error)\n", r->nsteps,
		counts[VERDICT_PASS], counts[VERDICT_FAIL], counts[VERDICT_INDETERMINATE],
		counts[VERDICT_ERROR] + counts[VERDICT_ABORTED]);
	{
		struct deviation d[64];
		size_t nd = audit_deviations(r, d, 64);

		for (size_t i = 0; i < nd; i++)
			if (!strcmp(d[i].kind, "coverage"))
				fprintf(out, "INCOMPLETE: %s\n", d[i].text);
	}
	if (r->sim)
		fprintf(out, "SIMULATION: sim bench run, not a certificate of a unit\n");
	if (r->safety_stop[0])
		fprintf(out, "SAFETY STOP: %s\n", r->safety_stop);
	if (r->error[0])
		fprintf(out, "error: %s\n", r->error);
	fprintf(out, "report: %s/\n", r->out_dir);
}
