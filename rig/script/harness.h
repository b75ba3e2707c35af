#ifndef RIG_HARNESS_H
#define RIG_HARNESS_H

/*
 * The Lua harness: runs a test script in a sandbox with the `rig` API
 * (docs/script-api.md). Script mistakes raise Lua errors with file:line;
 * hardware failures come back to the script as `nil, message` and are
 * journaled; everything judged lands in the run record.
 *
 * The bindings live in lua_*.c next to this file and share
 * rig/script/binding.h; nothing outside the harness uses them.
 */
#include "rig/script/binding.h"

/* Compile the script without running it: 0, or RIG_ERR_INVALID with
 * "file:line: message" for a syntax error. */
int harness_check_script(const char *path);

/*
 * The guard band of quantity at value: the fixture's declared expanded
 * uncertainty combined in quadrature with k = 2 times the Type A standard
 * uncertainty of the step's captures (depth_mm and volume_ul; others get
 * the fixture's alone). docs/measurement.md, "Signal quality".
 */
double harness_uncertainty(const struct harness *h, const char *quantity, double value);

/* Defaults for everything not set by the caller. */
void harness_init(struct harness *h);

/*
 * Run the script to its end. Returns 0 when it completed (verdicts are in
 * the record), RIG_ERR_INVALID for a script error, RIG_ERR_SAFETY after a
 * safety stop, RIG_ERR_ABORTED when interrupted; the message is in
 * rig_last_error() as "file:line: what".
 */
int harness_run(struct harness *h);
void harness_release(struct harness *h);

#endif
