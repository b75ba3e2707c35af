#ifndef RIG_SCRIPT_BINDING_H
#define RIG_SCRIPT_BINDING_H

/*
 * What the Lua bindings (lua_*.c) share: the harness state behind a Lua
 * state and the helpers every binding uses to report misuse, journal,
 * record measurements and stop for safety (binding.c, lua_step.c). The
 * harness (harness.c) opens the bindings; the bindings never call back into
 * it, so the dependencies run one way: harness.c -> lua_*.c -> binding.c.
 */
#include <stddef.h>

#include "rig/base/journal.h"
#include "rig/base/record.h"
#include "rig/station/station.h"

struct lua_State;

struct harness {
	struct lua_State *L;
	struct station *station;
	struct run_record *rec;
	struct journal *journal;
	const struct fixture *fx;
	char script_path[4096];
	char script_dir[4096];
	char run_dir[4096];
	int batch;                 /* answer prompts automatically */
	const char *answers;       /* --answers FILE: prompts answered by whoever writes it */
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
	/* Type A standard uncertainties of one shot, from the noise of this
	 * step's captures (the largest over its bursts; NAN before any):
	 * combined with the fixture's in every guard band (docs/measurement.md). */
	double type_a_depth_mm, type_a_volume_ul;
	int device_failed;         /* a hardware call failed (journaled) */
	char device_message[512];
};

/* ---- binding.c ---- */

/* The harness behind a Lua state. */
struct harness *harness_of(struct lua_State *L);

/* The message handler every protected call uses: adds file:line to
 * errors raised from C and appends the traceback. */
int harness_message_handler(struct lua_State *L);

/* luaL_error with printf formatting; Lua prefixes the calling script's
 * file:line. */
int harness_misuse(struct lua_State *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The string at idx (an argument: luaL_checklstring's rules), raising
 * "WHAT: not valid UTF-8 (...)" for text that may not enter the journal
 * (rig/base/utf8.h). harness_check_text: the same for a string in hand. */
const char *harness_text(struct lua_State *L, int idx, const char *what);
void harness_check_text(struct lua_State *L, const char *s, size_t n, const char *what);

/* Journal an event; a journal failure is fatal to the run (raises). */
void harness_journal(struct lua_State *L, const char *event, void *json_fields);

/* Record a failed hardware call: journal it, remember it, and return the
 * `nil, message` pair to the script (2 results pushed). */
int harness_device_failure(struct lua_State *L, int err, const char *what);

/* Raise the safety stop (does not return). */
int harness_safety_stop(struct lua_State *L, const char *message);

/* Keep a prompt, note or override in the record for the reports'
 * deviations (it is journaled by the caller). */
void harness_note(struct harness *h, const char *kind, const char *message, const char *answer);

/*
 * The guard band of quantity at value: the fixture's declared expanded
 * uncertainty combined in quadrature with k = 2 times the Type A standard
 * uncertainty of the step's captures (depth_mm and volume_ul; others get
 * the fixture's alone). A quantity whose U is a GUM budget takes the
 * budget's U alone: the budget states its Type A items itself.
 * docs/measurement.md, "Signal quality"; docs/msa.md.
 */
double harness_uncertainty(const struct harness *h, const char *quantity, double value);

/* ---- lua_step.c ---- */

/* Add a judged measurement to the current step and journal it. */
void harness_record_measurement(struct lua_State *L, const struct measurement *m,
				void *judged /* json_t, consumed: what it was judged from */);

/* The array of finite numbers at idx, copied into a userdata pushed on the
 * stack (freed with it); anything else in it is a script error. */
double *harness_check_values(struct lua_State *L, int idx, size_t *n);

/* Each binding's registration, in its lua_*.c. */
void luaopen_rig_api(struct lua_State *L);
void luaopen_rig_step(struct lua_State *L);
void luaopen_rig_station(struct lua_State *L);
void luaopen_rig_batch(struct lua_State *L);
void luaopen_rig_stats(struct lua_State *L);
void luaopen_rig_msa(struct lua_State *L);

/* ---- lua_batch.c ---- */

/* The shared balance of a batch: taken by the first rig.scale call of a
 * step, released when the step ends. */
void batch_lock_balance(struct lua_State *L);
void batch_release_balance(struct lua_State *L);

/* ---- lua_spec.c ---- */

/* When the value at idx (a module's return) declares a spec, bind the run
 * to it: its models must include the unit's (else a Lua error naming both).
 * 1 bound, 0 not a spec. Journaled as "spec". */
int harness_bind_spec(struct lua_State *L, int idx, const char *path);

/* ---- lua_step.c, continued ---- */

/* Push a new step object for h->step (closed when the step ends). */
void harness_push_step(struct lua_State *L);
void harness_close_step(struct lua_State *L, int idx);

#endif
