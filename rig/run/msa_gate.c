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
#include "rig/station/fixture_load.h"
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

/* The quantity a study measured: the name of its measurements (depth_mm
 * for an MSA-DEPTH-ACC study). "" when the run has none. */
static const char *study_quantity(const struct run_record *r)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *st = &r->steps[i];

		if (strncmp(st->requirement, "MSA-", 4) || !strcmp(st->requirement, "MSA-GRR") ||
		    !strcmp(st->requirement, "MSA-TYPE1"))
			continue;
		for (size_t k = 0; k < st->nm; k++)
			if (!strcmp(st->m[k].requirement, st->requirement))
				return st->m[k].name;
	}
	return "";
}

/* Remember a study's repeatability unless a newer one of the quantity is. */
static void note_repeatability(struct msa_gate *g, const struct run_record *r,
			       const struct step_record *st)
{
	const char *q = study_quantity(r);
	double sd = recorded(st, "repeatability_sd");

	if (!q[0] || !isfinite(sd) || g->nrepeat == sizeof(g->repeat) / sizeof(g->repeat[0]))
		return;
	for (size_t i = 0; i < g->nrepeat; i++)
		if (!strcmp(g->repeat[i].quantity, q))
			return;
	snprintf(g->repeat[g->nrepeat].quantity, sizeof(g->repeat[0].quantity), "%s", q);
	snprintf(g->repeat[g->nrepeat].run, sizeof(g->repeat[0].run), "%s", r->id);
	g->repeat[g->nrepeat].sd = sd;
	g->repeat[g->nrepeat].df = recorded(st, "repeatability_df");
	g->nrepeat++;
}

/* Find the station's latest GR&R (for the gate) and the latest study of
 * each quantity with a recorded repeatability (for the budgets). */
static void look_up(const struct fixture *fx, const char *db, struct msa_gate *g)
{
	struct store s;
	struct store_filter f = { .limit = 2000 };
	struct candidates c = { .n = 0 };
	char path[4096];
	int rc;

	if (!db) {
		if (store_default_path(path, sizeof(path)) != 0)
			return;
		db = path;
	}
	if (store_open_existing(&s, db) != 0)
		return; /* no store: no study on record */
	rc = store_list_runs(&s, &f, collect, &c);
	for (int i = 0; rc == 0 && i < c.n; i++) {
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
			if (st)
				note_repeatability(g, &r, st);
		}
		run_record_release(&r);
	}
	store_close(&s);
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
	for (size_t i = 0; i < g->nrepeat; i++) {
		g->repeat[i].items = fixture_apply_msa(fx, g->repeat[i].quantity, g->repeat[i].sd,
						       g->repeat[i].df);
		g->applied += g->repeat[i].items;
	}
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
	json_t *repeat = json_array();

	if (!g->checked && !g->applied) {
		json_decref(repeat);
		return 0;
	}
	for (size_t i = 0; i < g->nrepeat; i++)
		json_array_append_new(repeat, json_pack(
			"{s:s, s:s, s:f, s:o, s:i}", "quantity", g->repeat[i].quantity, "run",
			g->repeat[i].run, "sd", g->repeat[i].sd, "df",
			isfinite(g->repeat[i].df) ? json_real(g->repeat[i].df) : json_null(),
			"budget_items", g->repeat[i].items));
	return journal_append(j, "msa_gate", json_pack(
		"{s:b, s:b, s:b, s:s, s:s, s:s, s:i, s:o}", "checked", g->checked, "refused",
		g->refused, "overridden", g->overridden, "why", g->why, "grr_run", g->grr_run,
		"grr_verdict", g->grr_verdict, "budget_items_applied", g->applied, "repeatability",
		repeat));
}
