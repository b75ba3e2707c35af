#ifndef RIG_REPLAY_H
#define RIG_REPLAY_H

/*
 * Rebuild a run record from its journal: what `rig recover` reports when
 * the process that ran the script died. Everything the reports show comes
 * from journaled events (run_start, fixture, module, uut, step_start,
 * burst, measurement, step_end, run_end), so nothing journaled is lost.
 */
#include <jansson.h>
#include <stdint.h>

#include "rig/base/fixture.h"
#include "rig/base/record.h"

struct replay {
	struct run_record *rec;   /* filled; init'd by the caller */
	struct fixture *fx;       /* filled from the "fixture" event */
	const char *journal_path; /* for messages */
	int started;              /* run_start seen */
	int ended;                /* run_end seen: the run finished */
	char last_time[32];       /* of the last event */
	char cut_time[32];        /* of the last event before "recovered" */
	char store_path[4096];    /* the results store the run records into ("" none) */
	/* Set by the caller: each measurement is judged again from what the
	 * journal says it was judged from (rig/rederive.h), and that is what
	 * the record gets; where the journal's own figures differ, or it
	 * cannot be judged, mismatch is told (with ctx) "journal.jsonl:LINE: ...". */
	void (*mismatch)(void *ctx, const char *msg);
	void *mismatch_ctx;
};

/* A journal_line_fn: apply one journal line to the record. */
int replay_line(void *ctx, json_t *line, uint64_t lineno);

#endif
