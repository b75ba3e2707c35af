#ifndef RIG_REGRESS_COMPARE_H
#define RIG_REGRESS_COMPARE_H

/*
 * Comparing a run with a baseline run (`rig diff`), measurement by
 * measurement (docs/regression.md): the change in mean with Welch's
 * confidence interval, the change in spread with the Brown-Forsythe test,
 * the change in Cpk with Bissell's standard errors. A change is a
 * regression when it is statistically significant AND larger than the
 * spec's practical threshold AND for the worse; significant, large changes
 * for the better are reported as improvements.
 */
#include <stddef.h>

#include "rig/base/record.h"
#include "rig/stats/stats.h"

/* Practical thresholds of one requirement (spec.regression.requirements). */
struct regress_threshold {
	char requirement[32];
	double mean;      /* smallest mean change that matters, in the unit; NAN: use mean_pct */
	double mean_pct;  /* ... in % of the setting (target); NAN: none */
	double sd_ratio;  /* smallest ratio of standard deviations; NAN: none */
	double cpk_min;   /* a Cpk below this is inadequate; NAN: none */
};

#define REGRESS_MAX_REQUIREMENTS 32

struct regress_spec {
	char path[4096];
	char sha256[65];
	double alpha;     /* significance level of every test */
	struct regress_threshold t[REGRESS_MAX_REQUIREMENTS];
	size_t n;
};

/* Load spec.regression from a spec file (scripts/specs/NAME.lua). */
int regress_spec_load(struct regress_spec *s, const char *path);

/* The thresholds for a requirement, or NULL. */
const struct regress_threshold *regress_threshold(const struct regress_spec *s,
						  const char *requirement);

/* What changed: flags for the worse (regressions) and for the better. */
enum change {
	CHANGE_MEAN = 1u << 0,
	CHANGE_SPREAD = 1u << 1,
	CHANGE_CPK = 1u << 2,
	CHANGE_VERDICT = 1u << 3,  /* the verdict got worse (or better) */
	CHANGE_MISSING = 1u << 4,  /* judged in the base, not in the run */
};

/* One measurement compared. */
struct comparison {
	char step_id[64], label[64], requirement[32], name[48], unit[16];
	const struct measurement *base, *run;   /* either may be NULL */
	const struct regress_threshold *th;     /* NULL: no thresholds */
	int tested;                 /* values on both sides: the tests ran */
	int single;                 /* one value each: z test on the uncertainty */
	double mean_threshold;      /* in the unit; NAN: none */
	struct welch mean;          /* change in mean */
	double sd_ratio;            /* sd(run) / sd(base) */
	double bf_f, bf_p;          /* Brown-Forsythe */
	double cpk_diff, cpk_lo, cpk_hi, cpk_p;
	unsigned worse, better;     /* enum change bits */
};

struct diff {
	const struct run_record *base, *run;
	const struct regress_spec *spec;
	struct comparison *c;
	size_t n;
	size_t regressions;         /* comparisons with worse != 0 */
};

/* Compare every measurement of run with the same step and quantity in base. */
int regress_diff(const struct run_record *base, const struct run_record *run,
		 const struct regress_spec *spec, struct diff *d);
void regress_diff_release(struct diff *d);

/* "mean, spread" for flags; "" for none. */
void regress_change_names(unsigned flags, char *buf, size_t len);

#endif
