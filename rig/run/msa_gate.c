/*
 * The gauge-study interlock and the budget's repeatability from the
 * station's latest study (rig/run/msa_gate.h, docs/msa.md).
 */
#include "rig/run/msa_gate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/base/record.h"
#include "rig/store/store.h"

#define MSA_CANDIDATES 64

struct candidates {
	char id[MSA_CANDIDATES][64];
	int n;
};

/* Runs of the msa procedure, newest first. */
static int collect(void *ctx, const struct store_run_row *row)
{
	struct candidates *c = ctx;
	const char *base = strrchr(row->script, '/');

	base = base ? base + 1 : row->script;
	if (!strcmp(base, "msa.lua") && c->n < MSA_CANDIDATES)
		snprintf(c->id[c->n++], sizeof(c->id[0]), "%s", row->id);
	return c->n == MSA_CANDIDATES;
}

static const struct step_record *study_step(const struct run_record *r, const char *req)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].requirement, req))
			return &r->steps[i];
	return NULL;
}

static double recorded(const struct step_record *s, const char *name)
{
	for (size_t i = 0; s && i < s->nm; i++)
		if (!strcmp(s->m[i].name, name))
			return s->m[i].mean;
	return NAN;
}

static double age_days(const char *iso)
{
	struct tm tm = { 0 };

	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return INFINITY;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return difftime(time(NULL), timegm(&tm)) / 86400.0;
}

/* Find the latest GR&R (for the gate) and the latest study of either kind
 * with a recorded repeatability (for the budget) of this station. */
static int look_up(const struct fixture *fx, const char *db, struct msa_gate *g)
{
	struct store s;
	struct store_filter f = { .limit = 2000 };
	struct candidates c = { .n = 0 };
	char path[4096];
	int rc, have_repeat = 0;

	if (!db) {
		if (store_default_path(path, sizeof(path)) != 0)
			return 0;
		db = path;
	}
	if (store_open_existing(&s, db) != 0)
		return 0; /* no store: no study on record */
	rc = store_list_runs(&s, &f, collect, &c);
	for (int i = 0; rc == 0 && i < c.n && (!g->grr_run[0] || !have_repeat); i++) {
		struct run_record r;
		const struct step_record *st;

		run_record_init(&r);
		if (store_load_run(&s, c.id[i], &r) == 0 && !strcmp(r.station, fx->station)) {
			st = study_step(&r, "MSA-GRR");
			if (!st)
				st = study_step(&r, "MSA-TYPE1");
			if (st && !strcmp(st->requirement, "MSA-GRR") && !g->grr_run[0]) {
				snprintf(g->grr_run, sizeof(g->grr_run), "%s", r.id);
				snprintf(g->grr_started, sizeof(g->grr_started), "%s", r.started);
				snprintf(g->grr_verdict, sizeof(g->grr_verdict), "%s",
					 verdict_name(st->verdict));
			}
			if (st && !have_repeat && isfinite(recorded(st, "repeatability_sd"))) {
				have_repeat = 1;
				snprintf(g->repeat_run, sizeof(g->repeat_run), "%s", r.id);
				g->repeat_sd = recorded(st, "repeatability_sd");
				g->repeat_df = recorded(st, "repeatability_df");
			}
		}
		run_record_release(&r);
	}
	store_close(&s);
	return 0;
}

static int wants_msa(const struct fixture *fx)
{
	for (size_t i = 0; i < fx->nuncertainties; i++)
		for (size_t j = 0; j < fx->uncertainties[i].budget.n; j++)
			if (!strcmp(fx->uncertainties[i].budget.item[j].from, "msa"))
				return 1;
	return fx->msa.valid_days > 0;
}

int msa_gate_check(struct fixture *fx, const char *db, int override, struct msa_gate *g)
{
	memset(g, 0, sizeof(*g));
	if (!wants_msa(fx))
		return 0;
	look_up(fx, db, g);
	if (g->repeat_run[0])
		g->applied = fixture_apply_msa(fx, g->repeat_sd, g->repeat_df);
	if (!(fx->msa.valid_days > 0))
		return 0;
	g->checked = 1;
	if (!g->grr_run[0])
		snprintf(g->why, sizeof(g->why), "no gauge R&R of station %s on record (run rig msa "
			 "grr)", fx->station);
	else if (strcmp(g->grr_verdict, "PASS"))
		snprintf(g->why, sizeof(g->why), "the latest gauge R&R of station %s (run %s) is "
			 "unacceptable (%s)", fx->station, g->grr_run, g->grr_verdict);
	else if (age_days(g->grr_started) > fx->msa.valid_days)
		snprintf(g->why, sizeof(g->why), "the latest gauge R&R of station %s (run %s, %.10s) "
			 "is older than msa.valid_days = %g", fx->station, g->grr_run,
			 g->grr_started, fx->msa.valid_days);
	else
		return 0;
	g->refused = 1;
	if (override) {
		g->overridden = 1;
		return 0;
	}
	return rig_error(RIG_ERR_INTERLOCK, "%s: %s (or run with --allow-expired-msa, which is "
			 "recorded)", fx->path, g->why);
}

int msa_gate_journal(const struct msa_gate *g, struct journal *j)
{
	if (!g->checked && !g->applied)
		return 0;
	return journal_append(j, "msa_gate", json_pack(
		"{s:b, s:b, s:b, s:s, s:s, s:s, s:i, s:s, s:o, s:o}", "checked", g->checked,
		"refused", g->refused, "overridden", g->overridden, "why", g->why, "grr_run",
		g->grr_run, "grr_verdict", g->grr_verdict, "budget_items_applied", g->applied,
		"repeatability_run", g->repeat_run, "repeatability_sd",
		g->applied ? json_real(g->repeat_sd) : json_null(), "repeatability_df",
		g->applied && isfinite(g->repeat_df) ? json_real(g->repeat_df) : json_null()));
}
