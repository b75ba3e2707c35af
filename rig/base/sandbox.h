#ifndef RIG_SANDBOX_H
#define RIG_SANDBOX_H

/*
 * Lua states for untrusted text: data files and test scripts. The state has
 * a memory cap (allocation fails past it, which Lua turns into an error),
 * only the harmless parts of the standard library (no io, no os.execute,
 * no load/dofile/require of C code, text chunks only) and a count hook that
 * stops runaway code after an instruction budget or when the process was
 * asked to stop (rig/base/interrupt.h). Scripts cannot set __gc finalizers:
 * Lua runs those with hooks off, out of the budget's reach.
 */
#include <stddef.h>

struct lua_State;

#define SANDBOX_DEFAULT_MEMORY (256u << 20)

struct lua_State *sandbox_new(size_t max_bytes);
void sandbox_close(struct lua_State *L);

/* Hide the metatable on the stack top from getmetatable/setmetatable, so a
 * script cannot give rig's own objects a finalizer. */
void sandbox_lock_metatable(struct lua_State *L);

/* Allow this many more VM instructions (0: no budget) before the running
 * chunk is stopped with "instruction budget exceeded". */
void sandbox_set_budget(struct lua_State *L, unsigned long long instructions);

/* Stop the running chunk with "time limit of N s exceeded (what)" once the
 * monotonic clock passes now + seconds (0: no limit). `what` names the
 * setting to change, e.g. "--step-timeout". */
void sandbox_set_deadline(struct lua_State *L, double seconds, const char *what);

/* Load text (never bytecode) as a chunk named "@name" with the state's
 * global table as its environment; like luaL_loadbufferx. */
int sandbox_load(struct lua_State *L, const char *text, size_t len, const char *name);

/* msg with a file name Lua shortened to "...tail" (a long path) put back
 * whole, in buf; msg itself when there is none. Allocates nothing. */
const char *sandbox_full_name(struct lua_State *L, const char *msg, char *buf, size_t len);

/* lua_pcall with a traceback handler; on error the message (with the
 * traceback when want_traceback) is left on the stack. */
int sandbox_pcall(struct lua_State *L, int nargs, int nresults, int want_traceback);

#endif
