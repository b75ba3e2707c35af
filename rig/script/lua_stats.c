/*
 * rig.stats: the acceptance statistics for procedures that judge in their
 * own way (docs/script-api.md, section rig.stats). Wrong arguments are
 * script errors; data that cannot be tested returns nil, message.
 */
#include <lauxlib.h>
#include <lua.h>

#include "rig/base/error.h"
#include "rig/script/harness.h"
#include "rig/stats/stats.h"

static double check_fraction(lua_State *L, int arg, const char *what)
{
	double v = luaL_checknumber(L, arg);

	if (!(v > 0 && v < 1))
		harness_misuse(L, "rig.stats: %s must lie strictly between 0 and 1, got %g", what, v);
	return v;
}

static int check_sides(lua_State *L, int arg)
{
	lua_Integer sides = luaL_optinteger(L, arg, 2);

	if (sides != 1 && sides != 2)
		harness_misuse(L, "rig.stats: sides must be 1 or 2, got %lld", (long long)sides);
	return (int)sides;
}

/* rig.stats.k(n, confidence, coverage[, sides[, method]]) -> k */
static int l_k(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	double confidence = check_fraction(L, 2, "confidence");
	double coverage = check_fraction(L, 3, "coverage");
	int sides = check_sides(L, 4);
	enum k_method method = K_EXACT;
	double k;

	if (n < 2)
		return harness_misuse(L, "rig.stats.k: n must be at least 2, got %lld", (long long)n);
	if (!lua_isnoneornil(L, 5) && stats_k_method_parse(luaL_checkstring(L, 5), &method) != 0)
		return harness_misuse(L, "rig.stats.k: %s", rig_last_error());
	if (stats_tolerance_k((size_t)n, confidence, coverage, sides, method, &k) != 0)
		return harness_misuse(L, "rig.stats.k: %s", rig_last_error());
	lua_pushnumber(L, k);
	return 1;
}

/* rig.stats.distribution_free_n(confidence, coverage[, sides]) -> n */
static int l_distribution_free_n(lua_State *L)
{
	double confidence = check_fraction(L, 1, "confidence");
	double coverage = check_fraction(L, 2, "coverage");
	size_t n = stats_df_min_n(confidence, coverage, check_sides(L, 3));

	if (!n)
		return harness_misuse(L, "rig.stats.distribution_free_n: more than a billion values");
	lua_pushinteger(L, (lua_Integer)n);
	return 1;
}

/* rig.stats.normality(values) -> p, a2 | nil, message */
static int l_normality(lua_State *L)
{
	size_t n;
	double *x = harness_check_values(L, 1, &n), a2, p;

	if (stats_anderson_darling(x, n, &a2, &p) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, rig_last_error());
		return 2;
	}
	lua_pushnumber(L, p);
	lua_pushnumber(L, a2);
	return 2;
}

void luaopen_rig_stats(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "k", l_k },
		{ "distribution_free_n", l_distribution_free_n },
		{ "normality", l_normality },
		{ NULL, NULL },
	};

	luaL_newlib(L, funcs);
	lua_setfield(L, -2, "stats");
}
