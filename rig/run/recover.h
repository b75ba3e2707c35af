#ifndef RIG_RECOVER_H
#define RIG_RECOVER_H

/*
 * Closing interrupted runs. A run directory whose journal exists but
 * which has no MANIFEST.sig was stopped before it was closed (power loss,
 * kill). Recovery rebuilds the record from the journal (rig/run/replay.h),
 * journals the run's end as ABORTED unless it had ended, and writes and
 * signs every report, so nothing journaled is lost.
 */
#include <stdio.h>

#include "reports/keys.h"

/* 1 when dir holds a run that was never closed. */
int recover_needed(const char *dir);

/* Close the run in dir; says what it did on out. A run still in progress
 * (its journal locked) is an error. */
int recover_run(const char *dir, const struct station_key *k, FILE *out);

/* Close every unclosed run in the subdirectories of parent, skipping live
 * ones and skip (the caller's own run directory). Problems are told on out
 * and do not stop the others. Returns how many were closed. */
int recover_leftovers(const char *parent, const char *skip, const struct station_key *k,
		      FILE *out);

/* rig recover [DIR] */
int recover_command(int argc, char **argv);

#endif
