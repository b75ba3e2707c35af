#ifndef RIG_REPORTS_BUDGET_ROWS_H
#define RIG_REPORTS_BUDGET_ROWS_H

/*
 * A quantity's GUM uncertainty budget (docs/msa.md) as the reports print
 * it: one row of text cells per component and a line with the combination.
 * report.html and report.pdf print the same figures from here.
 */
#include <stddef.h>

#include "rig/base/fixture.h"

#define BUDGET_COLUMNS 8

/* The columns' plain headings: component, distribution, value, k, c_i,
 * u(x_i), |c_i| u(x_i), nu_i (in Unicode). */
extern const char *const budget_columns[BUDGET_COLUMNS];

struct budget_row {
	char cell[BUDGET_COLUMNS][80];
};

/* Component i of b as cells (k only for a normal input, infinity as ∞). */
void budget_row(const struct fixture_budget *b, size_t i, struct budget_row *row);

/* "u_c = ..., ν_eff = ... (Welch–Satterthwaite), k = ... (Student's t,
 * p = ... %), U = k u_c = ...: the guard band." */
void budget_summary(const struct fixture_budget *b, char *buf, size_t len);

#endif
