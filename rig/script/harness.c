#include "rig/script/harness.h"

#include <jansson.h>
#include <lauxlib.h>
#include <libgen.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/interrupt.h"
#include "rig/base/paths.h"
#include "rig/base/sandbox.h"
#include "rig/base/timefmt.h"

/* Scripts are text a person reads; anything bigger is a mistake. */
#define SCRIPT_MAX_BYTES (1u << 20)
#define SCRIPT_MEMORY (512u << 20)
#define LUA_STACK_DEPTH 200        /* C stack levels for nested calls */

/* The error object of a safety stop: unique, not a string, so pcall in a
 * script cannot mistake it for an ordinary error message. */
static const char safety_sentinel;

void harness_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	h->step_budget = 2000000000ull;
	h->step_timeout_s = 600;
}

struct harness *harness_of(lua_State *L)
{
	return *(struct harness **)lua_getextraspace(L);
}

/* "file:line:" of the innermost Lua function on the stack, or "". */
static void where(lua_State *L, char *buf, size_t len)
{
	lua_Debug ar;

	buf[0] = '\0';
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			snprintf(buf, len, "%s:%d: ", ar.short_src, ar.currentline);
			return;
		}
	}
}

int harness_misuse(lua_State *L, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* luaL_error prefixes the position of the script line that called us. */
	return luaL_error(L, "%s", msg);
}

void harness_journal(lua_State *L, const char *event, void *json_fields)
{
	struct harness *h = harness_of(L);

	if (journal_append(h->journal, event, json_fields) != 0)
		luaL_error(L, "%s", rig_last_error());
}

int harness_device_failure(lua_State *L, int err, const char *what)
{
	struct harness *h = harness_of(L);
	char msg[512];

	if (err == RIG_ERR_ABORTED || interrupt_requested())
		return luaL_error(L, "interrupted");
	snprintf(msg, sizeof(msg), "%s: %s", what, rig_last_error());
	h->device_failed = 1;
	snprintf(h->device_message, sizeof(h->device_message), "%s", msg);
	harness_journal(L, "device_error",
			json_pack("{s:s, s:s, s:s}", "step", h->step ? h->step->id : "", "error",
				  rig_strerror(err), "message", msg));
	luaL_pushfail(L);
	lua_pushstring(L, msg);
	return 2;
}

int harness_safety_stop(lua_State *L, const char *message)
{
	struct harness *h = harness_of(L);

	h->safety_stopped = 1;
	snprintf(h->safety_message, sizeof(h->safety_message), "%s", message);
	harness_journal(L, "safety_stop",
			json_pack("{s:s, s:s}", "step", h->step ? h->step->id : "", "message",
				  message));
	lua_pushlightuserdata(L, (void *)&safety_sentinel);
	return lua_error(L);
}

/* Does msg start with "chunk:line:"? */
static int has_position(const char *msg)
{
	const char *colon = strchr(msg, ':');
	const char *space = strpbrk(msg, " \n");
	const char *p;

	if (!colon || colon == msg || (space && space < colon))
		return 0;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		;
	return p > colon + 1 && *p == ':';
}

/* Message handler: give position-less errors (raised from C) the script's
 * file:line, and keep the traceback for the journal. */
int harness_message_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	char pos[600], full[4800];

	if (lua_touserdata(L, 1) == &safety_sentinel)
		return 1;
	if (!msg) /* error({}) and the like: a step ends ERROR all the same */
		msg = lua_pushfstring(L, "error raised with a %s value, not a message",
				      luaL_typename(L, 1));
	where(L, pos, sizeof(pos));
	if (pos[0] && !has_position(msg))
		msg = lua_pushfstring(L, "%s%s", pos, msg);
	msg = lua_pushstring(L, sandbox_full_name(L, msg, full, sizeof(full)));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* ---- require: modules from the script's folder and the installed scripts ---- */

static int module_path(struct harness *h, const char *name, char *out, size_t len)
{
	char rel[256], base[4096];
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof(rel) - 5)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		if (c && !(c == '_' || c == '.' || c == '-' || (c >= '0' && c <= '9') ||
			   (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return -1;
		rel[i] = c == '.' ? '/' : c;
	}
	strcat(rel, ".lua");
	snprintf(out, len, "%.3800s/%s", h->script_dir, rel);
	if (access(out, R_OK) == 0)
		return 0;
	if (paths_find_data("scripts", base, sizeof(base)) == 0) {
		snprintf(out, len, "%.3800s/%s", base, rel);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* Specs and libraries are part of the procedure: record and journal their hashes. */
static void note_module(lua_State *L, const char *path, const char *text, size_t len)
{
	struct run_record *r = harness_of(L)->rec;

	for (size_t i = 0; i < r->nmodules; i++)
		if (!strcmp(r->modules[i].path, path))
			return;
	if (r->nmodules == sizeof(r->modules) / sizeof(r->modules[0]))
		return;
	snprintf(r->modules[r->nmodules].path, sizeof(r->modules[0].path), "%s", path);
	sha256_hex(text, len, r->modules[r->nmodules].sha256);
	harness_journal(L, "module", json_pack("{s:s, s:s}", "path", path, "sha256",
					      r->modules[r->nmodules].sha256));
	r->nmodules++;
}

static int lua_require(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *name = luaL_checkstring(L, 1);
	char path[4096];
	char *text;
	size_t len;

	lua_getfield(L, LUA_REGISTRYINDEX, "rig.loaded");
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	if (module_path(h, name, path, sizeof(path)) != 0)
		return harness_misuse(L, "module '%s' not found (looked in %s and the installed "
					 "scripts)", name, h->script_dir);
	if (file_read_all(path, SCRIPT_MAX_BYTES, &text, &len) != 0)
		return harness_misuse(L, "%s", rig_last_error());
	if (sandbox_load(L, text, len, path) != LUA_OK) {
		free(text);
		return lua_error(L);
	}
	note_module(L, path, text, len);
	free(text);
	lua_pushstring(L, name);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	harness_bind_spec(L, -1, path);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, name);
	return 1;
}

static int open_state(struct harness *h)
{
	lua_State *L = sandbox_new(SCRIPT_MEMORY);

	if (!L)
		return rig_error(RIG_ERR_NOMEM, "cannot create the Lua state");
	h->L = L;
	*(struct harness **)lua_getextraspace(L) = h;
	luaL_checkstack(L, LUA_STACK_DEPTH, NULL);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "rig.loaded");
	lua_pushcfunction(L, lua_require);
	lua_setglobal(L, "require");
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setglobal(L, "rig");
	luaopen_rig_api(L);
	luaopen_rig_step(L);
	luaopen_rig_bench(L);
	luaopen_rig_stats(L);
	luaopen_rig_batch(L);
	lua_pop(L, 1);
	return 0;
}

/* The first line of a Lua error message (the rest is the traceback). */
static void first_line(const char *msg, char *out, size_t len)
{
	size_t n = strcspn(msg, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(out, msg, n);
	out[n] = '\0';
}

int harness_check_script(const char *path)
{
	lua_State *L;
	char *text, line[600];
	size_t len;
	int rc = file_read_all(path, SCRIPT_MAX_BYTES, &text, &len);

	if (rc)
		return rc;
	L = sandbox_new(SCRIPT_MEMORY);
	if (!L) {
		free(text);
		return rig_error(RIG_ERR_NOMEM, "cannot create the Lua state");
	}
	if (sandbox_load(L, text, len, path) != LUA_OK) {
		first_line(lua_tostring(L, -1), line, sizeof(line));
		rc = rig_error(RIG_ERR_INVALID, "%s", line);
	}
	sandbox_close(L);
	free(text);
	return rc;
}

int harness_run(struct harness *h)
{
	char *text = NULL, dir[4096], line[600];
	size_t len;
	int rc;

	snprintf(dir, sizeof(dir), "%s", h->script_path);
	snprintf(h->script_dir, sizeof(h->script_dir), "%s", dirname(dir));
	if ((rc = file_read_all(h->script_path, SCRIPT_MAX_BYTES, &text, &len)) != 0)
		return rc;
	if ((rc = open_state(h)) != 0) {
		free(text);
		return rc;
	}
	lua_pushcfunction(h->L, harness_message_handler);
	if (sandbox_load(h->L, text, len, h->script_path) != LUA_OK) {
		free(text);
		first_line(lua_tostring(h->L, -1), line, sizeof(line));
		return rig_error(RIG_ERR_INVALID, "%s", line);
	}
	free(text);
	sandbox_set_budget(h->L, h->step_budget);
	sandbox_set_deadline(h->L, h->step_timeout_s, "--step-timeout");
	rc = lua_pcall(h->L, 0, 0, 1);
	if (rc == LUA_OK)
		return h->safety_stopped ? rig_error(RIG_ERR_SAFETY, "%s", h->safety_message) : 0;
	if (h->safety_stopped)
		return rig_error(RIG_ERR_SAFETY, "%s", h->safety_message);
	if (!lua_isstring(h->L, -1))
		return rig_error(RIG_ERR_INVALID, "%s: script raised a non-string error",
				 h->script_path);
	first_line(lua_tostring(h->L, -1), line, sizeof(line));
	journal_append(h->journal, "script_error",
		       json_pack("{s:s}", "traceback", lua_tostring(h->L, -1)));
	if (interrupt_requested())
		return rig_error(RIG_ERR_ABORTED, "interrupted by a signal");
	return rig_error(RIG_ERR_INVALID, "%s", line);
}

void harness_note(struct harness *h, const char *kind, const char *message, const char *answer)
{
	struct run_note *n = run_record_add_note(h->rec);

	if (!n)
		return; /* the journal has it; only the reports' list is short */
	snprintf(n->kind, sizeof(n->kind), "%s", kind);
	snprintf(n->step, sizeof(n->step), "%s", h->step ? h->step->id : "");
	snprintf(n->message, sizeof(n->message), "%s", message);
	snprintf(n->answer, sizeof(n->answer), "%s", answer ? answer : "");
	time_format_iso(time(NULL), n->time, sizeof(n->time));
}

void harness_release(struct harness *h)
{
	sandbox_close(h->L);
	h->L = NULL;
}
