/*
 * A spec module's declaration (docs/script-api.md, "Specs"): when a module
 * the script requires returns a table with `requirements`, the run is bound
 * to that spec. Its models must include the unit's, checked here, before
 * the script can fire a shot; its requirements are what the run must cover.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <string.h>

#include "rig/script/harness.h"
#include "rig/run/journal.h"
#include "rig/run/record_json.h"

/* raw field of the table at idx onto the stack; its type */
static int rawfield(lua_State *L, int idx, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, idx < 0 ? idx - 1 : idx);
}

static void string_field(lua_State *L, int idx, const char *path, const char *key, char *out,
			 size_t len, int required)
{
	int t = rawfield(L, idx, key);

	if (t == LUA_TNIL && !required) {
		lua_pop(L, 1);
		return;
	}
	if (t != LUA_TSTRING || lua_rawlen(L, -1) == 0 || lua_rawlen(L, -1) >= len)
		harness_misuse(L, "%s: spec field %s must be a string of 1 to %zu characters", path,
			       key, len - 1);
	snprintf(out, len, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
}

static void read_models(lua_State *L, int idx, const char *path, struct spec_decl *d)
{
	lua_Integer n;

	if (rawfield(L, idx, "models") != LUA_TTABLE)
		harness_misuse(L, "%s: spec %s declares requirements but no models (a list of the "
			       "unit models it applies to)", path, d->name);
	n = (lua_Integer)lua_rawlen(L, -1);
	if (n < 1 || n > SPEC_MAX_MODELS)
		harness_misuse(L, "%s: spec %s: models must list 1 to %d models", path, d->name,
			       SPEC_MAX_MODELS);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TSTRING || lua_rawlen(L, -1) == 0 ||
		    lua_rawlen(L, -1) >= sizeof(d->models[0]))
			harness_misuse(L, "%s: spec %s: models[%d] must be a model name", path, d->name,
				       (int)i);
		snprintf(d->models[d->nmodels++], sizeof(d->models[0]), "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static void read_requirement(lua_State *L, const char *path, int i, struct spec_requirement *q)
{
	static const char *const settings[] = { "depth_mm", "dose_ul", "rate_per_min" };
	char where[48];
	int t, every;

	snprintf(where, sizeof(where), "requirements[%d]", i);
	if (rawfield(L, -1, "id") != LUA_TSTRING || lua_rawlen(L, -1) == 0 ||
	    lua_rawlen(L, -1) >= sizeof(q->id))
		harness_misuse(L, "%s: spec %s.id must be a requirement ID", path, where);
	snprintf(q->id, sizeof(q->id), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	rawfield(L, -1, "every_burst");
	every = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (every)
		return;
	if ((t = rawfield(L, -1, "setting")) != LUA_TSTRING)
		harness_misuse(L, "%s: spec %s (%s) needs setting = \"depth_mm\", \"dose_ul\" or "
			       "\"rate_per_min\", or every_burst = true", path, where, q->id);
	for (size_t k = 0; k < sizeof(settings) / sizeof(settings[0]); k++)
		if (!strcmp(lua_tostring(L, -1), settings[k]))
			snprintf(q->setting, sizeof(q->setting), "%s", settings[k]);
	if (!q->setting[0])
		harness_misuse(L, "%s: spec %s (%s): unknown setting \"%s\"", path, where, q->id,
			       lua_tostring(L, -1));
	lua_pop(L, 1);
	if (rawfield(L, -1, "at") != LUA_TTABLE || lua_rawlen(L, -1) < 1 ||
	    lua_rawlen(L, -1) > SPEC_MAX_VALUES)
		harness_misuse(L, "%s: spec %s (%s) needs at = { ... }, 1 to %d settings", path,
			       where, q->id, SPEC_MAX_VALUES);
	for (lua_Integer a = 1; a <= (lua_Integer)lua_rawlen(L, -1); a++) {
		if (lua_rawgeti(L, -1, a) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))
			harness_misuse(L, "%s: spec %s (%s): at[%d] must be a number", path, where,
				       q->id, (int)a);
		q->at[q->nat++] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (rawfield(L, -1, "shots") != LUA_TNUMBER || !lua_isinteger(L, -1) ||
	    lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > 100000)
		harness_misuse(L, "%s: spec %s (%s) needs shots = the fewest shots per setting "
			       "(1 to 100000)", path, where, q->id);
	q->min_shots = (size_t)lua_tointeger(L, -1);
	lua_pop(L, 1);
}

static void read_requirements(lua_State *L, int idx, const char *path, struct spec_decl *d)
{
	lua_Integer n;

	rawfield(L, idx, "requirements");
	n = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
	if (n < 1 || n > SPEC_MAX_REQUIREMENTS)
		harness_misuse(L, "%s: spec requirements must be a list of 1 to %d requirements",
			       path, SPEC_MAX_REQUIREMENTS);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
			harness_misuse(L, "%s: spec requirements[%d] must be a table", path, (int)i);
		read_requirement(L, path, (int)i, &d->req[d->nreq++]);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

int harness_bind_spec(lua_State *L, int idx, const char *path)
{
	struct harness *h = harness_of(L);
	struct run_record *r = h->rec;
	struct spec_decl d;
	char models[SPEC_MAX_MODELS * 34] = "";
	int bound = 0;

	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx) || rawfield(L, idx, "requirements") == LUA_TNIL) {
		lua_pop(L, lua_istable(L, idx) ? 1 : 0);
		return 0; /* a library, not a spec */
	}
	lua_pop(L, 1);
	memset(&d, 0, sizeof(d));
	snprintf(d.path, sizeof(d.path), "%s", path);
	string_field(L, idx, path, "name", d.name, sizeof(d.name), 1);
	string_field(L, idx, path, "revision", d.revision, sizeof(d.revision), 1);
	read_models(L, idx, path, &d);
	read_requirements(L, idx, path, &d);
	if (r->spec.name[0])
		return harness_misuse(L, "%s: the run is already bound to spec %s (%s); a run "
				      "certifies against one spec", path, r->spec.name,
				      r->spec.path);
	for (size_t i = 0; i < d.nmodels; i++) {
		bound |= !strcmp(d.models[i], r->uut.model);
		snprintf(models + strlen(models), sizeof(models) - strlen(models), "%s%s",
			 i ? ", " : "", d.models[i]);
	}
	if (!bound)
		return harness_misuse(L, "spec %s rev %s (%s) applies to %s, but the unit under "
				      "test is a %s (serial %s): wrong procedure for this unit",
				      d.name, d.revision, path, models,
				      r->uut.model[0] ? r->uut.model : "(unknown model)", r->uut.serial);
	r->spec = d;
	harness_journal(L, "spec", spec_to_json(&d));
	return 1;
}
