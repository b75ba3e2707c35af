/* Recording a finished run in the store: one transaction, all or nothing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/store/sql.h"
#include "rig/base/timefmt.h"

static const char run_sql[] =
	"INSERT INTO run (id, started, ended, verdict, station, operator, rig_version, "
	"script_path, script_sha256, fixture_path, fixture_sha256, sim, seed, sim_unit_path, "
	"uut_model, uut_serial, uut_firmware, firmware_branch, firmware_image, firmware_sha256, "
	"out_dir, error, safety_stop, recorded) "
	"VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char param_sql[] = "INSERT INTO run_param VALUES (?,?,?)";
static const char step_sql[] =
	"INSERT INTO step (run_id, step_no, id, requirement, label, depth_mm, dose_ul, "
	"rate_per_min, started, ended, verdict, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
static const char measurement_sql[] =
	"INSERT INTO measurement (run_id, step_no, m_no, name, unit, requirement, target, n, "
	"mean, sd, min, max, lsl, usl, mean_lo, mean_hi, ti_lo, ti_hi, k, confidence, coverage, "
	"cpk, cpk_lo, uncertainty, guard_band, count, expected, verdict, reason) "
	"VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char value_sql[] = "INSERT INTO value VALUES (?,?,?,?,?)";
static const char shot_sql[] = "INSERT INTO shot VALUES (?,?,?,?,?,?,?,?,?)";

enum { Q_RUN, Q_PARAM, Q_STEP, Q_MEASUREMENT, Q_VALUE, Q_SHOT, NQ };

struct put {
	struct store *s;
	const struct run_record *r;
	sqlite3_stmt *q[NQ];
};

static void text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0])
		text(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Step the bound statement and reset it for the next row. */
static int row(struct put *p, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(p->s, what);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int put_run(struct put *p)
{
	const struct run_record *r = p->r;
	sqlite3_stmt *st = p->q[Q_RUN];
	char branch[32], now[32];
	int rc;

	store_firmware_branch(r->uut.firmware, branch, sizeof(branch));
	time_format_iso(time(NULL), now, sizeof(now));
	text(st, 1, r->id);
	text(st, 2, r->started);
	text_or_null(st, 3, r->ended);
	text(st, 4, verdict_name(r->verdict));
	text(st, 5, r->station);
	text(st, 6, r->operator_name);
	text(st, 7, r->rig_version);
	text(st, 8, r->script.path);
	text(st, 9, r->script.sha256);
	text(st, 10, r->fixture_file.path);
	text(st, 11, r->fixture_file.sha256);
	sqlite3_bind_int(st, 12, r->sim);
	if (r->sim) {
		sqlite3_bind_int64(st, 13, (sqlite3_int64)r->seed);
		text(st, 14, r->sim_unit.path);
	}
	text(st, 15, r->uut.model);
	text(st, 16, r->uut.serial);
	text(st, 17, r->uut.firmware);
	text(st, 18, branch);
	text_or_null(st, 19, r->firmware_image.path);
	text_or_null(st, 20, r->firmware_image.sha256);
	text(st, 21, r->out_dir);
	text(st, 22, r->error);
	text(st, 23, r->safety_stop);
	text(st, 24, now);
	if ((rc = row(p, st, "recording the run")) != 0)
		return rc;
	for (size_t i = 0; i < r->nparams && !rc; i++) {
		st = p->q[Q_PARAM];
		text(st, 1, r->id);
		text(st, 2, r->params[i].name);
		text(st, 3, r->params[i].value);
		rc = row(p, st, "recording a run parameter");
	}
	return rc;
}

static int put_measurement(struct put *p, const struct step_record *sr, int step_no, int m_no)
{
	const struct measurement *m = &sr->m[m_no - 1];
	const double reals[] = { m->target, m->mean, m->sd, m->min, m->max, m->lsl, m->usl,
				 m->mean_lo, m->mean_hi, m->ti_lo, m->ti_hi, m->k,
				 m->confidence, m->coverage, m->cpk, m->cpk_lo,
				 m->uncertainty, m->guard_band };
	sqlite3_stmt *st = p->q[Q_MEASUREMENT];
	int rc;

	text(st, 1, p->r->id);
	sqlite3_bind_int(st, 2, step_no);
	sqlite3_bind_int(st, 3, m_no);
	text(st, 4, m->name);
	text(st, 5, m->unit);
	text(st, 6, m->requirement);
	store_bind_real(st, 7, reals[0]);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)m->n);
	for (int i = 1; i < (int)(sizeof(reals) / sizeof(reals[0])); i++)
		store_bind_real(st, 8 + i, reals[i]);
	if (m->count >= 0) {
		sqlite3_bind_int64(st, 26, m->count);
		sqlite3_bind_int64(st, 27, m->expected);
	}
	text(st, 28, verdict_name(m->verdict));
	text(st, 29, m->reason);
	if ((rc = row(p, st, "recording a measurement")) != 0)
		return rc;
	st = p->q[Q_VALUE];
	for (size_t i = 0; i < m->nvalues && !rc; i++) {
		text(st, 1, p->r->id);
		sqlite3_bind_int(st, 2, step_no);
		sqlite3_bind_int(st, 3, m_no);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)i + 1);
		sqlite3_bind_double(st, 5, sr->values[m->value_at + i]);
		rc = row(p, st, "recording a judged value");
	}
	return rc;
}

static int put_shots(struct put *p, const struct step_record *sr, int step_no)
{
	sqlite3_stmt *st = p->q[Q_SHOT];
	int rc = 0;

	for (size_t i = 0; i < sr->nshots && !rc; i++) {
		const struct shot_row *s = &sr->shots[i];

		text(st, 1, p->r->id);
		sqlite3_bind_int(st, 2, step_no);
		sqlite3_bind_int64(st, 3, s->shot);
		sqlite3_bind_int64(st, 4, s->burst);
		store_bind_real(st, 5, s->t_s);
		store_bind_real(st, 6, s->depth_mm);
		store_bind_real(st, 7, s->volume_ul);
		store_bind_real(st, 8, s->interval_ms);
		sqlite3_bind_int64(st, 9, s->flags);
		rc = row(p, st, "recording a shot");
	}
	return rc;
}

static int put_step(struct put *p, int step_no)
{
	const struct step_record *sr = &p->r->steps[step_no - 1];
	sqlite3_stmt *st = p->q[Q_STEP];
	int rc;

	text(st, 1, p->r->id);
	sqlite3_bind_int(st, 2, step_no);
	text(st, 3, sr->id);
	text(st, 4, sr->requirement);
	text(st, 5, sr->label);
	store_bind_real(st, 6, sr->setting.depth_mm);
	store_bind_real(st, 7, sr->setting.dose_ul);
	store_bind_real(st, 8, sr->setting.rate_per_min);
	text_or_null(st, 9, sr->started);
	text_or_null(st, 10, sr->ended);
	text(st, 11, verdict_name(sr->verdict));
	text(st, 12, sr->error);
	if ((rc = row(p, st, "recording a step")) != 0)
		return rc;
	for (size_t j = 0; j < sr->nm && !rc; j++)
		rc = put_measurement(p, sr, step_no, (int)j + 1);
	return rc ? rc : put_shots(p, sr, step_no);
}

int store_put_run(struct store *s, const struct run_record *r)
{
	static const char *const sql[NQ] = { run_sql, param_sql, step_sql,
					     measurement_sql, value_sql, shot_sql };
	struct put p = { .s = s, .r = r };
	int rc = 0;

	for (int i = 0; i < NQ && !rc; i++)
		rc = store_prepare(s, sql[i], &p.q[i]);
	/* IMMEDIATE takes the write lock at once, so a busy store makes this
	 * wait in the busy handler instead of failing halfway. */
	if (!rc)
		rc = store_exec(s, "BEGIN IMMEDIATE", "locking the store");
	if (!rc) {
		rc = put_run(&p);
		for (size_t i = 0; i < r->nsteps && !rc; i++)
			rc = put_step(&p, (int)i + 1);
		if (!rc)
			rc = store_exec(s, "COMMIT", "committing the run");
		if (rc)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(p.q[i]);
	return rc;
}
