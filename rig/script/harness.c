#include "rig/script/harness.h"

#include <jansson.h>
#include <lauxlib.h>
#include <libgen.h>
#include <math.h>
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
#include "rig/base/utf8.h"
#include "rig/base/watchdog.h"

/* Scripts are text a person reads; anything bigger is a mistake. */
#define SCRIPT_MAX_BYTES (1u << 20)
#define SCRIPT_MEMORY SANDBOX_DEFAULT_MEMORY 
#define LUA_STACK_DEPTH 200        /* C stack levels for nested calls */

void harness_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	h->step_budget = 2000000000ull;
	h->step_timeout_s = 600;
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
	/* A place too deep to name the module in holds none we could load. */
	if (path_join(out, len, h->script_dir, rel) == 0 && access(out, R_OK) == 0)
		return 0;
	if (paths_find_data("scripts", base, sizeof(base)) == 0 &&
	    path_join(out, len, base, rel) == 0 && access(out, R_OK) == 0)
		return 0;
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
	/* "specs..mi350" would load specs/mi350.lua a second time, under
	 * another name, with state of its own. */
	if (name[0] == '.' || strstr(name, "..") || (name[0] && name[strlen(name) - 1] == '.'))
		return harness_misuse(L, "module name '%s' has an empty part (a leading, trailing "
				      "or doubled '.')", name);
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
	luaopen_rig_station(L);
	luaopen_rig_stats(L);
	luaopen_rig_batch(L);
	luaopen_rig_msa(L);
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

/* The watchdog's last words: the run ends ABORTED in its journal, and
 * journal_append_final keeps appends locked, so nothing follows run_end. */
static void journal_abort(void *journal, const char *message)
{
	journal_append_final(journal, "run_end",
			     json_pack("{s:s, s:s}", "verdict", "ABORTED", "error", message));
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
	watchdog_set_last_words(journal_abort, h->journal);
	sandbox_watch(h->L, h->script_path);
	rc = lua_pcall(h->L, 0, 0, 1);
	sandbox_unwatch(h->L);
	watchdog_set_last_words(NULL, NULL);
	if (rc == LUA_OK)
		return h->safety_stopped ? rig_error(RIG_ERR_SAFETY, "%s", h->safety_message) : 0;
	if (h->safety_stopped)
		return rig_error(RIG_ERR_SAFETY, "%s", h->safety_message);
	if (!lua_isstring(h->L, -1))
		return rig_error(RIG_ERR_INVALID, "%s: script raised a non-string error",
				 h->script_path);
	first_line(lua_tostring(h->L, -1), line, sizeof(line));
	/* The traceback is the record of what went wrong: a run that could not
	 * journal it is a records failure, named with the script's error. */
	rc = journal_append(h->journal, "script_error",
			    json_pack("{s:s}", "traceback", lua_tostring(h->L, -1)));
	if (rc) {
		char why[512];

		snprintf(why, sizeof(why), "%s", rig_last_error());
		return rig_error(rc, "%s (and its traceback could not be journaled: %s)", line, why);
	}
	if (interrupt_requested())
		return rig_error(RIG_ERR_ABORTED, "interrupted by a signal");
	return rig_error(RIG_ERR_INVALID, "%s", line);
}

void harness_release(struct harness *h)
{
	sandbox_close(h->L);
	h->L = NULL;
}
