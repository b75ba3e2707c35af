#ifndef RIG_STATION_FIXTURE_BUDGET_H
#define RIG_STATION_FIXTURE_BUDGET_H

/* Private to the fixture loader: the `budget` of one uncertainty entry. */
#include <jansson.h>

#include "rig/base/datafile.h"
#include "rig/base/fixture.h"

/* Read v.budget (absent: 0) into u->budget and set u->u to its expanded
 * uncertainty. A budget excludes a stated u or rel_pct. */
int fixture_read_budget(struct df_table *v, struct fixture_uncertainty *u);


#endif
