#include "rig/station/fixture_load.h"

#include <errno.h>
#include <limits.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"
#include "rig/station/fixture_budget.h"

static int parse_date(struct df_table *t, const char *key, const char *s)
{
	int y, m, d;
	char tail;

	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10 || m < 1 ||
	    m > 12 || d < 1 || d > days[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
		return df_fail(t, key, "\"%s\" is not a date YYYY-MM-DD", s);
	return 0;
}

static int read_certificate(struct df_table *t, struct fixture_certificate *cert)
{
	static const char *const keys[] = { "id", "issuer", "calibrated", "due", NULL };
	struct df_table c;
	int rc = df_table(t, "certificate", &c);

	if (rc <= 0)
		return rc;
	if ((rc = df_check_keys(&c, keys)) < 0 ||
	    (rc = df_string(&c, "id", cert->id, sizeof(cert->id))) < 0 ||
	    (rc = df_string(&c, "issuer", cert->issuer, sizeof(cert->issuer))) < 0 ||
	    (rc = df_string(&c, "calibrated", cert->calibrated, sizeof(cert->calibrated))) < 0 ||
	    (rc = df_string(&c, "due", cert->due, sizeof(cert->due))) < 0)
		goto out;
	if (!cert->id[0] || !cert->due[0]) {
		rc = df_fail(&c, NULL, "a certificate needs id and due");
		goto out;
	}
	cert->line = datafile_line_of(c.df, c.from, "due", NULL);
	rc = parse_date(&c, "due", cert->due);
	if (rc >= 0 && cert->calibrated[0] &&
	    (rc = parse_date(&c, "calibrated", cert->calibrated)) >= 0 &&
	    strcmp(cert->calibrated, cert->due) > 0)
		rc = df_fail(&c, "calibrated", "%s is after the due date %s", cert->calibrated,
			     cert->due);
out:
	df_close(&c);
	return rc;
}

static int read_pair(struct df_table *t, const char *key, double out[2])
{
	struct df_table p;
	int rc = df_table(t, key, &p);

	if (rc <= 0)
		return rc;
	if (df_len(&p) != 2)
		rc = df_fail(t, key, "expected two numbers {lo, hi}");
	else if ((rc = df_item_number(&p, 1, &out[0])) > 0 &&
		 (rc = df_item_number(&p, 2, &out[1])) > 0 && !(out[0] < out[1]))
		rc = df_fail(t, key, "lo %g must be below hi %g", out[0], out[1]);
	df_close(&p);
	return rc;
}

static int read_poly(struct df_table *t, struct fixture_channel *ch)
{
	struct df_table p;
	size_t n;
	int rc = df_table(t, "poly", &p);

	if (rc == 0)
		return df_fail(t, "poly", "missing: the code-to-unit calibration is required");
	if (rc < 0)
		return rc;
	n = df_len(&p);
	if (n < 2 || n > FIXTURE_MAX_POLY) {
		rc = df_fail(t, "poly", "expected 2 to %d coefficients {c0, c1, ...}",
			     FIXTURE_MAX_POLY);
	} else {
		for (size_t i = 0; i < n && rc > 0; i++)
			rc = df_item_number(&p, i + 1, &ch->poly[i]);
		ch->poly_order = (int)n - 1;
		if (rc > 0 && ch->poly[1] == 0)
			rc = df_fail(t, "poly", "c1 must not be zero");
	}
	df_close(&p);
	return rc < 0 ? rc : 0;
}

static int read_channel_sim(struct df_table *t, struct fixture_channel *ch)
{
	static const char *const keys[] = { "noise", "drift_per_s", "gain", "hum", "hum_hz",
					    "clip_above", "stuck_code", "ring_hz",
					    "ring_overshoot_mm", "ring_tau_ms", NULL };
	struct df_table s;
	double stuck = -1;
	int rc;

	ch->sim_hum_hz = 50;
	if ((rc = df_table(t, "sim", &s)) <= 0)
		return rc;
	if ((rc = df_check_keys(&s, keys)) >= 0 &&
	    (rc = df_number_in(&s, "noise", 0, 1e6, &ch->sim_noise)) >= 0 &&
	    (rc = df_number(&s, "drift_per_s", &ch->sim_drift_per_s)) >= 0 &&
	    (rc = df_number_in(&s, "gain", 0.5, 2, &ch->sim_gain)) >= 0 &&
	    (rc = df_number_in(&s, "hum", 0, 1e6, &ch->sim_hum)) >= 0 &&
	    (rc = df_number_in(&s, "hum_hz", 45, 65, &ch->sim_hum_hz)) >= 0 &&
	    (rc = ch->sim_clips = df_number(&s, "clip_above", &ch->sim_clip_above)) >= 0 &&
	    (rc = df_number_in(&s, "stuck_code", 0, 65535, &stuck)) >= 0 &&
	    (rc = df_number_in(&s, "ring_hz", 0, 1e5, &ch->sim_ring_hz)) >= 0 &&
	    (rc = df_number_in(&s, "ring_overshoot_mm", 0, 10, &ch->sim_ring_overshoot_mm)) >= 0)
		rc = df_number_in(&s, "ring_tau_ms", 0, 1000, &ch->sim_ring_tau_ms);
	if (rc >= 0 && ch->sim_gain == 0)
		ch->sim_gain = 1; /* absent: the sensor is as calibrated */
	ch->sim_stuck = stuck >= 0;
	ch->sim_stuck_code = stuck >= 0 ? (unsigned)stuck : 0;
	df_close(&s);
	return rc < 0 ? rc : 0;
}

static int read_aref(struct df_table *t, struct fixture_channel *ch)
{
	static const char *const names[] = { "ground", "common", "diff", "other" };
	char aref[16] = "ground";
	int rc = df_string(t, "aref", aref, sizeof(aref));

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(aref, names[i])) {
			ch->aref = (enum fixture_aref)i;
			return 0;
		}
	return df_fail(t, "aref", "\"%s\" is not ground, common, diff or other", aref);
}

static int read_channel(struct df_table *t, size_t i, struct fixture_channel *ch)
{
	static const char *const keys[] = { "name", "unit", "number", "range_v", "aref", "poly",
					    "sensor", "certificate", "sim", NULL };
	struct df_table c;
	double number = (double)(i - 1);
	int rc = df_item_table(t, i, &c);

	if (rc < 0)
		return rc;
	ch->range_v[0] = -10;
	ch->range_v[1] = 10;
	if ((rc = df_check_keys(&c, keys)) < 0 ||
	    (rc = df_string(&c, "name", ch->name, sizeof(ch->name))) < 0 ||
	    (rc = df_string(&c, "unit", ch->unit, sizeof(ch->unit))) < 0 ||
	    (rc = df_number_in(&c, "number", 0, 255, &number)) < 0 ||
	    (rc = read_pair(&c, "range_v", ch->range_v)) < 0 || (rc = read_aref(&c, ch)) < 0 ||
	    (rc = read_poly(&c, ch)) < 0 ||
	    (rc = df_string(&c, "sensor", ch->sensor, sizeof(ch->sensor))) < 0 ||
	    (rc = read_certificate(&c, &ch->cert)) < 0 || (rc = read_channel_sim(&c, ch)) < 0)
		goto out;
	ch->number = (int)number;
	ch->line = datafile_line_of(c.df, c.from, "name", NULL);
	if (!ch->name[0] || !ch->unit[0])
		rc = df_fail(&c, NULL, "a channel needs name and unit");
out:
	df_close(&c);
	return rc < 0 ? rc : 0;
}

/* A driver name this rig has no backend for, refused where the file says it. */
static int check_driver(struct df_table *t, const char *driver, int known, const char *list)
{
	return known ? 0 : df_fail(t, "driver", "\"%s\" is not a driver of this rig (%s)",
				   driver, list);
}

static int read_channels(struct df_table *t, struct fixture_channel *ch, size_t *n)
{
	struct df_table chans;
	int rc = df_table(t, "channels", &chans);

	if (rc == 0)
		rc = df_fail(t, "channels", "missing: list the DAQ channels");
	if (rc < 0)
		return rc;
	*n = df_len(&chans);
	if (*n == 0 || *n > FIXTURE_MAX_CHANNELS)
		rc = df_fail(t, "channels", "expected 1 to %d channels", FIXTURE_MAX_CHANNELS);
	for (size_t i = 0; rc >= 0 && i < *n; i++)
		rc = read_channel(&chans, i + 1, &ch[i]);
	for (size_t i = 0; rc >= 0 && i < *n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ch[i].name, ch[j].name)) {
				rc = df_fail(t, "channels", "channel name \"%s\" used twice", ch[i].name);
				break;
			}
	df_close(&chans);
	return rc < 0 ? rc : 0;
}

static int read_daq(struct df_table *root, struct fixture_daq *daq)
{
	static const char *const keys[] = { "driver", "device", "board", "ai_subdevice",
					    "dio_subdevice", "trigger_line", "rate_hz", "bits",
					    "block_scans", "calibration_file", "channels", NULL };
	struct df_table d;
	double ai = -1, dio = -1, line = 0, bits = 16, block = 1024;
	int rc = df_table(root, "daq", &d);

	if (rc == 0)
		return df_fail(root, "daq", "missing: a fixture must describe its DAQ");
	if (rc < 0)
		return rc;
	snprintf(daq->driver, sizeof(daq->driver), "sim");
	daq->rate_hz = 20000;
	if ((rc = df_check_keys(&d, keys)) < 0 ||
	    (rc = df_string(&d, "driver", daq->driver, sizeof(daq->driver))) < 0 ||
	    (rc = check_driver(&d, daq->driver, daq_backend(daq->driver) != NULL,
			       "sim or comedi")) < 0 ||
	    (rc = df_string(&d, "device", daq->device, sizeof(daq->device))) < 0 ||
	    (rc = df_string(&d, "board", daq->board, sizeof(daq->board))) < 0 ||
	    (rc = df_number_in(&d, "ai_subdevice", -1, 255, &ai)) < 0 ||
	    (rc = df_number_in(&d, "dio_subdevice", -1, 255, &dio)) < 0 ||
	    (rc = df_number_in(&d, "trigger_line", 0, 31, &line)) < 0 ||
	    (rc = df_number_in(&d, "rate_hz", 100, 10e6, &daq->rate_hz)) < 0 ||
	    (rc = df_number_in(&d, "bits", 8, 24, &bits)) < 0 ||
	    (rc = df_number_in(&d, "block_scans", 1, 1 << 20, &block)) < 0 ||
	    (rc = df_string(&d, "calibration_file", daq->calibration_file,
			    sizeof(daq->calibration_file))) < 0)
		goto out;
	daq->device_line = datafile_line_of(d.df, d.from, "device", NULL);
	daq->rate_line = datafile_line_of(d.df, d.from, "rate_hz", NULL);
	daq->ai_subdevice = (int)ai;
	daq->dio_subdevice = (int)dio;
	daq->trigger_line = (int)line;
	daq->bits = (unsigned)bits;
	daq->block_scans = (unsigned)block;
	rc = read_channels(&d, daq->channels, &daq->nchannels);
out:
	df_close(&d);
	return rc < 0 ? rc : 0;
}

static int read_uut(struct df_table *root, struct fixture_uut *uut)
{
	static const char *const keys[] = { "driver", "vid", "pid", "serial", "timeout_ms", NULL };
	struct df_table u;
	double vid = 0, pid = 0, timeout = 1000;
	int rc;

	snprintf(uut->driver, sizeof(uut->driver), "sim");
	rc = df_table(root, "uut", &u);
	if (rc <= 0) {
		uut->timeout_ms = (unsigned)timeout;
		return rc;
	}
	if ((rc = df_check_keys(&u, keys)) >= 0 &&
	    (rc = df_string(&u, "driver", uut->driver, sizeof(uut->driver))) >= 0 &&
	    (rc = check_driver(&u, uut->driver, uut_backend(uut->driver) != NULL,
			       "sim or injector")) >= 0 &&
	    (rc = df_number_in(&u, "vid", 0, 0xffff, &vid)) >= 0 &&
	    (rc = df_number_in(&u, "pid", 0, 0xffff, &pid)) >= 0 &&
	    (rc = df_string(&u, "serial", uut->serial, sizeof(uut->serial))) >= 0)
		rc = df_number_in(&u, "timeout_ms", 1, 600000, &timeout);
	uut->vid = (unsigned)vid;
	uut->pid = (unsigned)pid;
	uut->timeout_ms = (unsigned)timeout;
	df_close(&u);
	return rc < 0 ? rc : 0;
}

static int read_scale(struct df_table *root, struct fixture_scale *sc)
{
	static const char *const keys[] = { "driver", "port", "baud", "model", "certificate",
					    "readability_mg", "timeout_ms", NULL };
	struct df_table s;
	double baud = 9600, timeout = 10000;
	int rc = df_table(root, "scale", &s);

	sc->readability_mg = 0.01;
	if (rc <= 0) {
		sc->baud = (unsigned)baud;
		sc->timeout_ms = (unsigned)timeout;
		return rc;
	}
	if ((rc = df_check_keys(&s, keys)) >= 0 &&
	    (rc = df_string(&s, "driver", sc->driver, sizeof(sc->driver))) >= 0 &&
	    (rc = check_driver(&s, sc->driver, !sc->driver[0] || scale_backend(sc->driver) != NULL,
			       "sim or mtsics")) >= 0 &&
	    (rc = df_string(&s, "port", sc->port, sizeof(sc->port))) >= 0 &&
	    (rc = df_number_in(&s, "baud", 300, 921600, &baud)) >= 0 &&
	    (rc = df_string(&s, "model", sc->model, sizeof(sc->model))) >= 0 &&
	    (rc = read_certificate(&s, &sc->cert)) >= 0 &&
	    (rc = df_number_in(&s, "readability_mg", 0, 1000, &sc->readability_mg)) >= 0)
		rc = df_number_in(&s, "timeout_ms", 1, 600000, &timeout);
	sc->baud = (unsigned)baud;
	sc->timeout_ms = (unsigned)timeout;
	df_close(&s);
	return rc < 0 ? rc : 0;
}

/* timebase = { model = "...", certificate = { ... } }: the DAQ's clock. */
static int read_timebase(struct df_table *root, struct fixture_timebase *tb)
{
	static const char *const keys[] = { "model", "certificate", NULL };
	struct df_table t;
	int rc = df_table(root, "timebase", &t);

	if (rc <= 0)
		return rc;
	if ((rc = df_check_keys(&t, keys)) >= 0 &&
	    (rc = df_string(&t, "model", tb->model, sizeof(tb->model))) >= 0 &&
	    (rc = read_certificate(&t, &tb->cert)) >= 0 && !tb->model[0])
		rc = df_fail(&t, NULL, "a timebase needs a model");
	df_close(&t);
	return rc < 0 ? rc : 0;
}

static int read_environment(struct df_table *root, struct fixture_environment *env)
{
	static const char *const keys[] = { "temperature_c", "pressure_kpa", "humidity_pct",
					    "evaporation_mg_per_s", NULL };
	struct df_table e;
	int rc;

	env->temperature_c = 20;
	env->pressure_kpa = 101.325;
	env->humidity_pct = 50;
	rc = df_table(root, "environment", &e);
	if (rc <= 0)
		return rc;
	if ((rc = df_check_keys(&e, keys)) >= 0 &&
	    (rc = df_number_in(&e, "temperature_c", 15, 30, &env->temperature_c)) >= 0 &&
	    (rc = df_number_in(&e, "pressure_kpa", 80, 110, &env->pressure_kpa)) >= 0 &&
	    (rc = df_number_in(&e, "humidity_pct", 0, 100, &env->humidity_pct)) >= 0)
		rc = df_number_in(&e, "evaporation_mg_per_s", 0, 10, &env->evaporation_mg_per_s);
	df_close(&e);
	return rc < 0 ? rc : 0;
}

/* msa = { valid_days = 90, sim = { part_sd_mm = ..., operator_sd_mm = ..., load_sd_mm = ... } } */
static int read_msa(struct df_table *root, struct fixture_msa *msa)
{
	static const char *const keys[] = { "valid_days", "sim", NULL };
	static const char *const sim_keys[] = { "part_sd_mm", "operator_sd_mm", "load_sd_mm", NULL };
	struct df_table m, s;
	int rc = df_table(root, "msa", &m);

	msa->valid_days = 0;
	msa->sim_part_sd_mm = 0.05;
	if (rc <= 0)
		return rc;
	if ((rc = df_check_keys(&m, keys)) >= 0 &&
	    (rc = df_number_in(&m, "valid_days", 0, 3650, &msa->valid_days)) >= 0 &&
	    (rc = df_table(&m, "sim", &s)) > 0) {
		if ((rc = df_check_keys(&s, sim_keys)) >= 0 &&
		    (rc = df_number_in(&s, "part_sd_mm", 0, 1, &msa->sim_part_sd_mm)) >= 0 &&
		    (rc = df_number_in(&s, "operator_sd_mm", 0, 1, &msa->sim_operator_sd_mm)) >= 0)
			rc = df_number_in(&s, "load_sd_mm", 0, 1, &msa->sim_load_sd_mm);
		df_close(&s);
	}
	df_close(&m);
	return rc < 0 ? rc : 0;
}

static int has_uncertainty(const struct fixture *fx, const char *quantity)
{
	for (size_t i = 0; i < fx->nuncertainties; i++)
		if (!strcmp(fx->uncertainties[i].quantity, quantity))
			return 1;
	return 0;
}

static int by_quantity(const void *a, const void *b)
{
	return strcmp(((const struct fixture_uncertainty *)a)->quantity,
		      ((const struct fixture_uncertainty *)b)->quantity);
}

/* uncertainty = { depth_mm = 0.01, volume_ul = { u = 0.05, rel_pct = 0.3 }, ... } */
static int read_uncertainty(struct df_table *root, struct fixture *fx)
{
	static const char *const measured[] = { "depth_mm", "volume_ul", "interval_ms",
						"burst_volume_ul", NULL };
	static const char *const keys[] = { "u", "rel_pct", "budget", "p", NULL };
	struct df_table un;
	lua_State *L = root->df->L;
	int rc = df_table(root, "uncertainty", &un);

	if (rc == 0)
		return df_fail(root, NULL, "uncertainty: missing: the expanded uncertainty U (k = 2) "
			       "of each measured quantity is the guard band of its verdicts");
	if (rc < 0)
		return rc;
	lua_pushnil(L);
	while (rc >= 0 && lua_next(L, un.idx)) {
		struct fixture_uncertainty *u = &fx->uncertainties[fx->nuncertainties];
		const char *name;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			rc = df_fail(&un, NULL, "keys must be quantity names");
			break;
		}
		name = lua_tostring(L, -1);
		if (fx->nuncertainties == FIXTURE_MAX_UNCERTAINTIES ||
		    strlen(name) >= sizeof(u->quantity)) {
			rc = df_fail(&un, name, "too many quantities or name too long");
			break;
		}
		snprintf(u->quantity, sizeof(u->quantity), "%s", name);
		lua_pushvalue(L, -1);
		if (lua_rawget(L, un.idx) == LUA_TTABLE) {
			struct df_table v;

			lua_pop(L, 1);
			df_table(&un, name, &v);
			if ((rc = df_check_keys(&v, keys)) >= 0 &&
			    (rc = df_number_in(&v, "u", 0, 1e9, &u->u)) >= 0 &&
			    (rc = df_number_in(&v, "rel_pct", 0, 100, &u->rel_pct)) >= 0)
				rc = fixture_read_budget(&v, u);
			df_close(&v);
		} else {
			lua_pop(L, 1);
			rc = df_number_in(&un, name, 0, 1e9, &u->u);
		}
		fx->nuncertainties++;
	}
	lua_settop(L, un.idx);
	/* In name order: Lua's table order differs from process to process,
	 * and the record, its reports and a recovered run must not. */
	qsort(fx->uncertainties, fx->nuncertainties, sizeof(fx->uncertainties[0]), by_quantity);
	/* A misspelt quantity must not pass for one without a guard band. */
	for (const char *const *q = measured; rc >= 0 && *q; q++)
		if ((strcmp(*q, "burst_volume_ul") || fx->scale.driver[0]) &&
		    !has_uncertainty(fx, *q))
			rc = df_fail(&un, NULL, "%s: missing (every quantity rig measures needs its U)",
				     *q);
	df_close(&un);
	return rc < 0 ? rc : 0;
}

static int read_sockets(struct df_table *root, struct fixture *fx)
{
	static const char *const keys[] = { "name", "uut", "trigger_line", "channels", NULL };
	struct df_table list;
	int rc = df_table(root, "sockets", &list);

	if (rc <= 0)
		return rc;
	fx->nsockets = df_len(&list);
	if (fx->nsockets < 1 || fx->nsockets > FIXTURE_MAX_SOCKETS)
		rc = df_fail(root, "sockets", "expected 1 to %d sockets", FIXTURE_MAX_SOCKETS);
	for (size_t i = 0; rc >= 0 && i < fx->nsockets; i++) {
		struct fixture_socket *so = &fx->sockets[i];
		struct df_table t;
		double line = -1;

		if ((rc = df_item_table(&list, i + 1, &t)) <= 0) {
			rc = rc < 0 ? rc : df_fail(&list, NULL, "socket %zu: expected a table", i + 1);
			break;
		}
		so->trigger_line = -1;
		if ((rc = df_check_keys(&t, keys)) >= 0 &&
		    (rc = df_string(&t, "name", so->name, sizeof(so->name))) >= 0 &&
		    (rc = read_uut(&t, &so->uut)) >= 0 &&
		    (rc = df_number_in(&t, "trigger_line", -1, 31, &line)) >= 0) {
			so->trigger_line = (int)line;
			if (!so->name[0] || strspn(so->name, "abcdefghijklmnopqrstuvwxyz"
							   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
						    strlen(so->name))
				rc = df_fail(&t, "name", "a socket needs a name of letters, digits, "
					     "'-' and '_'");
		}
		if (rc >= 0) {
			struct df_table probe;
			int has = df_table(&t, "channels", &probe);

			if (has > 0)
				df_close(&probe);
			if (has > 0)
				rc = read_channels(&t, so->channels, &so->nchannels);
			else if (has < 0)
				rc = has;
		}
		for (size_t j = 0; rc >= 0 && j < i; j++)
			if (!strcmp(fx->sockets[j].name, so->name))
				rc = df_fail(&t, "name", "socket name \"%s\" used twice", so->name);
		df_close(&t);
	}
	df_close(&list);
	return rc < 0 ? rc : 0;
}

int fixture_select_socket(struct fixture *fx, const char *name)
{
	char names[FIXTURE_MAX_SOCKETS * 18] = "";
	size_t used = 0;

	for (size_t i = 0; i < fx->nsockets; i++) {
		const struct fixture_socket *so = &fx->sockets[i];

		if (strcmp(so->name, name)) {
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 used ? ", " : "", so->name);
			continue;
		}
		fx->uut = so->uut;
		if (so->trigger_line >= 0)
			fx->daq.trigger_line = so->trigger_line;
		if (so->nchannels) {
			fx->daq.nchannels = so->nchannels;
			memcpy(fx->daq.channels, so->channels, sizeof(so->channels));
		}
		snprintf(fx->socket, sizeof(fx->socket), "%s", name);
		return 0;
	}
	if (!fx->nsockets)
		return rig_error(RIG_ERR_INVALID, "%s: --socket %s: the fixture declares no sockets",
				 fx->path, name);
	return rig_error(RIG_ERR_INVALID, "%s: no socket \"%s\" (sockets: %s)", fx->path, name,
			 names);
}

/* Every reader over one fixture table (its bases merged in). */
static int parse_fixture(struct df_table *root, struct fixture *fx)
{
	static const char *const keys[] = { "name", "station", "daq", "uut", "scale", "timebase",
					    "environment", "uncertainty", "sockets", "msa",
					    "extends", NULL };
	int rc;

	if ((rc = df_check_keys(root, keys)) == 0 &&
	    (rc = df_string(root, "name", fx->name, sizeof(fx->name))) >= 0 &&
	    (rc = df_string(root, "station", fx->station, sizeof(fx->station))) >= 0 &&
	    (rc = read_daq(root, &fx->daq)) == 0 && (rc = read_uut(root, &fx->uut)) == 0 &&
	    (rc = read_scale(root, &fx->scale)) == 0 &&
	    (rc = read_timebase(root, &fx->timebase)) == 0 &&
	    (rc = read_environment(root, &fx->env)) == 0 &&
	    (rc = read_msa(root, &fx->msa)) == 0 &&
	    (rc = read_uncertainty(root, fx)) == 0)
		rc = read_sockets(root, fx);
	if (rc >= 0 && !fx->name[0])
		rc = df_fail(root, NULL, "a fixture needs a name");
	return rc < 0 ? rc : 0;
}

/* A fixture may extend another (docs/file-formats.md, "extends"): at most
 * this many files deep. */
#define FIXTURE_MAX_EXTENDS 8

/* A fixture file's table with its bases merged in, and the bytes its
 * SHA-256 covers: its own, then its base's (and so on). */
struct fixture_text {
	struct datafile df;
	struct df_table root;
	char *bytes;
	size_t nbytes;
};

struct extends_chain {
	char real[FIXTURE_MAX_EXTENDS + 1][4096]; /* the files so far, resolved */
	size_t n;
};

static void fixture_text_release(struct fixture_text *ft)
{
	datafile_release(&ft->df);
	free(ft->bytes);
	ft->bytes = NULL;
}

static int append_bytes(struct fixture_text *ft, const char *data, size_t len)
{
	char *p = realloc(ft->bytes, ft->nbytes + len + 1);

	if (!p)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", ft->df.path);
	memcpy(p + ft->nbytes, data, len);
	ft->bytes = p;
	ft->nbytes += len;
	return 0;
}

static int load_text(struct fixture_text *ft, const char *path, struct extends_chain *chain);

/* The base the fixture at path names in extends, relative to its own
 * folder: loaded (its own bases merged), checked as a fixture of its own,
 * so a mistake in it is named with its file and line, then merged under. */
static int merge_base(struct fixture_text *ft, const char *path, const char *base,
		      struct extends_chain *chain)
{
	static const char *const skip[] = { "extends", NULL };
	char dir[4096], bpath[4096], real[PATH_MAX];
	struct fixture_text bt = { 0 };
	struct fixture *check;
	const char *slash = strrchr(path, '/');
	int rc;

	if (!base[0])
		return df_fail(&ft->root, "extends", "needs the base fixture's file name");
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (base[0] == '/')
		rc = path_format(bpath, sizeof(bpath), "%s", base);
	else
		rc = path_format(bpath, sizeof(bpath), "%s/%s", slash == path ? "" : dir, base);
	if (rc)
		return df_fail(&ft->root, "extends", "%s", rig_last_error());
	if (!realpath(bpath, real))
		return df_fail(&ft->root, "extends", "%s: %s", bpath, strerror(errno));
	for (size_t i = 0; i < chain->n; i++)
		if (!strcmp(chain->real[i], real))
			return df_fail(&ft->root, "extends", "%s: a cycle (that file is already "
				       "one this fixture extends, or this fixture itself)", bpath);
	if (chain->n > FIXTURE_MAX_EXTENDS)
		return df_fail(&ft->root, "extends", "more than %d fixtures deep",
			       FIXTURE_MAX_EXTENDS);
	if (!(check = calloc(1, sizeof(*check))))
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	if ((rc = load_text(&bt, bpath, chain)) == 0 && (rc = parse_fixture(&bt.root, check)) == 0 &&
	    (rc = df_merge_base(&ft->root, &bt.root, skip)) == 0)
		rc = append_bytes(ft, bt.bytes, bt.nbytes);
	fixture_text_release(&bt);
	free(check);
	return rc;
}

static int load_text(struct fixture_text *ft, const char *path, struct extends_chain *chain)
{
	char base[4096] = "", real[PATH_MAX];
	int rc;

	memset(ft, 0, sizeof(*ft));
	if ((rc = datafile_load(&ft->df, path, &ft->root)) != 0 ||
	    (rc = append_bytes(ft, ft->df.source, ft->df.size)) != 0)
		return rc;
	if ((rc = df_string(&ft->root, "extends", base, sizeof(base))) <= 0)
		return rc;
	if (!realpath(path, real) || chain->n > FIXTURE_MAX_EXTENDS)
		return df_fail(&ft->root, "extends", "%s: cannot resolve", path);
	snprintf(chain->real[chain->n++], sizeof(chain->real[0]), "%s", real);
	return merge_base(ft, path, base, chain);
}

int fixture_load(struct fixture *fx, const char *path)
{
	struct extends_chain *chain = calloc(1, sizeof(*chain));
	struct fixture_text ft = { 0 };
	int rc;

	memset(fx, 0, sizeof(*fx));
	if (!chain)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	if ((rc = path_format(fx->path, sizeof(fx->path), "%s", path)) == 0 &&
	    (rc = load_text(&ft, path, chain)) == 0 && (rc = parse_fixture(&ft.root, fx)) == 0)
		sha256_hex(ft.bytes, ft.nbytes, fx->sha256);
	fixture_text_release(&ft);
	free(chain);
	return rc < 0 ? rc : 0;
}
