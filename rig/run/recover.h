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

/* rig run creates this file first in every run directory (exclusively:
 * that claims the directory), holding the run id. */
#define RECOVER_MARK ".rig-run"

/* 1 when dir holds a run that was never closed. */
int recover_needed(const char *dir);

/* Close the run in dir; says what it did on out. A run still in progress
 * (its journal locked) is an error. */
int recover_run(const char *dir, const struct station_key *k, FILE *out);

/* Close every unclosed run in the subdirectories of parent that rig
 * provably made (a real directory, not a link, whose RECOVER_MARK names
 * the run_id of its journal's first line, a run_start), skipping live
 * ones and skip (the caller's own run directory). Problems are told on out
 * and do not stop the others. Returns how many were closed. */
int recover_leftovers(const char *parent, const char *skip, const struct station_key *k,
		      FILE *out);

/* 0 when every file of a run in dir can be named; else the error "path
 * too long ..." (rig/base/paths.h). */
int recover_dir_check(const char *dir);

/* Why dir is not a run directory of rig's to close, or NULL. A journal
 * that is a symbolic link, or whose first line is not a rig run_start, is
 * nobody's rig run; with need_mark (recovery nobody asked for by name) the
 * directory must also carry RECOVER_MARK naming that run. */
const char *recover_not_ours(const char *dir, int need_mark);

/* A closed, signed run in dir missing from its results store: into the
 * store, if that store exists; says so on out. */
void recover_store_closed(const char *dir, FILE *out);

#endif
