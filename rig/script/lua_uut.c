/*
 * rig.uut and rig.scale: the unit under test and the balance as scripts see
 * them. Hardware failures return nil, message (and are journaled); misuse
 * raises. uut:burst() runs rig/station/burst.c and records every shot in the step.
 */
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/station/burst.h"
#include "rig/base/clock.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"
#include "rig/script/binding.h"
#include "rig/base/interrupt.h"
#include "rig/stats/judge.h"
#include "rig/base/record_json.h"
#include "rig/base/sandbox.h"
#include "rig/base/watchdog.h"

#define UUT_MT "rig.uut"
#define SCALE_MT "rig.scale"
#define PROGRESS_INTERVAL_S 0.1

static void check_object(lua_State *L, const char *mt)
{
	luaL_checkudata(L, 1, mt);
}

static int capture_taken(const struct run_record *r, const char *name)
{
	for (size_t i = 0; i < r->nsteps; i++)
		for (size_t j = 0; j < r->steps[i].ncaptures; j++)
			if (!strcmp(r->steps[i].captures[j].name, name))
				return 1;
	return 0;
}

/* captures/STEP-N.rcap, the step id made file-name safe. Two ids can map
 * to one name ("a/b", "a_b"): the later burst's gets "~2", "~3"..., so no
 * capture ever overwrites another the journal vouches for. */
static void capture_name(const struct run_record *r, const struct step_record *s, char *buf,
			 size_t len)
{
	char base[128];
	size_t o = 0;

	for (const char *p = s->id; *p && o + 1 < sizeof(base); p++)
		base[o++] = (char)((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
						   (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
						   *p == '@'
					   ? *p
					   : '_');
	base[o] = '\0';
	snprintf(buf, len, "captures/%s-%u.rcap", base, s->bursts);
	for (unsigned k = 2; capture_taken(r, buf); k++)
		snprintf(buf, len, "captures/%s-%u~%u.rcap", base, s->bursts, k);
}

struct progress {
	struct harness *h;
	double last;
};

static void show_progress(void *ctx, size_t measured, uint32_t commanded)
{
	struct progress *p = ctx;
	double now = (double)clock_ms() / 1000.0;

	if (now - p->last < PROGRESS_INTERVAL_S)
		return;
	p->last = now;
	fprintf(stderr, "\r\033[K[%zu] %s  shot %zu/%u", p->h->nsteps_started, p->h->step->id,
		measured, commanded);
}

/* Shots into the step's rows; the burst, with those rows, into the journal. */
static void record_burst(lua_State *L, struct harness *h, const struct burst_result *r,
			 uint32_t commanded, const char *capture, int rc)
{
	struct step_record *s = h->step;
	struct artifact *a;
	size_t first = s->nshots;
	struct shot_row *rows;
	json_t *e;

	for (size_t i = 0; i < r->nshots; i++) {
		struct shot_row *row = step_add_shot(s);

		if (!row)
			luaL_error(L, "out of memory");
		row->shot = (uint32_t)s->nshots;
		row->burst = s->bursts;
		burst_shot_row(row, &r->shots[i]);
	}
	/* a burst of no shots may leave the step without rows (NULL + 0 is
	 * undefined) */
	rows = r->nshots ? s->shots + first : NULL;
	shot_rows_link(rows, r->nshots);
	a = step_add_capture(s);
	if (!a)
		luaL_error(L, "out of memory");
	snprintf(a->name, sizeof(a->name), "%s", capture);
	snprintf(a->sha256, sizeof(a->sha256), "%s", r->capture_sha256);
	a->burst = s->bursts;
	e = json_pack("{s:s, s:I, s:I, s:I, s:I, s:{s:s, s:s, s:I, s:f}}", "step", s->id, "burst",
		      (json_int_t)s->bursts, "commanded", (json_int_t)commanded, "measured",
		      (json_int_t)r->nshots, "unit_counted", (json_int_t)r->unit_counted, "capture",
		      "file", capture, "sha256", r->capture_sha256, "scans", (json_int_t)r->scans,
		      "rate_hz", r->rate_hz);
	if (e) {
		shot_rows_to_json(e, rows, r->nshots);
		json_object_set_new(e, "complete", json_boolean(rc == 0));
		json_object_set_new(e, "error", json_string(rc ? rig_last_error() : ""));
	}
	harness_journal(L, "burst", e);
}

/*
 * What the capture's signals allow: the Type A uncertainties go into the
 * step's guard bands; a sensor that clipped, was stuck, or left a shot
 * inside its noise makes the step ERROR with the reason (its numbers are
 * kept and shown, but never pass). The quality is kept with the burst's
 * capture, for result.json and the reports.
 */
static void check_signal(lua_State *L, struct harness *h, const struct burst_result *r)
{
	const struct measure_quality *q = &r->quality;
	struct step_record *s = h->step;
	struct signal_record sr = { .have = 1 };
	size_t first = 0;
	char why[400] = "";
	json_t *e;

	for (size_t i = 0; i < r->nshots; i++) {
		unsigned f = r->shots[i].flags;

		sr.clipped_shots += (f & SHOT_CLIPPED) != 0;
		sr.ambiguous_shots += (f & SHOT_AMBIGUOUS) != 0;
		if ((f & (SHOT_CLIPPED | SHOT_AMBIGUOUS)) && !first)
			first = i + 1;
	}
	if (isfinite(q->u_depth_mm) && !(q->u_depth_mm <= h->type_a_depth_mm))
		h->type_a_depth_mm = q->u_depth_mm;
	if (isfinite(q->u_volume_ul) && !(q->u_volume_ul <= h->type_a_volume_ul))
		h->type_a_volume_ul = q->u_volume_ul;
	sr.noise_mm = q->noise_mm;
	sr.hum_mm = q->hum_mm;
	sr.hum_hz = q->hum_hz;
	sr.plunger_noise_ul = q->plunger_noise_ul;
	sr.clipped_samples = q->clipped;
	sr.stuck = q->stuck;
	sr.u_depth_mm = q->u_depth_mm;
	sr.u_volume_ul = q->u_volume_ul;
	/* Through JSON and back, as a replay of the journal will see it. */
	e = json_pack("{s:s, s:I}", "step", s->id, "burst", (json_int_t)s->bursts);
	json_object_update_new(e, signal_to_json(&sr));
	signal_from_json(e, &sr);
	if (s->ncaptures && s->captures[s->ncaptures - 1].burst == s->bursts)
		s->captures[s->ncaptures - 1].signal = sr;
	harness_journal(L, "signal", e);
	if (q->stuck)
		snprintf(why, sizeof(why), "the displacement sensor is stuck (one code all burst)");
	else if (sr.clipped_shots || q->clipped)
		snprintf(why, sizeof(why), "the displacement sensor clipped: %llu samples at the end "
			 "of its range or flat at its limit, %u shots affected (the first shot %zu)",
			 (unsigned long long)q->clipped, sr.clipped_shots, first);
	else if (sr.ambiguous_shots)
		snprintf(why, sizeof(why), "%u shots do not stand clear of the sensor noise or "
			 "cannot be told from their samples (%.3g mm rms; the first shot %zu)",
			 sr.ambiguous_shots, q->noise_mm, first);
	if (why[0] && !s->error[0])
		snprintf(s->error, sizeof(s->error), "burst %u: %s", s->bursts, why);
}

static void check_shot_count(lua_State *L, struct harness *h, const struct burst_result *r,
			     uint32_t commanded)
{
	struct measurement m;

	judge_shot_count(r->nshots, commanded, r->unit_counted, h->step->bursts,
			 h->shot_count_req, &m);
	harness_record_measurement(L, &m,
				   json_pack("{s:s, s:I, s:I, s:I, s:I}", "kind", "shot_count",
					     "measured", (json_int_t)r->nshots, "commanded",
					     (json_int_t)commanded, "unit_counted",
					     (json_int_t)r->unit_counted, "burst",
					     (json_int_t)h->step->bursts));
}

static void check_safe_depth(lua_State *L, struct harness *h, const struct burst_result *r)
{
	struct measurement m;
	double *depth = lua_newuserdatauv(L, (r->nshots ? r->nshots : 1) * sizeof(double), 0);
	double set = h->step->setting.depth_mm, guard;

	for (size_t i = 0; i < r->nshots; i++)
		depth[i] = r->shots[i].depth_mm;
	guard = harness_uncertainty(h, "depth_mm", set);
	judge_safe_depth_u(depth, r->nshots, h->safe_depth_req, set, h->safe_depth_over_mm, h->fx,
			   guard, &m);
	harness_record_measurement(L, &m,
				   json_pack("{s:s, s:o, s:f, s:f, s:f}", "kind", "safe_depth", "values",
					     json_doubles(depth, r->nshots), "set_mm", set,
					     "over_mm", h->safe_depth_over_mm, "guard_u", guard));
	lua_pop(L, 1);
}

static void push_array(lua_State *L, const struct burst_result *r, size_t offset, const char *key)
{
	lua_createtable(L, (int)r->nshots, 0);
	for (size_t i = 0; i < r->nshots; i++) {
		lua_pushnumber(L, *(const double *)((const char *)&r->shots[i] + offset));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, key);
}

static void push_shots(lua_State *L, const struct burst_result *r, uint32_t commanded,
		       const char *capture)
{
	int partial = 0;

	lua_createtable(L, 0, 10);
	lua_pushinteger(L, (lua_Integer)r->nshots);
	lua_setfield(L, -2, "count");
	lua_pushinteger(L, commanded);
	lua_setfield(L, -2, "commanded");
	lua_pushinteger(L, r->unit_counted);
	lua_setfield(L, -2, "unit_count");
	push_array(L, r, offsetof(struct shot, t_s), "t_s");
	push_array(L, r, offsetof(struct shot, depth_mm), "depth_mm");
	push_array(L, r, offsetof(struct shot, volume_ul), "volume_ul");
	lua_createtable(L, r->nshots > 1 ? (int)r->nshots - 1 : 0, 0);
	for (size_t i = 0; i + 1 < r->nshots; i++) {
		lua_pushnumber(L, (r->shots[i + 1].t_s - r->shots[i].t_s) * 1000.0);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "interval_ms");
	for (size_t i = 0; i < r->nshots; i++)
		partial += (r->shots[i].flags & SHOT_PARTIAL) != 0;
	lua_pushinteger(L, partial);
	lua_setfield(L, -2, "partial");
	lua_pushstring(L, capture);
	lua_setfield(L, -2, "capture");
	lua_pushnumber(L, r->rate_hz);
	lua_setfield(L, -2, "rate_hz");
	lua_pushnumber(L, r->rate_hz > 0 ? (double)r->scans / r->rate_hz : 0);
	lua_setfield(L, -2, "duration_s");
}

/* uut:burst(n) -> shots | nil, message */
static int l_burst(lua_State *L)
{
	struct harness *h = harness_of(L);
	struct burst_request rq = { 0 };
	struct burst_result res;
	struct progress prog = { .h = h };
	char capture[160], path[4400], dir[4200];
	lua_Integer n;
	int rc;

	if (sandbox_tripped(L)) /* the unit fires no shot after a limit */
		return luaL_error(L, "%s", sandbox_tripped(L));
	check_object(L, UUT_MT);
	n = luaL_checkinteger(L, 2);
	if (!h->step)
		return harness_misuse(L, "uut:burst() belongs inside a rig.step function");
	if (n < 1 || n > BURST_MAX_SHOTS)
		return harness_misuse(L, "a burst fires 1 to %u shots, not %lld", BURST_MAX_SHOTS,
				      (long long)n);
	if (h->safety_stopped)
		return harness_safety_stop(L, h->safety_message);
	h->step->bursts++;
	capture_name(h->rec, h->step, capture, sizeof(capture));
	if (path_format(dir, sizeof(dir), "%s/captures", h->run_dir) != 0 ||
	    path_format(path, sizeof(path), "%s/%s", h->run_dir, capture) != 0 ||
	    file_mkdirs(dir, 0755) != 0)
		return luaL_error(L, "%s", rig_last_error());
	rq.shots = (uint32_t)n;
	rq.set = h->step->setting;
	rq.safe_depth_mm = h->safe_depth_req[0] ? rq.set.depth_mm + h->safe_depth_over_mm : NAN;
	rq.capture_path = path;
	if (h->progress) {
		rq.progress = show_progress;
		rq.ctx = &prog;
	}
	watchdog_hold();
	rc = burst_run(h->station, &rq, &res);
	watchdog_release();
	record_burst(L, h, &res, rq.shots, capture, rc);
	if (rc) {
		if (rc != RIG_ERR_ABORTED)
			snprintf(h->step->error, sizeof(h->step->error), "burst %u: %s",
				 h->step->bursts, rig_last_error());
		burst_result_release(&res);
		return harness_device_failure(L, rc, "burst");
	}
	check_signal(L, h, &res);
	if (h->shot_count_req[0] && !res.safety_stop)
		check_shot_count(L, h, &res, rq.shots);
	if (h->safe_depth_req[0])
		check_safe_depth(L, h, &res);
	if (res.safety_stop) {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "%s: safety stop in step %s: shot %zu went deeper than %.2f mm (set %.2f mm "
			 "+ %.2f mm); firing stopped",
			 h->safe_depth_req, h->step->id, res.unsafe_shot, rq.safe_depth_mm,
			 rq.set.depth_mm, h->safe_depth_over_mm);
		burst_result_release(&res);
		return harness_safety_stop(L, msg);
	}
	push_shots(L, &res, rq.shots, capture);
	burst_result_release(&res);
	return 1;
}

static int l_uut_status(lua_State *L)
{
	struct uut *uut = harness_of(L)->station->uut;
	struct uut_status st;
	int rc;

	check_object(L, UUT_MT);
	watchdog_hold();
	rc = uut->ops->status(uut, &st);
	watchdog_release();
	if (rc)
		return harness_device_failure(L, rc, "unit status");
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, st.shots_fired);
	lua_setfield(L, -2, "shots_fired");
	lua_pushboolean(L, st.firing);
	lua_setfield(L, -2, "firing");
	lua_pushinteger(L, st.faults);
	lua_setfield(L, -2, "faults");
	return 1;
}

/* uut:require_firmware("2.4.1", ...): the run stops unless the unit runs
 * one of these exact versions (a certificate names what it certified). */
static int l_require_firmware(lua_State *L)
{
	const struct uut_identity *id = &harness_of(L)->station->uut->id;
	int n = lua_gettop(L);
	luaL_Buffer want;

	check_object(L, UUT_MT);
	if (n < 2)
		return harness_misuse(L, "require_firmware needs at least one version");
	luaL_buffinit(L, &want);
	for (int i = 2; i <= n; i++) {
		const char *v = harness_text(L, i, "require_firmware: version");

		if (!strcmp(v, id->firmware)) {
			harness_journal(L, "firmware_check", json_pack("{s:s, s:s}", "firmware",
								       id->firmware, "result", "accepted"));
			return 0;
		}
		if (i > 2)
			luaL_addstring(&want, i == n ? " or " : ", ");
		luaL_addstring(&want, v);
	}
	luaL_pushresult(&want);
	harness_journal(L, "firmware_check", json_pack("{s:s, s:s, s:s}", "firmware", id->firmware,
						       "result", "refused", "required",
						       lua_tostring(L, -1)));
	return harness_misuse(L, "unit %s runs firmware %s; this script requires %s", id->serial,
			      id->firmware, lua_tostring(L, -1));
}

static void push_identity(lua_State *L, const struct uut_identity *id)
{
	lua_createtable(L, 0, 3);
	lua_pushstring(L, id->model);
	lua_setfield(L, -2, "model");
	lua_pushstring(L, id->serial);
	lua_setfield(L, -2, "serial");
	lua_pushstring(L, id->firmware);
	lua_setfield(L, -2, "firmware");
}

/* uut:flash([path]) -> {model, serial, firmware} | nil, message. The image
 * defaults to the run's --firmware; the run record then names the unit's
 * new firmware, and the image's path and SHA-256. */
static int l_uut_flash(lua_State *L)
{
	struct harness *h = harness_of(L);
	struct uut *uut = h->station->uut;
	const char *path = luaL_optstring(L, 2, h->firmware);
	char before[32], sha[65];
	int rc;

	check_object(L, UUT_MT);
	if (!path)
		return harness_misuse(L, "uut:flash() needs an image: a path, or --firmware FILE");
	if (h->step)
		return harness_misuse(L, "flash the unit between steps, not inside one");
	if (!uut->ops->flash)
		return harness_misuse(L, "the %s unit driver cannot flash firmware from a script "
				      "(flash it with rig flash before the run)", uut->ops->name);
	if ((rc = file_sha256_hex(path, sha)) != 0)
		return harness_device_failure(L, rc, "firmware image");
	snprintf(before, sizeof(before), "%s", uut->id.firmware);
	watchdog_hold();
	rc = uut->ops->flash(uut, path);
	watchdog_release();
	if (rc) {
		harness_journal(L, "flash", json_pack("{s:s, s:s, s:s, s:s}", "image", path, "sha256",
						       sha, "before", before, "error",
						       rig_last_error()));
		return harness_device_failure(L, rc, "flash");
	}
	h->rec->uut = uut->id;
	snprintf(h->rec->firmware_image.path, sizeof(h->rec->firmware_image.path), "%s", path);
	snprintf(h->rec->firmware_image.sha256, sizeof(h->rec->firmware_image.sha256), "%s", sha);
	harness_journal(L, "flash", json_pack("{s:s, s:s, s:s, s:s}", "image", path, "sha256", sha,
					       "before", before, "after", uut->id.firmware));
	push_identity(L, &uut->id);
	return 1;
}

static int l_uut_index(lua_State *L)
{
	const struct uut_identity *id = &harness_of(L)->station->uut->id;
	const char *key = luaL_checkstring(L, 2);

	if (!strcmp(key, "model"))
		lua_pushstring(L, id->model);
	else if (!strcmp(key, "serial"))
		lua_pushstring(L, id->serial);
	else if (!strcmp(key, "firmware"))
		lua_pushstring(L, id->firmware);
	else if (!strcmp(key, "scanned_serial")) {
		/* what the operator scanned: the run checked it is .serial */
		const char *s = harness_of(L)->rec->scanned_serial;

		if (s[0])
			lua_pushstring(L, s);
		else
			lua_pushnil(L);
	} else if (luaL_getmetafield(L, 1, "methods") == LUA_TTABLE)
		lua_getfield(L, -1, key);
	else
		lua_pushnil(L);
	return 1;
}

static struct scale *scale_of(lua_State *L)
{
	batch_lock_balance(L);
	check_object(L, SCALE_MT);
	return harness_of(L)->station->scale;
}

/* scale:tare() / scale:zero() -> true | nil, message */
static int scale_action(lua_State *L, int (*op)(struct scale *), const char *what,
			const char *event)
{
	struct scale *sc = scale_of(L);
	int rc;

	if (!op)
		return harness_misuse(L, "this balance (%s driver) cannot %s", sc->ops->name, what);
	watchdog_hold();
	rc = op(sc);
	watchdog_release();
	if (rc)
		return harness_device_failure(L, rc, what);
	harness_journal(L, event, json_pack("{s:s}", "step",
					    harness_of(L)->step ? harness_of(L)->step->id : ""));
	lua_pushboolean(L, 1);
	return 1;
}

static int l_scale_tare(lua_State *L)
{
	return scale_action(L, scale_of(L)->ops->tare, "balance tare", "scale_tare");
}

static int l_scale_zero(lua_State *L)
{
	return scale_action(L, scale_of(L)->ops->zero, "balance zero", "scale_zero");
}

/* scale:weigh() -> grams | nil, message (a stable reading). */
static int l_scale_weigh(lua_State *L)
{
	struct harness *h = harness_of(L);
	struct scale *sc = scale_of(L);
	struct scale_reading r;
	int rc;

	watchdog_hold();
	rc = sc->ops->weigh(sc, h->fx->scale.timeout_ms, &r);
	watchdog_release();
	if (rc)
		return harness_device_failure(L, rc, "balance reading");
	harness_journal(L, "scale_reading", json_pack("{s:s, s:f, s:b}", "step",
						      h->step ? h->step->id : "", "grams",
						      r.grams, "stable", r.stable));
	if (h->step && h->step->nreadings < STEP_MAX_READINGS)
		h->step->readings_g[h->step->nreadings++] = r.grams;
	lua_pushnumber(L, r.grams);
	return 1;
}

static void new_object(lua_State *L, const char *mt, const luaL_Reg *methods,
		       lua_CFunction index, const char *field)
{
	lua_newuserdatauv(L, 1, 0);
	if (luaL_newmetatable(L, mt)) {
		lua_newtable(L);
		luaL_setfuncs(L, methods, 0);
		if (index) {
			lua_setfield(L, -2, "methods");
			lua_pushcfunction(L, index);
		}
		lua_setfield(L, -2, "__index");
		sandbox_lock_metatable(L);
	}
	lua_setmetatable(L, -2);
	lua_setfield(L, -2, field);
}

void luaopen_rig_station(lua_State *L)
{
	static const luaL_Reg uut_methods[] = {
		{ "burst", l_burst },
		{ "status", l_uut_status },
		{ "require_firmware", l_require_firmware },
		{ "flash", l_uut_flash },
		{ NULL, NULL },
	};
	static const luaL_Reg scale_methods[] = {
		{ "tare", l_scale_tare },
		{ "zero", l_scale_zero },
		{ "weigh", l_scale_weigh },
		{ NULL, NULL },
	};

	new_object(L, UUT_MT, uut_methods, l_uut_index, "uut");
	if (harness_of(L)->station->scale)
		new_object(L, SCALE_MT, scale_methods, NULL, "scale");
}
