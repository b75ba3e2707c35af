#ifndef RIG_REDERIVE_H
#define RIG_REDERIVE_H

/*
 * Verdicts re-derived, not copied. Every journaled measurement carries
 * what it was judged from ("judged": the values and acceptance criteria,
 * or the counts of an every-burst check); rig verify and rig recover judge
 * it again with the run's own code (rig/judge.h) and the journal's fixture,
 * so an edited verdict, statistic or limit in the journal shows, and a
 * recovered run's verdicts are rig's, not the journal's word.
 *
 * rederive_run is rig verify's engine half: it replays the journal that
 * way, settles step and run verdicts and compares them with step_end and
 * run_end, checks that result.json, junit.xml and shots.csv are what the
 * report writers make of that record, that the results store's row
 * agrees, that every capture has the SHA-256 the journal recorded, and
 * (deep) that measuring each capture again gives the journaled shots bit
 * for bit.
 */
#include <jansson.h>
#include <stdio.h>

#include "reports/verify.h"
#include "rig/base/fixture.h"
#include "rig/base/record.h"

/* Judge the measurement event e again into out (values kept in the step
 * s when not NULL). RIG_ERR_INVALID naming why it cannot be. */
int rederive_measurement(const json_t *e, const struct fixture *fx, struct step_record *s,
			 struct measurement *out);

/* 0 when out is what e journals; else RIG_ERR_INVALID naming the first
 * field that differs. */
int rederive_compare(const json_t *e, const struct measurement *out);

/* Each capture of r against the SHA-256 its burst journaled: calls fn
 * with the first capture that differs or is missing; returns how many. */
int rederive_check_captures(const struct run_record *r, const char *dir,
			    void (*fn)(void *ctx, const char *msg), void *ctx);

struct rederived {
	char run_id[64];
	char verdict[16];         /* the re-derived run verdict */
	char store_path[4096];    /* the results store the run recorded into ("" none) */
	int replayed;             /* the journal could be replayed */
};

void rederive_run(const char *dir, int deep, FILE *out, struct verify_result *v,
		  struct rederived *d);

#endif
