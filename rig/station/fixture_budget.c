/*
 * Uncertainty budgets in the fixture (docs/msa.md, docs/file-formats.md):
 *
 *   depth_mm = { budget = {
 *       { name = "LVDT certificate", value = 0.004, k = 2, dof = 50 },
 *       { name = "ADC resolution", dist = "rectangular", value = 0.00006 },
 *       { name = "temperature", dist = "rectangular", value = 2, sensitivity = 0.0005 },
 *       { name = "repeatability", value = 0.003, k = 1, dof = 29, from = "msa" },
 *   } }
 *
 * combined by the GUM (rig/stats/gum.c) into the expanded uncertainty U that
 * becomes the guard band.
 */
#include "rig/station/fixture_budget.h"
#include "rig/station/fixture_load.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/msa.h"

static int read_item(struct df_table *list, size_t i, struct fixture_budget_item *it)
{
	static const char *const keys[] = { "name", "dist", "value", "k", "sensitivity", "dof",
					    "from", NULL };
	struct df_table t;
	enum gum_dist d;
	int rc = df_item_table(list, i, &t), has_value;

	if (rc < 0)
		return rc;
	snprintf(it->dist, sizeof(it->dist), "normal");
	it->k = 1;
	it->sensitivity = 1;
	it->dof = INFINITY;
	if ((rc = df_check_keys(&t, keys)) >= 0 &&
	    (rc = df_string(&t, "name", it->name, sizeof(it->name))) >= 0 &&
	    (rc = df_string(&t, "dist", it->dist, sizeof(it->dist))) >= 0 &&
	    (rc = has_value = df_number_in(&t, "value", 0, 1e9, &it->value)) >= 0 &&
	    (rc = df_number_in(&t, "k", 0.1, 100, &it->k)) >= 0 &&
	    (rc = df_number_in(&t, "sensitivity", -1e12, 1e12, &it->sensitivity)) >= 0 &&
	    (rc = df_number_in(&t, "dof", 1, 1e9, &it->dof)) >= 0 &&
	    (rc = df_string(&t, "from", it->from, sizeof(it->from))) >= 0) {
		if (!it->name[0] || !has_value)
			rc = df_fail(&t, NULL, "a budget item needs a name and a value");
		else if (gum_dist_parse(it->dist, &d) != 0)
			rc = df_fail(&t, "dist", "\"%s\" is not normal, rectangular, triangular or "
				     "u-shaped", it->dist);
		else if (it->from[0] && strcmp(it->from, "msa"))
			rc = df_fail(&t, "from", "\"%s\" is not msa (the latest gauge study)",
				     it->from);
	}
	df_close(&t);
	return rc < 0 ? rc : 0;
}

int fixture_budget_combine(struct fixture_budget *b)
{
	struct gum_component c[FIXTURE_MAX_BUDGET];
	struct gum_budget g;
	int rc;

	for (size_t i = 0; i < b->n; i++) {
		const struct fixture_budget_item *it = &b->item[i];

		if (gum_dist_parse(it->dist, &c[i].dist) != 0)
			return RIG_ERR_INVALID;
		c[i].name = it->name;
		c[i].value = it->value;
		c[i].k = it->k;
		c[i].sensitivity = it->sensitivity;
		c[i].dof = it->dof;
	}
	if ((rc = gum_combine(c, b->n, b->p, &g)) != 0)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		b->item[i].u = c[i].u;
		b->item[i].contribution = c[i].contribution;
	}
	b->uc = g.uc;
	b->dof_eff = g.dof_eff;
	b->k = g.k;
	b->expanded = g.expanded;
	return 0;
}

int fixture_read_budget(struct df_table *v, struct fixture_uncertainty *u)
{
	struct fixture_budget *b = &u->budget;
	struct df_table list;
	int rc = df_table(v, "budget", &list);

	b->p = GUM_P_DEFAULT;
	if (rc <= 0)
		return rc;
	if (u->u > 0 || u->rel_pct > 0)
		rc = df_fail(v, "budget", "give either u (and rel_pct) or a budget, not both");
	else if (df_len(&list) == 0 || df_len(&list) > FIXTURE_MAX_BUDGET)
		rc = df_fail(v, "budget", "expected 1 to %d items", FIXTURE_MAX_BUDGET);
	for (size_t i = 1; rc >= 0 && i <= df_len(&list); i++)
		rc = read_item(&list, i, &b->item[b->n++]);
	df_close(&list);
	if (rc >= 0)
		rc = df_number_in(v, "p", 0.5, 0.9999, &b->p);
	if (rc >= 0 && fixture_budget_combine(b) != 0)
		rc = df_fail(v, "budget", "%s", rig_last_error());
	if (rc >= 0)
		u->u = b->expanded;
	return rc < 0 ? rc : 0;
}

int fixture_apply_msa(struct fixture *fx, const char *quantity, double repeatability_sd,
		      double dof)
{
	int applied = 0;

	for (size_t i = 0; i < fx->nuncertainties; i++) {
		struct fixture_uncertainty *u = &fx->uncertainties[i];
		int here = 0;

		if (strcmp(u->quantity, quantity))
			continue;

		for (size_t j = 0; j < u->budget.n; j++) {
			struct fixture_budget_item *it = &u->budget.item[j];

			if (strcmp(it->from, "msa"))
				continue;
			snprintf(it->dist, sizeof(it->dist), "normal");
			it->value = repeatability_sd;
			it->k = 1;
			it->dof = dof >= 1 ? dof : INFINITY;
			here++;
		}
		if (here && fixture_budget_combine(&u->budget) == 0) {
			u->u = u->budget.expanded;
			applied += here;
		}
	}
	return applied;
}
