#ifndef RIG_RUN_H
#define RIG_RUN_H

#include "rig/cli.h"

/*
 * `rig run`: load the fixture, check calibration, create the run
 * directory and journal, open the bench, run the script, write the reports
 * and print the summary. Returns the process exit status: 0 every
 * requirement PASS, 1 any FAIL or INDETERMINATE, 2 the run could not be
 * completed.
 */
int run_command(const struct run_options *o);

#endif
