#include "rig/base/sandbox.h"

#include "rig/base/interrupt.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct budget {
	size_t used, max;
	unsigned long long instructions_left; /* 0: unlimited */
	struct timespec deadline;             /* tv_sec 0: none */
	double limit_s;
	char limit_what[32];
};

/* The hook runs every HOOK_STRIDE instructions: cheap, yet a tight loop is
 * stopped within microseconds of its budget. */
#define HOOK_STRIDE 1000

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct budget *b = ud;

	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		b->used -= osize;
		return NULL;
	}
	if (nsize > osize && b->used + (nsize - osize) > b->max)
		return NULL;
	ptr = realloc(ptr, nsize);
	if (ptr)
		b->used = b->used - osize + nsize;
	return ptr;
}

static struct budget *budget_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

/* Raise from a hook with the position of the code being run (level 0
 * here; luaL_error would name its caller, often a C function). */
static void stop(lua_State *L, const char *why)
{
	luaL_where(L, 0);
	lua_pushstring(L, why);
	lua_concat(L, 2);
	lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct budget *b = budget_of(L);

	(void)ar;
	if (interrupt_requested())
		stop(L, "interrupted");
	if (b->instructions_left) {
		if (b->instructions_left <= HOOK_STRIDE)
			stop(L, "instruction budget exceeded (endless loop?)");
		b->instructions_left -= HOOK_STRIDE;
	}
	if (b->deadline.tv_sec) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		if (now.tv_sec > b->deadline.tv_sec ||
		    (now.tv_sec == b->deadline.tv_sec && now.tv_nsec >= b->deadline.tv_nsec)) {
			char msg[96];

			snprintf(msg, sizeof(msg), "time limit of %g s exceeded (%s)", b->limit_s,
				 b->limit_what);
			stop(L, msg);
		}
	}
}

static void open_lib(lua_State *L, const char *name, lua_CFunction open)
{
	luaL_requiref(L, name, open, 1);
	lua_pop(L, 1);
}

static void remove_field(lua_State *L, const char *table, const char *field)
{
	if (table) {
		lua_getglobal(L, table);
		lua_pushnil(L);
		lua_setfield(L, -2, field);
		lua_pop(L, 1);
	} else {
		lua_pushnil(L);
		lua_setglobal(L, field);
	}
}

/* os.time/os.clock/os.date are harmless and scripts want timestamps. */
static void open_safe_os(lua_State *L)
{
	static const char *const keep[] = { "time", "clock", "date", "difftime", NULL };

	open_lib(L, LUA_OSLIBNAME, luaopen_os);
	lua_getglobal(L, "os");
	lua_newtable(L);
	for (const char *const *k = keep; *k; k++) {
		lua_getfield(L, -2, *k);
		lua_setfield(L, -2, *k);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);
}

/*
 * setmetatable without __gc: Lua runs finalizers with hooks off, so an
 * endless finalizer would escape the instruction budget, the time limit and
 * SIGTERM alike, and hang the station.
 */
static int no_gc_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc finalizers are not allowed (they would run "
					     "outside the time limit)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void guard_setmetatable(lua_State *L)
{
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, no_gc_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
}

lua_State *sandbox_new(size_t max_bytes)
{
	static const char *const unsafe[] = { "dofile", "loadfile", "load", "require",
					      "collectgarbage", NULL };
	struct budget *b = calloc(1, sizeof(*b));
	lua_State *L;

	if (!b)
		return NULL;
	b->max = max_bytes ? max_bytes : SANDBOX_DEFAULT_MEMORY;
	L = lua_newstate(capped_alloc, b);
	if (!L) {
		free(b);
		return NULL;
	}
	open_lib(L, LUA_GNAME, luaopen_base);
	guard_setmetatable(L);
	open_lib(L, LUA_STRLIBNAME, luaopen_string);
	open_lib(L, LUA_TABLIBNAME, luaopen_table);
	open_lib(L, LUA_MATHLIBNAME, luaopen_math);
	open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
	open_safe_os(L);
	for (const char *const *u = unsafe; *u; u++)
		remove_field(L, NULL, *u);
	remove_field(L, "string", "dump");
	lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_STRIDE);
	return L;
}

void sandbox_lock_metatable(lua_State *L)
{
	lua_pushliteral(L, "locked");
	lua_setfield(L, -2, "__metatable");
}

void sandbox_close(lua_State *L)
{
	struct budget *b;

	if (!L)
		return;
	b = budget_of(L);
	lua_close(L);
	free(b);
}

void sandbox_set_budget(lua_State *L, unsigned long long instructions)
{
	budget_of(L)->instructions_left = instructions;
}

void sandbox_set_deadline(lua_State *L, double seconds, const char *what)
{
	struct budget *b = budget_of(L);

	memset(&b->deadline, 0, sizeof(b->deadline));
	if (!(seconds > 0))
		return;
	if (seconds > 1e9) /* past any run; and time_t must hold it */
		seconds = 1e9;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &b->deadline);
	b->deadline.tv_sec += (time_t)seconds;
	b->deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (b->deadline.tv_nsec >= 1000000000L) {
		b->deadline.tv_sec++;
		b->deadline.tv_nsec -= 1000000000L;
	}
	b->limit_s = seconds;
	snprintf(b->limit_what, sizeof(b->limit_what), "%s", what);
}

/* Registry key of { [name as Lua shows it] = full file name }. */
static const char long_names;

/* Lua shortens a long file name in its messages to "...tail" (LUA_IDSIZE);
 * remember the full one under that short form, so rig can name the file as
 * it was given. Protected: the state may be out of memory. */
static int remember_name(lua_State *L)
{
	const char *chunkname = lua_touserdata(L, 1);
	lua_Debug ar;

	if (luaL_loadbufferx(L, "", 0, chunkname, "t") != LUA_OK)
		return 0;
	lua_getinfo(L, ">S", &ar);
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &long_names) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &long_names);
	}
	lua_pushstring(L, chunkname + 1);
	lua_setfield(L, -2, ar.short_src);
	return 0;
}

const char *sandbox_full_name(lua_State *L, const char *msg, char *buf, size_t len)
{
	const char *found = NULL;

	if (!msg || strncmp(msg, "...", 3) != 0)
		return msg;
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &long_names) != LUA_TTABLE) {
		lua_pop(L, 1);
		return msg;
	}
	lua_pushnil(L);
	while (!found && lua_next(L, -2)) {
		size_t n;
		const char *s = lua_tolstring(L, -2, &n);

		if (!strncmp(msg, s, n) && msg[n] == ':') {
			snprintf(buf, len, "%s%s", lua_tostring(L, -1), msg + n);
			found = buf;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1); /* the table */
	return found ? found : msg;
}

int sandbox_load(lua_State *L, const char *text, size_t len, const char *name)
{
	char chunkname[4200], full[4800];
	int rc;

	chunkname[0] = '@';
	strncpy(chunkname + 1, name, sizeof(chunkname) - 2);
	chunkname[sizeof(chunkname) - 1] = '\0';
	if (strlen(chunkname) >= LUA_IDSIZE) {
		lua_pushcfunction(L, remember_name);
		lua_pushlightuserdata(L, chunkname);
		if (lua_pcall(L, 1, 0, 0) != LUA_OK)
			lua_pop(L, 1);
	}
	rc = luaL_loadbufferx(L, text, len, chunkname, "t");
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);

		if (sandbox_full_name(L, msg, full, sizeof(full)) != msg) {
			lua_pop(L, 1);
			lua_pushstring(L, full);
		}
	}
	return rc;
}

static int traceback_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) /* error object is not a string: keep it as it is */
		return 1;
	luaL_traceback(L, L, msg, 1);
	return 1;
}

int sandbox_pcall(lua_State *L, int nargs, int nresults, int want_traceback)
{
	int base = lua_gettop(L) - nargs;
	int rc;

	if (!want_traceback)
		return lua_pcall(L, nargs, nresults, 0);
	lua_pushcfunction(L, traceback_handler);
	lua_insert(L, base);
	rc = lua_pcall(L, nargs, nresults, base);
	lua_remove(L, base);
	return rc;
}
