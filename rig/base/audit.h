#ifndef RIG_AUDIT_H
#define RIG_AUDIT_H

/*
 * What an auditor checks beyond the verdicts: did the run cover the spec it
 * loaded (every requirement at every setting, with enough shots), and what
 * departed from the procedure as written (run options, overrides, prompts
 * answered automatically, operator notes, settings skipped or short). Pure
 * functions of the run record, so every report says the same.
 */
#include <stddef.h>

#include "rig/base/record.h"

enum coverage_status {
	COVERAGE_OK,
	COVERAGE_SHORT,    /* judged, with fewer shots than the spec needs */
	COVERAGE_MISSING,  /* not judged at that setting (or, every burst: in some steps) */
};

struct coverage_row {
	const char *requirement;
	char setting[48];        /* "depth_mm = 1.5", "every burst" */
	size_t shots_required;   /* 0: any */
	size_t shots_measured;   /* every burst: steps checked */
	size_t steps_required;   /* every burst: steps that fired */
	enum coverage_status status;
};

const char *coverage_status_name(enum coverage_status s);

/* One row per requirement and setting of r->spec; returns how many (at most max). */
size_t audit_coverage(const struct run_record *r, struct coverage_row *out, size_t max);

/* 1 when the run covers its spec, or loaded none. */
int audit_covered(const struct run_record *r);

struct deviation {
	char kind[24];           /* "run option", "calibration", "prompt", "operator note",
	                          * "coverage", "spec" */
	char step[64];
	char text[480];
};

/* Every departure from the procedure as written; returns how many (at most max). */
size_t audit_deviations(const struct run_record *r, struct deviation *out, size_t max);

/* The worst margin of a requirement: over every measurement made for it,
 * the judged result (mean, TI end, extreme value) nearest its specification
 * limit. pct is that distance in % of the distance from the target to the
 * limit (100: on target, 0: on the limit, negative: outside); dist is it in
 * the unit. */
struct margin {
	double pct, dist;                 /* NAN: no limits judged (exact counts) */
	const char *clause;               /* "mean", "TI low end", "max", ... */
	const struct step_record *step;
	const struct measurement *m;
	enum verdict verdict;             /* worst verdict of the requirement */
	size_t measurements;
};

void audit_margin(const struct run_record *r, const char *requirement, struct margin *out);

/* Requirement IDs in the order a reader expects: the spec's, then any other
 * judged, in first-judged order. Returns how many (at most max). */
size_t audit_requirements(const struct run_record *r, const char **ids, size_t max);

#endif
