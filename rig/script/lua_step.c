/*
 * The step object a step function receives: s:judge(...) turns values into
 * a judged measurement of the step, s:log(...) notes in the journal. It is
 * closed when its step ends; using it later is a script error.
 */
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/script/binding.h"
#include "rig/stats/judge.h"
#include "rig/base/record_json.h"
#include "rig/base/sandbox.h"

#define STEP_MT "rig.step"
#define JUDGE_MAX_VALUES 10000000

struct step_handle {
	size_t index;   /* into the run record's steps */
	int closed;
};

static struct step_handle *check_step(lua_State *L)
{
	struct step_handle *sh = luaL_checkudata(L, 1, STEP_MT);

	if (sh->closed)
		harness_misuse(L, "this step has ended; use the step object only inside its function");
	return sh;
}

static struct step_record *record_of(lua_State *L, struct step_handle *sh)
{
	return &harness_of(L)->rec->steps[sh->index];
}

void harness_record_measurement(lua_State *L, const struct measurement *m, void *judged)
{
	struct harness *h = harness_of(L);
	struct measurement *slot;
	json_t *j;

	if (!h->step)
		harness_misuse(L, "measurements belong to a step");
	slot = step_add_measurement(h->step);
	if (!slot)
		luaL_error(L, "out of memory");
	*slot = *m;
	j = measurement_to_json(m);
	json_object_set_new(j, "step", json_string(h->step->id));
	/* What it was judged from, so that rig verify judges it again. */
	json_object_set_new(j, "judged", (json_t *)judged);
	harness_journal(L, "measurement", j);
}

/* Read {lo = , hi = } (either may be absent) from field key of the table at idx. */
static int read_limits(lua_State *L, int idx, const char *key, double *lo, double *hi)
{
	int t;

	if (lua_getfield(L, idx, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	t = lua_gettop(L);
	if (!lua_istable(L, t))
		harness_misuse(L, "acceptance.%s must be a table {lo = ..., hi = ...}", key);
	lua_getfield(L, t, "lo");
	lua_getfield(L, t, "hi");
	if ((!lua_isnil(L, -2) && lua_type(L, -2) != LUA_TNUMBER) ||
	    (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TNUMBER))
		harness_misuse(L, "acceptance.%s.lo/hi must be numbers", key);
	if (lua_isnil(L, -2) && lua_isnil(L, -1))
		harness_misuse(L, "acceptance.%s needs lo, hi or both", key);
	*lo = lua_isnil(L, -2) ? NAN : lua_tonumber(L, -2);
	*hi = lua_isnil(L, -1) ? NAN : lua_tonumber(L, -1);
	/* NaN stands for "no limit" inside rig: a computed NaN or inf must not
	 * pass for one. */
	if ((!lua_isnil(L, -2) && !isfinite(*lo)) || (!lua_isnil(L, -1) && !isfinite(*hi)))
		harness_misuse(L, "acceptance.%s: lo and hi must be finite numbers (leave one out "
			       "for a one-sided limit)", key);
	if (*lo > *hi)
		harness_misuse(L, "acceptance.%s: lo %g is above hi %g", key, *lo, *hi);
	lua_pop(L, 2);
	return 1;
}

/* Raise for a key of the table at idx that is not in known (NULL-ended). */
static void check_keys(lua_State *L, int idx, const char *what, const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		size_t i;

		lua_pop(L, 1);
		for (i = 0; known[i]; i++)
			if (lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), known[i]))
				break;
		if (!known[i])
			harness_misuse(L, "%s has an unknown field '%s'", what,
				       luaL_tolstring(L, -1, NULL));
	}
}

static double read_fraction(lua_State *L, int idx, const char *what, const char *key,
			    double fallback, double lo)
{
	double v = fallback;

	if (lua_getfield(L, idx, key) != LUA_TNIL) {
		if (!lua_isnumber(L, -1) || !(lua_tonumber(L, -1) >= lo && lua_tonumber(L, -1) < 1))
			harness_misuse(L, "%s.%s must be a number in %s0, 1)", what, key,
				       lo > 0 ? "(" : "[");
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* confidence, coverage, method, normality_alpha: in acceptance.ti (the
 * spec) or in s:judge's options (the procedure overriding the spec). */
static void read_ti_options(lua_State *L, int idx, const char *what, struct acceptance *a)
{
	a->confidence = read_fraction(L, idx, what, "confidence", a->confidence, 1e-300);
	a->coverage = read_fraction(L, idx, what, "coverage", a->coverage, 1e-300);
	a->normality_alpha = read_fraction(L, idx, what, "normality_alpha", a->normality_alpha, 0);
	if (lua_getfield(L, idx, "method") != LUA_TNIL) {
		const char *m = lua_tostring(L, -1);

		if (!lua_isstring(L, -1))
			harness_misuse(L, "%s.method must be a string", what);
		a->distribution_free = !strcmp(m, "distribution-free");
		if (!a->distribution_free && stats_k_method_parse(m, &a->method) != 0)
			harness_misuse(L, "%s.method: %s or distribution-free", what,
				       rig_last_error());
	}
	lua_pop(L, 1);
}

static void read_acceptance(lua_State *L, int idx, struct acceptance *a)
{
	static const char *const known[] = { "requirement", "unit", "target", "mean", "ti",
					     "each", "count", NULL };
	static const char *const ti_known[] = { "lo", "hi", "confidence", "coverage", "method",
						"normality_alpha", NULL };
	int any = 0;

	acceptance_init(a);
	luaL_checktype(L, idx, LUA_TTABLE);
	check_keys(L, idx, "acceptance", known);
	lua_getfield(L, idx, "requirement");
	if (!lua_isstring(L, -1))
		harness_misuse(L, "acceptance needs a requirement ID");
	snprintf(a->requirement, sizeof(a->requirement), "%s", lua_tostring(L, -1));
	lua_getfield(L, idx, "unit");
	if (lua_isstring(L, -1))
		harness_check_text(L, lua_tostring(L, -1), lua_rawlen(L, -1), "acceptance.unit");
	snprintf(a->unit, sizeof(a->unit), "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
	lua_getfield(L, idx, "target");
	a->target = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
	if (lua_isnumber(L, -1) && !isfinite(a->target))
		harness_misuse(L, "acceptance.target must be a finite number");
	lua_getfield(L, idx, "count");
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
			harness_misuse(L, "acceptance.count must be a whole number >= 0");
		a->count = (long)lua_tointeger(L, -1);
		any = 1;
	}
	lua_pop(L, 4);
	any |= read_limits(L, idx, "mean", &a->mean_lo, &a->mean_hi);
	any |= read_limits(L, idx, "each", &a->each_lo, &a->each_hi);
	if (read_limits(L, idx, "ti", &a->ti_lo, &a->ti_hi)) {
		lua_getfield(L, idx, "ti");
		check_keys(L, lua_gettop(L), "acceptance.ti", ti_known);
		read_ti_options(L, lua_gettop(L), "acceptance.ti", a);
		lua_pop(L, 1);
		any = 1;
	}
	if (!any)
		harness_misuse(L, "acceptance for %s states no criterion (mean, ti, each or count)",
			       a->requirement);
}

double *harness_check_values(lua_State *L, int idx, size_t *n)
{
	double *x;

	luaL_checktype(L, idx, LUA_TTABLE);
	*n = (size_t)lua_rawlen(L, idx);
	if (*n > JUDGE_MAX_VALUES)
		harness_misuse(L, "too many values to judge (%zu, at most %d)", *n, JUDGE_MAX_VALUES);
	x = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof(*x), 0);
	for (size_t i = 0; i < *n; i++) {
		int isnum;

		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		x[i] = lua_tonumberx(L, -1, &isnum);
		lua_pop(L, 1);
		if (!isnum || !isfinite(x[i]))
			harness_misuse(L, "value %zu to judge is not a finite number", i + 1);
	}
	return x;
}

static void push_measurement(lua_State *L, const struct measurement *m)
{
	const struct {
		const char *key;
		double v;
	} f[] = {
		{ "n", (double)m->n }, { "mean", m->mean },   { "sd", m->sd },
		{ "min", m->min },     { "max", m->max },     { "ti_lo", m->ti_lo },
		{ "ti_hi", m->ti_hi }, { "k", m->k },         { "cpk", m->cpk },
		{ "cpk_lo", m->cpk_lo }, { "guard_band", m->guard_band },
		{ "uncertainty", m->uncertainty }, { "normality_p", m->normality_p },
	};

	lua_createtable(L, 0, 16);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		lua_pushnumber(L, f[i].v);
		lua_setfield(L, -2, f[i].key);
	}
	lua_pushstring(L, verdict_name(m->verdict));
	lua_setfield(L, -2, "verdict");
	lua_pushstring(L, m->reason);
	lua_setfield(L, -2, "reason");
	lua_pushstring(L, m->ti_method);
	lua_setfield(L, -2, "ti_method");
}

/* s:judge's 4th argument: overrides of the spec's TI options. */
static void read_options(lua_State *L, int idx, struct acceptance *a)
{
	static const char *const known[] = { "confidence", "coverage", "method",
					     "normality_alpha", NULL };

	if (lua_isnoneornil(L, idx))
		return;
	luaL_checktype(L, idx, LUA_TTABLE);
	check_keys(L, idx, "judge options", known);
	read_ti_options(L, idx, "judge options", a);
}

/* s:judge(name, values, acceptance[, options]) -> verdict, measurement table */
static int l_judge(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *name;
	struct acceptance a;
	struct measurement m;
	double *x, u;
	size_t n;

	check_step(L);
	lua_settop(L, 5); /* options may be absent; scratch space goes above */
	name = harness_text(L, 2, "step:judge: measurement name");
	if (strlen(name) == 0 || strlen(name) >= sizeof(m.name))
		return harness_misuse(L, "measurement name must be 1 to %zu characters",
				      sizeof(m.name) - 1);
	x = harness_check_values(L, 3, &n);
	read_acceptance(L, 4, &a);
	read_options(L, 5, &a);
	measurement_init(&m);
	snprintf(m.name, sizeof(m.name), "%s", name);
	u = harness_uncertainty(h, name, acceptance_setting(&a));
	if (judge_sample_u(x, n, &a, h->fx, u, &m) != 0)
		return harness_misuse(L, "%s", rig_last_error());
	if (h->step && step_keep_values(h->step, &m, x, n) != 0)
		return luaL_error(L, "%s", rig_last_error());
	/* guard_u: the U the guard band was made of (fixture and Type A), so
	 * a re-judgement uses the same (rig/run/rederive.c). */
	harness_record_measurement(L, &m,
				   json_pack("{s:s, s:o, s:o, s:f}", "kind", "sample", "values",
					     json_doubles(x, n), "acceptance", acceptance_to_json(&a),
					     "guard_u", u));
	lua_pushstring(L, verdict_name(m.verdict));
	push_measurement(L, &m);
	return 2;
}

/* s:log(message): a note in the journal and in the record's list, as
 * rig.log's, so that the reports rig verify rebuilds from the journal
 * (which lists every log event) are the ones the run wrote. */
static int l_log(lua_State *L)
{
	struct step_handle *sh = check_step(L);
	struct harness *h = harness_of(L);
	struct step_record *now = h->step;
	const char *msg = harness_text(L, 2, "step:log: message");

	harness_journal(L, "log", json_pack("{s:s, s:s}", "step", record_of(L, sh)->id, "message",
					     msg));
	h->step = record_of(L, sh); /* the note names the step the journal names */
	harness_note(h, "log", msg, NULL);
	h->step = now;
	return 0;
}

static int l_index(lua_State *L)
{
	struct step_handle *sh = luaL_checkudata(L, 1, STEP_MT);
	struct step_record *s = record_of(L, sh);
	const char *key = luaL_checkstring(L, 2);

	if (!strcmp(key, "id"))
		lua_pushstring(L, s->id);
	else if (!strcmp(key, "requirement"))
		lua_pushstring(L, s->requirement);
	else if (!strcmp(key, "label"))
		lua_pushstring(L, s->label);
	else if (!strcmp(key, "depth_mm"))
		lua_pushnumber(L, s->setting.depth_mm);
	else if (!strcmp(key, "dose_ul"))
		lua_pushnumber(L, s->setting.dose_ul);
	else if (!strcmp(key, "rate_per_min"))
		lua_pushnumber(L, s->setting.rate_per_min);
	else if (luaL_getmetafield(L, 1, "methods") == LUA_TTABLE)
		lua_getfield(L, -1, key);
	else
		lua_pushnil(L);
	return 1;
}

void harness_push_step(lua_State *L)
{
	struct harness *h = harness_of(L);
	struct step_handle *sh = lua_newuserdatauv(L, sizeof(*sh), 0);

	sh->index = h->step_index;
	sh->closed = 0;
	luaL_setmetatable(L, STEP_MT);
}

void harness_close_step(lua_State *L, int idx)
{
	struct step_handle *sh = luaL_checkudata(L, idx, STEP_MT);

	sh->closed = 1;
}

void luaopen_rig_step(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "judge", l_judge },
		{ "log", l_log },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, STEP_MT);
	lua_pushcfunction(L, l_index);
	lua_setfield(L, -2, "__index");
	sandbox_lock_metatable(L);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "methods");
	lua_pop(L, 1);
}
