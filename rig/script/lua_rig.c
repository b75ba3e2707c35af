/*
 * The `rig` table: steps, operator prompts, journal notes, per-burst
 * checks and helpers. docs/script-api.md is the reference.
 */
#include <ctype.h>
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/script/answers.h"
#include "rig/script/binding.h"
#include "rig/script/prompt_image.h"
#include "rig/measure/gravimetric.h"
#include "rig/base/interrupt.h"
#include "rig/base/sandbox.h"
#include "rig/base/utf8.h"
#include "rig/base/timefmt.h"
#include "rig/base/watchdog.h"

/* The unit's settings when a script gives none (a typical clinical use). */
static const struct uut_settings default_settings = { 4.0, 50.0, 120.0 };

static int valid_requirement(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 32)
		return 0;
	for (; *s; s++)
		if (!(isupper((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' ||
		      *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static double setting_number(lua_State *L, int idx, const char *key, double lo, double hi,
			     double fallback)
{
	double v;

	if (lua_getfield(L, idx, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return fallback;
	}
	if (!lua_isnumber(L, -1))
		harness_misuse(L, "setting %s must be a number, got %s", key, luaL_typename(L, -1));
	v = lua_tonumber(L, -1);
	lua_pop(L, 1);
	if (!(v >= lo && v <= hi))
		harness_misuse(L, "setting %s = %g is outside %g..%g", key, v, lo, hi);
	return v;
}

static void check_setting_keys(lua_State *L, int idx)
{
	static const char *const known[] = { "depth_mm", "dose_ul", "rate_per_min", "label", NULL };

	lua_pushnil(L);
	while (lua_next(L, idx)) {
		size_t i;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			harness_misuse(L, "settings must be a table of named values");
		for (i = 0; known[i]; i++)
			if (!strcmp(lua_tostring(L, -1), known[i]))
				break;
		if (!known[i])
			harness_misuse(L, "unknown setting '%s' (known: depth_mm, dose_ul, "
					  "rate_per_min, label)", lua_tostring(L, -1));
	}
}

/* "DEPTH-ACC@4mm": the requirement and the label without spaces, unique. */
static void make_step_id(struct harness *h, struct step_record *s)
{
	char base[64];
	size_t o = 0;
	int dup = 1;

	o = (size_t)snprintf(base, sizeof(base), "%s@", s->requirement);
	for (const char *p = s->label; *p && o + 1 < sizeof(base); p++)
		if (!isspace((unsigned char)*p))
			base[o++] = *p;
	base[o] = '\0';
	snprintf(s->id, sizeof(s->id), "%s", base);
	for (size_t i = 0; i + 1 < h->rec->nsteps; i++)
		if (!strcmp(h->rec->steps[i].id, s->id)) {
			snprintf(s->id, sizeof(s->id), "%.50s#%d", base, ++dup);
			i = (size_t)-1; /* look again for the new name */
		}
}

static void default_label(const struct uut_settings *st, char *buf, size_t len)
{
	snprintf(buf, len, "%g mm, %g ul, %g/min", st->depth_mm, st->dose_ul, st->rate_per_min);
}

static void end_step(lua_State *L, struct harness *h, int step_obj)
{
	struct step_record *s = h->step;
	enum verdict v = s->error[0] ? VERDICT_ERROR : VERDICT_NONE;

	for (size_t j = 0; j < s->nm; j++)
		v = verdict_worse(v, s->m[j].verdict);
	/* A step is there to judge: one that judged nothing proves nothing,
	 * and says so alike in the summary, result.json and junit.xml. */
	if (v == VERDICT_NONE) {
		snprintf(s->error, sizeof(s->error), "%s", STEP_JUDGED_NOTHING);
		v = VERDICT_ERROR;
	}
	s->verdict = v;
	time_format_iso(time(NULL), s->ended, sizeof(s->ended));
	if (h->progress)
		fputs("\r\033[K", stderr);
	harness_close_step(L, step_obj);
	batch_release_balance(L);
	h->step = NULL;
	harness_journal(L, "step_end",
			json_pack("{s:s, s:s, s:s}", "step", s->id, "verdict", verdict_name(v),
				  "error", s->error));
}

/* rig.step(requirement, settings, function(step) ... end) -> verdict */
static int l_step(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *req = luaL_checkstring(L, 1);
	struct step_record *s;
	struct uut_settings set;
	const char *label;
	int rc;

	/* A limit that stopped the script holds: no step after it. */
	if (sandbox_tripped(L))
		return luaL_error(L, "%s", sandbox_tripped(L));
	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (!valid_requirement(req))
		return harness_misuse(L, "'%s' is not a requirement ID (capitals, digits, '-')", req);
	if (h->step)
		return harness_misuse(L, "rig.step inside step %s: steps do not nest", h->step->id);
	if (h->safety_stopped)
		return harness_safety_stop(L, h->safety_message);
	check_setting_keys(L, 2);
	set.depth_mm = setting_number(L, 2, "depth_mm", 0, 100, default_settings.depth_mm);
	set.dose_ul = setting_number(L, 2, "dose_ul", 0, 10000, default_settings.dose_ul);
	set.rate_per_min = setting_number(L, 2, "rate_per_min", 0.001, 100000,
					  default_settings.rate_per_min);
	lua_getfield(L, 2, "label");
	label = lua_tostring(L, -1);
	if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
		return harness_misuse(L, "setting label must be a string");
	if (label)
		harness_check_text(L, label, lua_rawlen(L, -1), "setting label");

	s = run_record_add_step(h->rec);
	if (!s)
		return luaL_error(L, "out of memory");
	h->step = s;
	h->type_a_depth_mm = h->type_a_volume_ul = NAN;
	h->step_index = h->rec->nsteps - 1;
	h->nsteps_started++;
	snprintf(s->requirement, sizeof(s->requirement), "%s", req);
	if (label)
		snprintf(s->label, sizeof(s->label), "%s", label);
	else
		default_label(&set, s->label, sizeof(s->label));
	lua_pop(L, 1);
	s->setting = set;
	make_step_id(h, s);
	time_format_iso(time(NULL), s->started, sizeof(s->started));
	station_set_step(h->station, s->id);
	harness_journal(L, "step_start",
			json_pack("{s:s, s:s, s:s, s:{s:f, s:f, s:f}}", "step", s->id, "requirement",
				  s->requirement, "label", s->label, "setting", "depth_mm",
				  set.depth_mm, "dose_ul", set.dose_ul, "rate_per_min",
				  set.rate_per_min));
	if (h->progress)
		fprintf(stderr, "\r\033[K[%zu] %s", h->nsteps_started, s->id);

	harness_push_step(L); /* index 4 */
	watchdog_hold();
	rc = h->station->uut->ops->configure(h->station->uut, &set);
	watchdog_release();
	if (rc) {
		snprintf(s->error, sizeof(s->error), "configuring the unit: %s", rig_last_error());
		harness_device_failure(L, rc, "configuring the unit");
		end_step(L, h, 4);
		luaL_pushfail(L);
		lua_pushstring(L, s->error);
		return 2;
	}
	lua_pushcfunction(L, harness_message_handler);
	lua_pushvalue(L, 3);
	lua_pushvalue(L, 4);
	sandbox_set_budget(L, h->step_budget);
	sandbox_set_deadline(L, h->step_timeout_s, "--step-timeout");
	rc = lua_pcall(L, 1, 0, 5);
	if (rc != LUA_OK) {
		if (lua_isstring(L, -1))
			snprintf(s->error, sizeof(s->error), "%.*s",
				 (int)strcspn(lua_tostring(L, -1), "\n"), lua_tostring(L, -1));
		else if (h->safety_stopped)
			s->verdict = VERDICT_FAIL;
		end_step(L, h, 4);
		return lua_error(L); /* the error object is still on top */
	}
	lua_settop(L, 4);
	end_step(L, h, 4);
	lua_pushstring(L, verdict_name(s->verdict));
	return 1;
}

/* rig.prompt(message [, {image = FILE}]): the picture, checked and copied
 * into the run directory; "" in img->path without one. */
static void prompt_options(lua_State *L, struct harness *h, struct prompt_image *img)
{
	const char *key, *rel;

	memset(img, 0, sizeof(*img));
	if (lua_isnoneornil(L, 2))
		return;
	if (!lua_istable(L, 2))
		harness_misuse(L, "rig.prompt: options must be a table ({ image = FILE }), got %s",
			       luaL_typename(L, 2));
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (!key || strcmp(key, "image") != 0)
			harness_misuse(L, "rig.prompt: unknown option %s (only image)",
				       key ? key : luaL_typename(L, -2));
		lua_pop(L, 1);
	}
	if (lua_getfield(L, 2, "image") != LUA_TSTRING)
		harness_misuse(L, "rig.prompt: image must be a file name, got %s",
			       luaL_typename(L, -1));
	rel = harness_text(L, -1, "rig.prompt: image");
	if (prompt_image_take(h->script_dir, h->run_dir, rel, img) != 0)
		harness_misuse(L, "rig.prompt: %s", rig_last_error());
	lua_pop(L, 1);
}

/* The prompt's journal event: its step and message, the picture shown
 * (name, SHA-256 and where it is in the run directory), and more. */
static json_t *prompt_event(const char *step, const char *msg, const struct prompt_image *img)
{
	json_t *e = json_pack("{s:s, s:s}", "step", step, "message", msg);

	if (img->path[0])
		json_object_set_new(e, "image", json_pack("{s:s, s:s, s:s}", "name", img->name,
							  "sha256", img->sha256, "path",
							  img->path));
	return e;
}

static void journal_prompt(lua_State *L, const char *event, const char *step, const char *msg,
			   const struct prompt_image *img, const char *answer, const char *socket)
{
	json_t *e = prompt_event(step, msg, img);

	if (answer)
		json_object_set_new(e, "answer", json_string(answer));
	if (socket)
		json_object_set_new(e, "socket", json_string(socket));
	harness_journal(L, event, e);
}

/* rig.prompt(message [, {image = FILE}]) -> true; answered by the operator
 * or, in batch mode, automatically; journaled either way. */
static int l_prompt(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *msg = harness_text(L, 1, "rig.prompt: message");
	char answer[256] = "", typed[4 * sizeof(answer) + 1];
	/* journaled with its step, as the deviations list shows it */
	const char *step = h->step ? h->step->id : "";
	struct prompt_image img;

	prompt_options(L, h, &img);
	if (h->batch) {
		journal_prompt(L, "prompt", step, msg, &img, "automatic (batch)",
			       h->fx && h->fx->socket[0] ? h->fx->socket : NULL);
		harness_note(h, "prompt", msg, "automatic (batch)");
		lua_pushboolean(L, 1);
		return 1;
	}
	if (h->answers) {
		/* rig serve: the browser answers; the journal tells it a prompt is open */
		answers_clear(h->answers);
		journal_prompt(L, "prompt_open", step, msg, &img, NULL, NULL);
		if (answers_wait(h->answers, answer, sizeof(answer)) != 0)
			snprintf(answer, sizeof(answer), "abort");
	} else {
		fprintf(stderr, "\r\033[K>>> %s\n", msg);
		if (img.path[0])
			fprintf(stderr, "    image: %s/%s\n", h->run_dir, img.path);
		fputs("    [Enter] continue, [a] abort: ", stderr);
		fflush(stderr);
		if (!fgets(answer, sizeof(answer), stdin))
			snprintf(answer, sizeof(answer), "abort");
	}
	if (answer[0] == 'a' || answer[0] == 'A') {
		journal_prompt(L, "prompt", step, msg, &img, "abort", NULL);
		harness_note(h, "prompt", msg, "abort");
		interrupt_request();
		return luaL_error(L, "interrupted");
	}
	answer[strcspn(answer, "\n")] = '\0';
	/* What the operator typed is kept as typed: bytes that are not UTF-8
	 * (a terminal in Latin-1) as \xNN, like an error message. */
	if (utf8_problem(answer, strlen(answer), typed, sizeof(typed)))
		typed[utf8_escape(answer, strlen(answer), typed)] = '\0';
	else
		snprintf(typed, sizeof(typed), "%s", answer[0] ? answer : "continue");
	journal_prompt(L, "prompt", step, msg, &img, typed, NULL);
	harness_note(h, "prompt", msg, typed);
	lua_pushboolean(L, 1);
	return 1;
}

/* rig.log(message): a note in the journal. */
static int l_log(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *msg = harness_text(L, 1, "rig.log: message");

	harness_journal(L, "log", json_pack("{s:s, s:s}", "step", h->step ? h->step->id : "",
					     "message", msg));
	harness_note(h, "log", msg, NULL);
	return 0;
}

#define SAFE_DEPTH_MAX_OVER_MM 2.0

static void read_check(lua_State *L, const char *key, char *req, size_t len, double *over)
{
	if (lua_getfield(L, 1, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		harness_misuse(L, "every_burst.%s must be a table from the spec", key);
	lua_getfield(L, -1, "requirement");
	if (!lua_isstring(L, -1) || !valid_requirement(lua_tostring(L, -1)))
		harness_misuse(L, "every_burst.%s needs a requirement ID", key);
	snprintf(req, len, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (over) {
		lua_getfield(L, -1, "over_set_mm");
		/* Written so that NaN fails too: a check a value can switch off
		 * is no interlock. Past 2 mm over the set depth it guards nothing. */
		if (!lua_isnumber(L, -1) ||
		    !(lua_tonumber(L, -1) > 0 && lua_tonumber(L, -1) <= SAFE_DEPTH_MAX_OVER_MM))
			harness_misuse(L, "every_burst.%s.over_set_mm must be a finite number in "
				       "(0, %g] mm", key, SAFE_DEPTH_MAX_OVER_MM);
		*over = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* rig.every_burst{ shot_count = spec.shot_count, safe_depth = spec.safe_depth } */
static int l_every_burst(lua_State *L)
{
	struct harness *h = harness_of(L);

	luaL_checktype(L, 1, LUA_TTABLE);
	h->shot_count_req[0] = h->safe_depth_req[0] = '\0';
	read_check(L, "shot_count", h->shot_count_req, sizeof(h->shot_count_req), NULL);
	read_check(L, "safe_depth", h->safe_depth_req, sizeof(h->safe_depth_req),
		   &h->safe_depth_over_mm);
	return 0;
}

/* rig.gravimetric_ul(grams, seconds_since_tare) -> µl (ISO 8655-6). The
 * conversion (Z, evaporation) is journaled and kept with the step, so the
 * reports show how the reading became a volume. */
static int l_gravimetric_ul(lua_State *L)
{
	struct harness *h = harness_of(L);
	const struct fixture_environment *env = &h->fx->env;
	double g = luaL_checknumber(L, 1), s = luaL_optnumber(L, 2, 0);
	double v = gravimetric_volume_ul(g, s, env);
	struct gravimetric_record gr = {
		.have = 1, .grams = g, .seconds = s,
		.z_ul_per_mg = gravimetric_z(env->temperature_c, env->pressure_kpa, env->humidity_pct),
		.evaporation_mg = env->evaporation_mg_per_s * s, .volume_ul = v,
	};

	if (h->step) {
		h->step->grav = gr;
		harness_journal(L, "gravimetric",
				json_pack("{s:s, s:f, s:f, s:f, s:f, s:f}", "step", h->step->id, "grams",
					  g, "seconds", s, "z_ul_per_mg", gr.z_ul_per_mg,
					  "evaporation_mg", gr.evaporation_mg, "volume_ul", v));
	}
	lua_pushnumber(L, v);
	return 1;
}

static void push_fixture_info(lua_State *L, const struct fixture *fx)
{
	lua_newtable(L);
	lua_pushstring(L, fx->name);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, fx->station);
	lua_setfield(L, -2, "station");
	lua_pushnumber(L, fx->env.temperature_c);
	lua_setfield(L, -2, "temperature_c");
	lua_pushnumber(L, fx->env.pressure_kpa);
	lua_setfield(L, -2, "pressure_kpa");
	lua_pushboolean(L, fx->scale.driver[0] != '\0');
	lua_setfield(L, -2, "has_scale");
}

void luaopen_rig_api(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "step", l_step },
		{ "prompt", l_prompt },
		{ "log", l_log },
		{ "every_burst", l_every_burst },
		{ "gravimetric_ul", l_gravimetric_ul },
		{ NULL, NULL },
	};
	struct harness *h = harness_of(L);

	luaL_setfuncs(L, funcs, 0);
	push_fixture_info(L, h->fx);
	lua_setfield(L, -2, "fixture");
	lua_pushstring(L, RIG_VERSION);
	lua_setfield(L, -2, "version");
	/* Run options for the script: --param NAME=VALUE and --firmware FILE. */
	lua_createtable(L, 0, (int)h->rec->nparams);
	for (size_t i = 0; i < h->rec->nparams; i++) {
		lua_pushstring(L, h->rec->params[i].value);
		lua_setfield(L, -2, h->rec->params[i].name);
	}
	lua_setfield(L, -2, "params");
	lua_pushstring(L, h->firmware);
	lua_setfield(L, -2, "firmware");
}
