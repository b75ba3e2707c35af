#ifndef RIG_HARNESS_H
#define RIG_HARNESS_H

/*
 * The Lua harness: runs a test script in a sandbox with the `rig` API
 * (docs/script-api.md). Script mistakes raise Lua errors with file:line;
 * hardware failures come back to the script as `nil, message` and are
 * journaled; everything judged lands in the run record.
 *
 * The bindings live in lua_*.c next to this file and share the
 * declarations below; nothing outside the harness uses them.
 */
#include <stddef.h>

#include "rig/station/station.h"
#include "rig/run/journal.h"
#include "rig/base/record.h"

struct lua_State;

struct harness {
	struct lua_State *L;
	struct bench *bench;
	struct run_record *rec;
	struct journal *journal;
	const struct fixture *fx;
	char script_path[4096];
	char script_dir[4096];
	char run_dir[4096];
	int batch;                 /* answer prompts automatically */
	int progress;              /* draw a progress line on stderr */
	unsigned long long step_budget; /* Lua instructions per step (0: none) */
	double step_timeout_s;     /* wall-clock seconds of Lua per step (0: none) */
	const char *firmware;      /* --firmware: the image for rig.uut:flash(); NULL */

	struct step_record *step;  /* the step running now, or NULL */
	size_t step_index;         /* its index in rec->steps */
	size_t nsteps_started;

	/* Checks made on every burst (rig.every_burst). */
	char shot_count_req[32];   /* "" when off */
	char safe_depth_req[32];   /* "" when off */
	double safe_depth_over_mm;

	int safety_stopped;        /* a safety limit stopped the run */
	char safety_message[512];
	int balance_fd;            /* > 0: this socket holds the shared balance */
	int device_failed;         /* a hardware call failed (journaled) */
	char device_message[512];
};

/* Compile the script without running it: 0, or RIG_ERR_INVALID with
 * "file:line: message" for a syntax error. */
int harness_check_script(const char *path);

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

/* Keep a prompt, note or override in the record for the reports'
 * deviations (it is journaled by the caller). */
void harness_note(struct harness *h, const char *kind, const char *message, const char *answer);

/* When the value at idx (a module's return) declares a spec, bind the run
 * to it: its models must include the unit's (else a Lua error naming both).
 * 1 bound, 0 not a spec. Journaled as "spec". */
int harness_bind_spec(struct lua_State *L, int idx, const char *path);

/* ---- shared by the bindings ---- */

/* The harness behind a Lua state. */
struct harness *harness_of(struct lua_State *L);

/* The message handler every protected call uses: adds file:line to
 * errors raised from C and appends the traceback. */
int harness_message_handler(struct lua_State *L);

/* luaL_error with printf formatting; Lua prefixes the calling script's
 * file:line. */
int harness_misuse(struct lua_State *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Journal an event; a journal failure is fatal to the run (raises). */
void harness_journal(struct lua_State *L, const char *event, void *json_fields);

/* Record a failed hardware call: journal it, remember it, and return the
 * `nil, message` pair to the script (2 results pushed). */
int harness_device_failure(struct lua_State *L, int err, const char *what);

/* Raise the safety stop (does not return). */
int harness_safety_stop(struct lua_State *L, const char *message);

/* Add a judged measurement to the current step and journal it. */
void harness_record_measurement(struct lua_State *L, const struct measurement *m,
				void *judged /* json_t, consumed: what it was judged from */);

/* The array of finite numbers at idx, copied into a userdata pushed on the
 * stack (freed with it); anything else in it is a script error. */
double *harness_check_values(struct lua_State *L, int idx, size_t *n);

void luaopen_rig_api(struct lua_State *L);
void luaopen_rig_step(struct lua_State *L);
void luaopen_rig_bench(struct lua_State *L);
void luaopen_rig_batch(struct lua_State *L);

/* The shared balance of a batch (rig/script/lua_batch.c): taken by the
 * first rig.scale call of a step, released when the step ends. */
void batch_lock_balance(struct lua_State *L);
void batch_release_balance(struct lua_State *L);
void luaopen_rig_stats(struct lua_State *L);

/* Push a new step object for h->step (closed when the step ends). */
void harness_push_step(struct lua_State *L);
void harness_close_step(struct lua_State *L, int idx);

#endif
