/*
 * rig.msa: gauge studies for measurement-system analysis procedures
 * (scripts/msa.lua, docs/msa.md). grr and type1 analyse values the script
 * measured; load records that a part was loaded by an operator and, on the
 * sim bench, plays the part-to-part and loading variation the fixture
 * declares (msa.sim). Wrong arguments are script errors; data a study
 * cannot use returns nil, message.
 */
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>

#include "rig/base/error.h"
#include "rig/script/harness.h"
#include "rig/stats/msa.h"

static void set_number(lua_State *L, const char *key, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

static void set_row(lua_State *L, const char *key, const struct anova_row *r)
{
	lua_createtable(L, 0, 5);
	set_number(L, "df", r->df);
	set_number(L, "ss", r->ss);
	set_number(L, "ms", r->ms);
	set_number(L, "f", r->f);
	set_number(L, "p", r->p);
	lua_setfield(L, -2, key);
}

static lua_Integer check_count(lua_State *L, int arg, const char *what)
{
	lua_Integer n = luaL_checkinteger(L, arg);

	if (n < 2 || n > 1000)
		harness_misuse(L, "rig.msa.grr: %s must be 2 to 1000, got %lld", what, (long long)n);
	return n;
}

static double opt_field(lua_State *L, int idx, const char *key, double fallback)
{
	double v = fallback;

	if (lua_isnoneornil(L, idx))
		return v;
	if (lua_getfield(L, idx, key) != LUA_TNIL) {
		if (!lua_isnumber(L, -1))
			harness_misuse(L, "rig.msa: option %s must be a number", key);
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* rig.msa.grr(values, parts, operators, trials[, options]) -> study | nil, message
 * values[((part - 1) * operators + operator - 1) * trials + trial] */
static int l_grr(lua_State *L)
{
	size_t n;
	double *y = harness_check_values(L, 1, &n);
	lua_Integer p = check_count(L, 2, "parts"), o = check_count(L, 3, "operators"),
		    t = check_count(L, 4, "trials");
	struct grr_options opt;
	struct grr_result r;

	if (!lua_isnoneornil(L, 5))
		luaL_checktype(L, 5, LUA_TTABLE);
	grr_options_default(&opt);
	opt.alpha_interaction = opt_field(L, 5, "alpha_interaction", opt.alpha_interaction);
	opt.k_sigma = opt_field(L, 5, "k_sigma", opt.k_sigma);
	opt.tolerance = opt_field(L, 5, "tolerance", opt.tolerance);
	if (n != (size_t)(p * o * t))
		return harness_misuse(L, "rig.msa.grr: %zu values for %lld parts x %lld operators x "
				      "%lld trials", n, (long long)p, (long long)o, (long long)t);
	if (grr_anova(y, (size_t)p, (size_t)o, (size_t)t, &opt, &r) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, rig_last_error());
		return 2;
	}
	lua_createtable(L, 0, 8);
	lua_pushboolean(L, r.pooled);
	lua_setfield(L, -2, "pooled");
	lua_pushinteger(L, r.ndc);
	lua_setfield(L, -2, "ndc");
	set_number(L, "pct_grr", r.pct_grr);
	lua_pushstring(L, grr_verdict_name(r.verdict));
	lua_setfield(L, -2, "verdict");
	lua_createtable(L, 0, 5);
	set_row(L, "part", &r.part);
	set_row(L, "operator", &r.oper);
	set_row(L, "interaction", &r.inter);
	set_row(L, "repeatability", &r.repeat);
	set_row(L, "total", &r.total);
	lua_setfield(L, -2, "anova");
	lua_createtable(L, 0, 3);
	set_row(L, "part", &r.part_r);
	set_row(L, "operator", &r.oper_r);
	set_row(L, "repeatability", &r.repeat_r);
	lua_setfield(L, -2, "reduced");
	lua_createtable(L, GRR_SOURCES, 0);
	for (int s = 0; s < GRR_SOURCES; s++) {
		lua_createtable(L, 0, 7);
		lua_pushstring(L, grr_source_name((enum grr_source)s));
		lua_setfield(L, -2, "source");
		set_number(L, "var", r.c[s].var);
		set_number(L, "contribution", r.c[s].contribution);
		set_number(L, "sd", r.c[s].sd);
		set_number(L, "study_var", r.c[s].study_var);
		set_number(L, "pct_study", r.c[s].pct_study);
		set_number(L, "pct_tol", r.c[s].pct_tol);
		lua_rawseti(L, -2, s + 1);
	}
	lua_setfield(L, -2, "components");
	return 1;
}

/* rig.msa.type1(values, reference, tolerance[, sigmas]) -> study | nil, message */
static int l_type1(lua_State *L)
{
	size_t n;
	double *x = harness_check_values(L, 1, &n);
	double reference = luaL_checknumber(L, 2), tolerance = luaL_checknumber(L, 3);
	lua_Integer sigmas = luaL_optinteger(L, 4, 6);
	struct type1_result r;

	if (sigmas != 4 && sigmas != 6)
		return harness_misuse(L, "rig.msa.type1: sigmas must be 4 or 6, got %lld",
				      (long long)sigmas);
	if (type1_study(x, n, reference, tolerance, (int)sigmas, &r) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, rig_last_error());
		return 2;
	}
	lua_createtable(L, 0, 12);
	set_number(L, "n", (double)r.n);
	set_number(L, "mean", r.mean);
	set_number(L, "sd", r.sd);
	set_number(L, "bias", r.bias);
	set_number(L, "t", r.t);
	set_number(L, "p", r.p);
	set_number(L, "cg", r.cg);
	set_number(L, "cgk", r.cgk);
	set_number(L, "pct_repeat", r.pct_repeat);
	set_number(L, "pct_repeat_bias", r.pct_repeat_bias);
	lua_pushboolean(L, r.capable);
	lua_setfield(L, -2, "capable");
	return 1;
}

/* rig.msa.load(part, operator, trial) -> true: journaled; on the sim bench
 * the unit becomes that part as that operator loaded it (part 0: the
 * reference part of a Type 1 study, true to its value). */
static int l_load(lua_State *L)
{
	struct harness *h = harness_of(L);
	lua_Integer part = luaL_checkinteger(L, 1), op = luaL_checkinteger(L, 2),
		    trial = luaL_checkinteger(L, 3);
	struct uut *uut = h->station ? h->station->uut : NULL;
	double offset = NAN;

	if (part < 0 || part > 1000 || op < 1 || op > 1000 || trial < 1 || trial > 1000)
		return harness_misuse(L, "rig.msa.load: part 0 (the reference) to 1000, operator and "
				      "trial 1 to 1000");
	/* On the sim bench the driver makes the unit that part as that
	 * operator loaded it; on a real station the operator did (prompted). */
	if (uut && uut->ops->load_part) {
		int rc = uut->ops->load_part(uut, (int)part, (int)op, (int)trial, &offset);

		if (rc)
			return harness_device_failure(L, rc, "loading a part");
	}
	harness_journal(L, "msa_load", json_pack("{s:I, s:I, s:I, s:o}", "part", (json_int_t)part,
						 "operator", (json_int_t)op, "trial",
						 (json_int_t)trial, "sim_offset_mm",
						 isnan(offset) ? json_null() : json_real(offset)));
	lua_pushboolean(L, 1);
	return 1;
}

void luaopen_rig_msa(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "grr", l_grr },
		{ "type1", l_type1 },
		{ "load", l_load },
		{ NULL, NULL },
	};

	luaL_newlib(L, funcs);
	lua_setfield(L, -2, "msa");
}
