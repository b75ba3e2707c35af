#include "reports/budget_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const budget_columns[BUDGET_COLUMNS] = {
	"component", "distribution", "value", "k", "cᵢ", "u(xᵢ)", "|cᵢ| u(xᵢ)", "νᵢ",
};

static void dof(char *buf, size_t len, double v, const char *fmt)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "∞");
}

void budget_row(const struct fixture_budget *b, size_t i, struct budget_row *row)
{
	const struct fixture_budget_item *it = &b->item[i];
	char (*c)[80] = row->cell;

	snprintf(c[0], sizeof(c[0]), "%s%s", it->name, it->from[0] ? " (latest gauge study)" : "");
	snprintf(c[1], sizeof(c[1]), "%s", it->dist);
	snprintf(c[2], sizeof(c[2]), "%.4g", it->value);
	c[3][0] = '\0';
	if (!strcmp(it->dist, "normal"))
		snprintf(c[3], sizeof(c[3]), "%.3g", it->k);
	snprintf(c[4], sizeof(c[4]), "%.4g", it->sensitivity);
	snprintf(c[5], sizeof(c[5]), "%.4g", it->u);
	snprintf(c[6], sizeof(c[6]), "%.4g", it->contribution);
	dof(c[7], sizeof(c[7]), it->dof, "%g");
}

void budget_summary(const struct fixture_budget *b, char *buf, size_t len)
{
	char nu[32];

	dof(nu, sizeof(nu), b->dof_eff, "%.1f");
	snprintf(buf, len, "u_c = %.4g, ν_eff = %s (Welch–Satterthwaite), k = %.3f (Student's t, "
		 "p = %.2f %%), U = k u_c = %.4g: the guard band.", b->uc, nu, b->k, 100 * b->p,
		 b->expanded);
}
