#ifndef RIG_REGRESS_DIFF_OUT_H
#define RIG_REGRESS_DIFF_OUT_H

/* The forms of a `rig diff`: a table for people, JSON for programs,
 * JUnit XML for CI (a testcase per comparison, a failure per regression). */
#include <stdio.h>

#include "rig/regress/compare.h"

/* quiet: only the regressions and the closing line. */
void diff_write_text(const struct diff *d, int quiet, FILE *f);
int diff_write_json(const struct diff *d, const char *path);
int diff_write_junit(const struct diff *d, const char *path);

#endif
