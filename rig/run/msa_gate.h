#ifndef RIG_RUN_MSA_GATE_H
#define RIG_RUN_MSA_GATE_H

/*
 * The station's measurement system as an interlock (docs/msa.md): before
 * a run, the station's latest gauge studies are looked up in the results
 * store. A fixture with msa.valid_days > 0 refuses to run unless its latest
 * gauge R&R is on record, not unacceptable and younger than that, as an
 * expired calibration refuses (overridable with --allow-expired-msa, which
 * is journaled). The latest study of each quantity feeds its repeatability
 * to that quantity's budget items marked from = "msa".
 */
#include "rig/base/fixture.h"
#include "rig/base/journal.h"

struct msa_gate {
	int checked;              /* a gate applied (valid_days > 0) */
	int refused;              /* and refused: the message is in why */
	int overridden;           /* refused, but run with --allow-expired-msa */
	char why[512];
	char grr_run[64];         /* the latest gauge R&R, "" none */
	char grr_started[32];
	char grr_verdict[16];
	/* Per quantity, the latest study's repeatability (EV or Type 1 s)
	 * and how many budget items (from = "msa") took it. */
	struct msa_repeatability {
		char quantity[48];    /* depth_mm, volume_ul, interval_ms */
		char run[64];
		double sd, df;
		int items;
	} repeat[4];
	size_t nrepeat;
	int applied;              /* budget items that took a study's repeatability */
};

/*
 * Look the station up in the store at db (NULL: the default store) and
 * decide. Returns 0, or RIG_ERR_INTERLOCK (message set) when the gate
 * refuses and override is 0. Budgets of fx are updated in place.
 */
int msa_gate_check(struct fixture *fx, const char *db, int override, struct msa_gate *g);

/* Journal what the gate found and did (event "msa_gate"). */
int msa_gate_journal(const struct msa_gate *g, struct journal *j);

#endif
