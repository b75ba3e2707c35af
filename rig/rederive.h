#ifndef RIG_REDERIVE_H
#define RIG_REDERIVE_H

/*
 * rig verify, the engine's half: the verdicts in a run directory must be
 * what rig's own code derives from the journal, not only unchanged bytes.
 * Replays the journal, re-judges every measurement from the values and
 * acceptance criteria journaled with it (rig/judge.h, the run's code),
 * settles step and run verdicts, and checks that result.json, junit.xml
 * and shots.csv are what the report writers make of that record, that
 * every capture has the SHA-256 the journal recorded, and (deep) that
 * measuring each capture again gives the journaled shots bit for bit.
 */
#include <stdio.h>

#include "reports/verify.h"

struct rederived {
	char run_id[64];
	char verdict[16];         /* the re-derived run verdict */
	char store_path[4096];    /* the results store the run recorded into ("" none) */
	int replayed;             /* the journal could be replayed */
};

void rederive_run(const char *dir, int deep, FILE *out, struct verify_result *v,
		  struct rederived *d);

#endif
