#include "rig/station/fixture.h"

#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "rig/station/station.h"
#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

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
	static const char *const keys[] = { "noise", "drift_per_s", "gain", NULL };
	struct df_table s;
	int rc = df_table(t, "sim", &s);

	if (rc <= 0)
		return rc;
	if ((rc = df_check_keys(&s, keys)) >= 0 &&
	    (rc = df_number_in(&s, "noise", 0, 1e6, &ch->sim_noise)) >= 0 &&
	    (rc = df_number(&s, "drift_per_s", &ch->sim_drift_per_s)) >= 0)
		rc = df_number_in(&s, "gain", 0.5, 2, &ch->sim_gain);
	if (rc >= 0 && ch->sim_gain == 0)
		ch->sim_gain = 1; /* absent: the sensor is as calibrated */
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

static int has_uncertainty(const struct fixture *fx, const char *quantity)
{
	for (size_t i = 0; i < fx->nuncertainties; i++)
		if (!strcmp(fx->uncertainties[i].quantity, quantity))
			return 1;
	return 0;
}

/* uncertainty = { depth_mm = 0.01, volume_ul = { u = 0.05, rel_pct = 0.3 }, ... } */
static int read_uncertainty(struct df_table *root, struct fixture *fx)
{
	static const char *const measured[] = { "depth_mm", "volume_ul", "interval_ms",
						"burst_volume_ul", NULL };
	static const char *const keys[] = { "u", "rel_pct", NULL };
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
			    (rc = df_number_in(&v, "u", 0, 1e9, &u->u)) >= 0)
				rc = df_number_in(&v, "rel_pct", 0, 100, &u->rel_pct);
			df_close(&v);
		} else {
			lua_pop(L, 1);
			rc = df_number_in(&un, name, 0, 1e9, &u->u);
		}
		fx->nuncertainties++;
	}
	lua_settop(L, un.idx);
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

int fixture_load(struct fixture *fx, const char *path)
{
	static const char *const keys[] = { "name", "station", "daq", "uut", "scale",
					    "timebase", "environment", "uncertainty", "sockets", NULL };
	struct datafile df;
	struct df_table root;
	int rc;

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->path, sizeof(fx->path), "%s", path);
	rc = datafile_load(&df, path, &root);
	if (rc == 0 && (rc = df_check_keys(&root, keys)) == 0 &&
	    (rc = df_string(&root, "name", fx->name, sizeof(fx->name))) >= 0 &&
	    (rc = df_string(&root, "station", fx->station, sizeof(fx->station))) >= 0 &&
	    (rc = read_daq(&root, &fx->daq)) == 0 && (rc = read_uut(&root, &fx->uut)) == 0 &&
	    (rc = read_scale(&root, &fx->scale)) == 0 &&
	    (rc = read_timebase(&root, &fx->timebase)) == 0 &&
	    (rc = read_environment(&root, &fx->env)) == 0 &&
	    (rc = read_uncertainty(&root, fx)) == 0)
		rc = read_sockets(&root, fx);
	if (rc >= 0 && !fx->name[0])
		rc = df_fail(&root, NULL, "a fixture needs a name");
	if (rc >= 0)
		rc = file_sha256_hex(path, fx->sha256);
	datafile_release(&df);
	return rc < 0 ? rc : 0;
}

int fixture_channel(const struct fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->daq.nchannels; i++)
		if (!strcmp(fx->daq.channels[i].name, name))
			return (int)i;
	return -1;
}

double fixture_uncertainty(const struct fixture *fx, const char *quantity, double value)
{
	for (size_t i = 0; i < fx->nuncertainties; i++) {
		const struct fixture_uncertainty *u = &fx->uncertainties[i];

		if (!strcmp(u->quantity, quantity))
			return u->u + u->rel_pct / 100.0 * (value < 0 ? -value : value);
	}
	return 0;
}

static int expired(const struct fixture_certificate *c, const char *date)
{
	return c->due[0] && strcmp(c->due, date) < 0;
}

int fixture_check_calibration(const struct fixture *fx, const char *date)
{
	for (size_t i = 0; i < fx->daq.nchannels; i++) {
		const struct fixture_channel *ch = &fx->daq.channels[i];

		if (expired(&ch->cert, date))
			return rig_error(RIG_ERR_INTERLOCK,
					 "%s:%d: calibration of the %s sensor (certificate %s) expired on %s "
					 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
					 fx->path, ch->cert.line, ch->name, ch->cert.id, ch->cert.due);
	}
	if (fx->scale.driver[0] && expired(&fx->scale.cert, date))
		return rig_error(RIG_ERR_INTERLOCK,
				 "%s:%d: calibration of the balance (certificate %s) expired on %s "
				 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
				 fx->path, fx->scale.cert.line, fx->scale.cert.id, fx->scale.cert.due);
	if (fx->timebase.model[0] && expired(&fx->timebase.cert, date))
		return rig_error(RIG_ERR_INTERLOCK,
				 "%s:%d: calibration of the timebase (certificate %s) expired on %s "
				 "(recalibrate, or run with --allow-expired-cal, which is recorded)",
				 fx->path, fx->timebase.cert.line, fx->timebase.cert.id,
				 fx->timebase.cert.due);
	return 0;
}
