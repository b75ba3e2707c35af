#ifndef RIG_JUDGE_H
#define RIG_JUDGE_H

/*
 * Judging a sample against a requirement's acceptance criteria. A spec
 * (scripts/specs/NAME.lua) states per requirement which criteria apply; any
 * combination of:
 *   mean  - the sample mean within [mean_lo, mean_hi]
 *   ti    - the tolerance interval (confidence, coverage) within
 *           [ti_lo, ti_hi]; one-sided when one limit is NAN
 *   each  - every value within [each_lo, each_hi]
 *   count - exactly `count` values (missed or extra shots)
 *
 * The tolerance interval is normal (mean ± k sd) unless the Anderson-Darling
 * test rejects normality, or the acceptance asks for it: then it is the
 * distribution-free interval between order statistics, and when n is too
 * small for that the TI criterion is INDETERMINATE (or FAIL when so many
 * values lie outside the limits that the coverage is disproved).
 *
 * Guard banding (ISO 14253-1): every limit - on the mean, on the TI ends, on
 * single values - is shrunk by the fixture's expanded uncertainty U (k = 2)
 * of one value to give the acceptance zone. A result inside the limits but
 * outside that zone is INDETERMINATE. docs/statistics.md says why U is not
 * divided by sqrt(n) for the mean.
 */
#include <stddef.h>

#include "rig/base/fixture.h"
#include "rig/base/record.h"
#include "rig/stats/stats.h"

struct acceptance {
	char requirement[32];
	char unit[16];
	double target;                  /* setting aimed at (NAN: none) */
	double mean_lo, mean_hi;
	double ti_lo, ti_hi, confidence, coverage;
	enum k_method method;           /* k-factor of the normal TI */
	int distribution_free;          /* order statistics whatever the data */
	double normality_alpha;         /* reject normality when p < this */
	double each_lo, each_hi;
	long count;                     /* -1: no count criterion */
};

/* Every limit NAN, count -1, confidence 0.95, coverage 0.975, exact k,
 * normality rejected below p = JUDGE_NORMALITY_ALPHA. */
#define JUDGE_NORMALITY_ALPHA 0.01
void acceptance_init(struct acceptance *a);

/*
 * Fill out (already named by the caller) from the n values x. u is the
 * expanded uncertainty of one value. Returns 0, or RIG_ERR_INVALID when the
 * acceptance asks for something the sample cannot give (e.g. a TI from n < 2).
 */
int judge_sample(const double *x, size_t n, const struct acceptance *a, double u,
		 struct measurement *out);

/*
 * rig's every-burst checks, here so that the run and rig verify (which
 * re-derives every verdict from the journal) judge with the same code.
 * Shot count: exactly `commanded` shots measured and counted by the unit.
 * Safe depth: every shot at most set_mm + over_mm deep (a burst without
 * shots is no unsafe one: SHOT-COUNT fails it).
 */
void judge_shot_count(size_t measured, unsigned commanded, unsigned unit_counted,
		      unsigned burst, const char *requirement, struct measurement *m);
int judge_safe_depth(const double *depth, size_t n, const char *requirement, double set_mm,
		     double over_mm, double u, struct measurement *m);

/*
 * A judgement's two uncertainties, in one place for the run
 * (rig/script) and rig verify (rig/run/rederive.c): the guard band is
 * made of guard_u (the fixture's U, with the captures' Type A term where
 * the fixture's U does not hold it; journaled as "guard_u", so a
 * re-judgement uses the same), and the measurement then shows the
 * fixture's own U for the quantity at its setting, the one its
 * certificate chain states. judge_sample_u reads the quantity from
 * out->name (name it first).
 */
int judge_sample_u(const double *x, size_t n, const struct acceptance *a,
		   const struct fixture *fx, double guard_u, struct measurement *out);
int judge_safe_depth_u(const double *depth, size_t n, const char *requirement, double set_mm,
		       double over_mm, const struct fixture *fx, double guard_u,
		       struct measurement *m);
/* The setting a's uncertainty is looked up at: its target, 0 without one. */
double acceptance_setting(const struct acceptance *a);

/* The acceptance criteria as JSON, journaled with each measurement and
 * read back to judge again (rig/stats/acceptance_json.c). from_json:
 * 0, or RIG_ERR_INVALID for anything a script could not have given. */
#include <jansson.h>
json_t *acceptance_to_json(const struct acceptance *a);
int acceptance_from_json(const json_t *j, struct acceptance *a);

#endif
