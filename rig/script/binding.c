/* The helpers every Lua binding shares (rig/script/binding.h). */
#include "rig/script/binding.h"

#include <jansson.h>
#include <lauxlib.h>
#include <math.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/base/interrupt.h"
#include "rig/base/sandbox.h"
#include "rig/base/timefmt.h"
#include "rig/base/utf8.h"

/* The error object of a safety stop: unique, not a string, so pcall in a
 * script cannot mistake it for an ordinary error message. */
static const char safety_sentinel;

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

void harness_check_text(lua_State *L, const char *s, size_t n, const char *what)
{
	char why[96];

	if (utf8_problem(s, n, why, sizeof(why)))
		harness_misuse(L, "%s: %s", what, why);
}

const char *harness_text(lua_State *L, int idx, const char *what)
{
	size_t n;
	const char *s = luaL_checklstring(L, idx, &n);

	harness_check_text(L, s, n, what);
	return s;
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
	/* An error message is journaled: bytes that are not UTF-8 in it (the
	 * script's own error("...")) are shown as \xNN, never dropped. */
	if (utf8_problem(msg, strlen(msg), pos, sizeof(pos))) {
		luaL_Buffer b;
		size_t n = strlen(msg);
		char *out = luaL_buffinitsize(L, &b, 4 * n + 1);

		luaL_pushresultsize(&b, utf8_escape(msg, n, out));
		msg = lua_tostring(L, -1);
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
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

double harness_uncertainty(const struct harness *h, const char *quantity, double value)
{
	double u = fixture_uncertainty(h->fx, quantity, value), a = NAN;

	/* A GUM budget states its Type A components itself (docs/msa.md: the
	 * capture's noise is one of its items): its U stands as it is, or the
	 * noise would count twice. */
	for (size_t i = 0; i < h->fx->nuncertainties; i++)
		if (!strcmp(h->fx->uncertainties[i].quantity, quantity) &&
		    h->fx->uncertainties[i].budget.n > 0)
			return u;
	if (!strcmp(quantity, "depth_mm"))
		a = h->type_a_depth_mm;
	else if (!strcmp(quantity, "volume_ul"))
		a = h->type_a_volume_ul;
	return isfinite(a) && a > 0 ? sqrt(u * u + 4 * a * a) : u;
}
