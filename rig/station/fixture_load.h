#ifndef RIG_STATION_FIXTURE_LOAD_H
#define RIG_STATION_FIXTURE_LOAD_H

/*
 * Load a fixture file (fixtures/NAME.lua, docs/file-formats.md) into the
 * description of rig/base/fixture.h. Every mistake is refused with the
 * file's path and line, including a driver name this rig has no backend for.
 */
#include "rig/base/fixture.h"

int fixture_load(struct fixture *fx, const char *path);

/* Make socket `name` the fixture's unit and channels: a run of one socket
 * sees a one-socket station. RIG_ERR_INVALID naming the sockets there are. */
int fixture_select_socket(struct fixture *fx, const char *name);

/* Combine a budget (GUM): fills each item's u and contribution and the
 * budget's uc, dof_eff, k and expanded. 0 or RIG_ERR_INVALID
 * (rig/station/fixture_budget.c). */
int fixture_budget_combine(struct fixture_budget *b);

/* The station's latest gauge study of a quantity: that quantity's budget
 * items with from = "msa" take its repeatability standard deviation and
 * degrees of freedom, and its U is combined again. Returns how many items
 * took it. */
int fixture_apply_msa(struct fixture *fx, const char *quantity, double repeatability_sd,
		      double dof);

#endif
