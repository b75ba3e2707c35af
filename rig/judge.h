#ifndef RIG_JUDGE_H
#define RIG_JUDGE_H

/*
 * Judging a sample against a requirement's acceptance criteria. A spec
 * (scripts/specs/NAME.lua) states per requirement which criteria apply; any
 * combination of:
 *   mean  - the sample mean within [mean_lo, mean_hi]
 *   ti    - the normal tolerance interval (confidence, coverage) within
 *           [ti_lo, ti_hi]; one-sided when one limit is NAN
 *   each  - every value within [each_lo, each_hi]
 *   count - exactly `count` values (missed or extra shots)
 * Limits are guard-banded by the fixture's expanded uncertainty U
 * (ISO 14253-1): a result that meets the limits but not the limits shrunk
 * by U is INDETERMINATE.
 */
#include <stddef.h>

#include "rig/record.h"

struct acceptance {
	char requirement[32];
	char unit[16];
	double target;                  /* setting aimed at (NAN: none) */
	double mean_lo, mean_hi;
	double ti_lo, ti_hi, confidence, coverage;
	double each_lo, each_hi;
	long count;                     /* -1: no count criterion */
};

/* Every limit NAN, count -1, confidence 0.95, coverage 0.975. */
void acceptance_init(struct acceptance *a);

/*
 * Fill out (already named by the caller) from the n values x. u is the
 * expanded uncertainty of one value. Returns 0, or RIG_ERR_INVALID when the
 * acceptance asks for something the sample cannot give (e.g. a TI from n < 2).
 */
int judge_sample(const double *x, size_t n, const struct acceptance *a, double u,
		 struct measurement *out);

#endif
