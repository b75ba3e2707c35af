#ifndef RIG_REPORTS_MSA_VALUES_H
#define RIG_REPORTS_MSA_VALUES_H

/*
 * A gauge study's design and values as a run's record holds them
 * (docs/msa.md): scripts/msa.lua makes one step per loading, requirement
 * MSA-<REQUIREMENT>, labelled "P03 O2 T1" (part 3, operator 2, trial 1)
 * in a gauge R&R or "ref T7" in a Type 1 study, whose judged measurement
 * of that requirement is the loading's burst. result.json lists them
 * (every loading with its shots), rig msa analyses them.
 */
#include <jansson.h>
#include <stddef.h>

#include "rig/base/record.h"

struct msa_values {
	int grr;                         /* 1 gauge R&R, 0 Type 1 */
	char requirement[32];            /* DEPTH-ACC, ... (without "MSA-") */
	size_t parts, operators, trials; /* Type 1: 1 part, 1 operator, n trials */
	size_t n, missing;               /* parts x operators x trials; how many lack a value */
	/* Per loading, at ((part - 1) * operators + operator - 1) * trials + trial - 1:
	 * its step and measurement, NULL when the record has none. */
	const struct step_record **step;
	const struct measurement **m;
};

/* The study of run r. 0 (v->n > 0), or RIG_ERR_INVALID when r holds no
 * study steps, or both kinds, or RIG_ERR_NOMEM. */
int msa_values_from_record(const struct run_record *r, struct msa_values *v);
void msa_values_release(struct msa_values *v);

/* The loading at index i: its value (the burst's mean, NAN if missing). */
double msa_value(const struct msa_values *v, size_t i);

/* result.json's "msa": the design and every loading in design order with
 * its step, value and each shot's value (docs/result.schema.json). */
json_t *msa_values_to_json(const struct msa_values *v);

#endif
