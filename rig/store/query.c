/* Reading the store back: run lookup, history listing, trend rows. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/store/central.h"
#include "rig/store/sql.h"

void store_firmware_branch(const char *version, char *out, size_t len)
{
	const char *p = version;
	size_t n;

	/* major.minor: digits, a dot, digits */
	while (isdigit((unsigned char)*p))
		p++;
	if (p > version && *p == '.' && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		n = (size_t)(p - version);
	} else {
		n = strlen(version);
	}
	snprintf(out, len, "%.*s", (int)n, version);
}

int store_resolve_run(struct store *s, const char *id, char out[64])
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (!id[0] || strlen(id) >= 64 || strpbrk(id, "%_\\"))
		return rig_error(RIG_ERR_INVALID, "\"%s\" is not a run id", id);
	if ((rc = store_prepare(s, !strcmp(id, "latest")
					   ? "SELECT id FROM run WHERE ?1 = ?1 "
					     "ORDER BY started DESC, rowid DESC LIMIT 1"
					   : "SELECT id FROM run WHERE id = ?1 OR id LIKE ?1 || '%' "
					     "ORDER BY id = ?1 DESC LIMIT 2",
				&st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);

		if (found && strcmp(out, id) != 0) {
			char other[64];

			snprintf(other, sizeof(other), "%s", got); /* finalize frees got */
			sqlite3_finalize(st);
			return rig_error(RIG_ERR_INVALID, "%s: run id \"%s\" is ambiguous (%s, %s, ...)",
					 s->path, id, out, other);
		}
		if (!found)
			snprintf(out, 64, "%s", got);
		found = 1;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_error(s, "looking up a run");
	sqlite3_finalize(st);
	if (!rc && !found)
		rc = rig_error(RIG_ERR_INVALID, "%s: no run \"%s\" in the store (see rig history)",
			       s->path, id);
	return rc;
}

static enum verdict verdict_of(const char *name)
{
	for (enum verdict v = VERDICT_NONE; v <= VERDICT_LAST; v++)
		if (!strcmp(name, verdict_name(v)))
			return v;
	return VERDICT_ERROR;
}

#define RUN(kind, field) STORE_##kind(struct run_record, field)
/* load_header's columns (its verdict is parsed). */
static const struct store_col header_cols[] = {
	RUN(TEXT, id), RUN(TEXT, started), RUN(TEXT, ended), STORE_SKIP, RUN(TEXT, station),
	RUN(TEXT, operator_name), RUN(TEXT, script.path), RUN(TEXT, script.sha256),
	RUN(TEXT, fixture_file.path), RUN(INT, sim), RUN(INT, seed), RUN(TEXT, uut.model),
	RUN(TEXT, uut.serial), RUN(TEXT, uut.firmware), RUN(TEXT, firmware_image.path),
	RUN(TEXT, firmware_image.sha256), RUN(TEXT, out_dir),
};
#undef RUN

static int load_header(struct store *s, const char *id, struct run_record *r)
{
	sqlite3_stmt *st;
	char verdict[16];
	int rc = store_prepare(s, "SELECT id, started, ended, verdict, station, operator, "
				  "script_path, script_sha256, fixture_path, sim, seed, uut_model, "
				  "uut_serial, uut_firmware, firmware_image, firmware_sha256, out_dir "
				  "FROM run WHERE id = ?", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		STORE_READ_ROW(st, 0, header_cols, r);
		store_column_text(st, 3, verdict, sizeof(verdict));
		r->verdict = verdict_of(verdict);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? rig_error(RIG_ERR_INVALID, "%s: no run \"%s\"", s->path, id)
				       : store_sql_error(s, "reading a run");
	}
	sqlite3_finalize(st);
	return rc;
}

#define STEP(kind, field) STORE_##kind(struct step_record, field)
static const struct store_col step_cols[] = {
	STEP(TEXT, id), STEP(TEXT, requirement), STEP(TEXT, label), STEP(REAL, setting.depth_mm),
	STEP(REAL, setting.dose_ul), STEP(REAL, setting.rate_per_min),
};
#undef STEP

static int load_steps(struct store *s, struct run_record *r)
{
	sqlite3_stmt *st;
	char verdict[16];
	int rc = store_prepare(s, "SELECT id, requirement, label, depth_mm, dose_ul, "
				  "rate_per_min, verdict FROM step WHERE run_id = ? ORDER BY step_no",
			       &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct step_record *sr = run_record_add_step(r);

		if (!sr) {
			sqlite3_finalize(st);
			return rig_error(RIG_ERR_NOMEM, "out of memory loading run %s", r->id);
		}
		STORE_READ_ROW(st, 0, step_cols, sr);
		store_column_text(st, 6, verdict, sizeof(verdict));
		sr->verdict = verdict_of(verdict);
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_error(s, "reading steps");
	sqlite3_finalize(st);
	return rc;
}

static int load_values(struct store *s, const char *run_id, int step_no, int m_no,
		       struct step_record *sr, struct measurement *m)
{
	sqlite3_stmt *st;
	double *x = NULL;
	size_t n = 0, cap = 0;
	int rc = store_prepare(s, "SELECT v FROM value WHERE run_id = ? AND step_no = ? AND "
				  "m_no = ? ORDER BY i", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, step_no);
	sqlite3_bind_int(st, 3, m_no);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			double *p = realloc(x, (cap = cap ? 2 * cap : 64) * sizeof(*x));

			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			x = p;
		}
		x[n++] = sqlite3_column_double(st, 0);
	}
	rc = rc == SQLITE_DONE ? step_keep_values(sr, m, x, n)
	     : rc == SQLITE_NOMEM ? rig_error(RIG_ERR_NOMEM, "out of memory loading values")
				  : store_sql_error(s, "reading values");
	free(x);
	sqlite3_finalize(st);
	return rc;
}

#define M(kind, field) STORE_##kind(struct measurement, field)
/* load_measurements' columns from the third (name) to the one before the verdict. */
static const struct store_col measurement_cols[] = {
	M(TEXT, name), M(TEXT, unit), M(TEXT, requirement), M(REAL, target), M(INT, n),
	M(REAL, mean), M(REAL, sd), M(REAL, min), M(REAL, max), M(REAL, lsl), M(REAL, usl),
	M(REAL, mean_lo), M(REAL, mean_hi), M(REAL, cpk), M(REAL, cpk_lo), M(REAL, uncertainty),
};
#undef M

static int load_measurements(struct store *s, struct run_record *r)
{
	sqlite3_stmt *st;
	char verdict[16];
	int rc = store_prepare(s, "SELECT step_no, m_no, name, unit, requirement, target, n, mean, "
				  "sd, min, max, lsl, usl, mean_lo, mean_hi, cpk, cpk_lo, "
				  "uncertainty, verdict FROM measurement WHERE run_id = ? "
				  "ORDER BY step_no, m_no", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int step_no = sqlite3_column_int(st, 0), m_no = sqlite3_column_int(st, 1);
		struct step_record *sr;
		struct measurement *m;

		if (step_no < 1 || (size_t)step_no > r->nsteps) {
			sqlite3_finalize(st);
			return rig_error(RIG_ERR_INVALID, "%s: run %s: measurement of a missing step",
					 s->path, r->id);
		}
		sr = &r->steps[step_no - 1];
		if (!(m = step_add_measurement(sr))) {
			sqlite3_finalize(st);
			return rig_error(RIG_ERR_NOMEM, "out of memory loading run %s", r->id);
		}
		STORE_READ_ROW(st, 2, measurement_cols, m);
		store_column_text(st, 18, verdict, sizeof(verdict));
		m->verdict = verdict_of(verdict);
		if ((rc = load_values(s, r->id, step_no, m_no, sr, m)) != 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_error(s, "reading measurements");
	sqlite3_finalize(st);
	return rc;
}

int store_load_run(struct store *s, const char *id, struct run_record *r)
{
	int rc = load_header(s, id, r);

	if (!rc)
		rc = central_fetch_values(s, id);
	if (!rc)
		rc = load_steps(s, r);
	return rc ? rc : load_measurements(s, r);
}

int store_list_modules(struct store *s, const char *run_id, store_module_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT m.path, m.sha256, t.text FROM run_module m "
		"LEFT JOIN module_text t ON t.sha256 = m.sha256 WHERE m.run_id = ? ORDER BY m.path";
	sqlite3_stmt *st;
	int rc = store_prepare(s, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char path[4096], sha[65];
		const void *text = sqlite3_column_blob(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		int stop;

		store_column_text(st, 0, path, sizeof(path));
		store_column_text(st, 1, sha, sizeof(sha));
		if ((stop = fn(ctx, path, sha, text, text ? len : 0)) != 0) {
			sqlite3_finalize(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_error(s, "reading a run's modules");
	sqlite3_finalize(st);
	return rc;
}

/* WHERE clause of a filter; bind_filter binds its values from ?1 on. */
static const char filter_sql[] =
	" (?1 IS NULL OR r.uut_serial = ?1) AND (?2 IS NULL OR r.uut_firmware = ?2) AND "
	"(?3 IS NULL OR r.firmware_branch = ?3) AND (?4 IS NULL OR r.uut_model = ?4) AND "
	"(?5 IS NULL OR r.script_path = ?5) AND (?6 IS NULL OR r.verdict = ?6) ";

static void bind_filter(sqlite3_stmt *st, const struct store_filter *f)
{
	const char *v[] = { f->serial, f->firmware, f->branch, f->model, f->script, f->verdict };

	for (int i = 0; i < 6; i++)
		if (v[i])
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : -1);
}

/* The statement "before WHERE-clause-of-f after", prepared with f bound. */
static int prepare_filtered(struct store *s, const char *before, const char *after,
			    const struct store_filter *f, sqlite3_stmt **st)
{
	char sql[1400];
	int n = snprintf(sql, sizeof(sql), "%s%s%s", before, filter_sql, after), rc;

	if (n < 0 || (size_t)n >= sizeof(sql))
		return rig_error(RIG_ERR_INVALID, "a filtered query is longer than %zu bytes",
				 sizeof(sql) - 1);
	if ((rc = store_prepare(s, sql, st)) != 0)
		return rc;
	bind_filter(*st, f);
	return 0;
}

/*
 * Step st of a listing: 1 with its next row read into row as cols say; at
 * the end 0, or the SQL error as `what`, st finalized.
 */
static int next_row(struct store *s, sqlite3_stmt *st, const struct store_col *cols, size_t n,
		    void *row, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		store_column_row(st, 0, cols, n, row);
		return 1;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_error(s, what);
	sqlite3_finalize(st);
	return rc;
}

#define NEXT_ROW(s, st, cols, row, what) \
	next_row(s, st, cols, sizeof(cols) / sizeof((cols)[0]), row, what)

#define ROW(kind, field) STORE_##kind(struct store_run_row, field)
static const struct store_col run_row_cols[] = {
	ROW(TEXT, id), ROW(TEXT, started), ROW(TEXT, verdict), ROW(TEXT, model), ROW(TEXT, serial),
	ROW(TEXT, firmware), ROW(TEXT, branch), ROW(TEXT, script), ROW(TEXT, out_dir),
	ROW(INT, steps),
};
#undef ROW

int store_list_runs(struct store *s, const struct store_filter *f, store_run_fn fn, void *ctx)
{
	struct store_run_row row;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare_filtered(s, "SELECT r.id, r.started, r.verdict, r.uut_model, "
				   "r.uut_serial, r.uut_firmware, r.firmware_branch, r.script_path, "
				   "r.out_dir, (SELECT count(*) FROM step WHERE run_id = r.id) "
				   "FROM run r WHERE ",
				   " ORDER BY r.started DESC, r.rowid DESC LIMIT ?7", f, &st)) != 0)
		return rc;
	while ((rc = NEXT_ROW(s, st, run_row_cols, &row, "listing runs")) == 1)
		if (fn(ctx, &row)) {
			sqlite3_finalize(st);  /* the caller stopped early */
			return 0;
		}
	return rc;
}

#define ROW(kind, field) STORE_##kind(struct store_trend_row, field)
static const struct store_col trend_row_cols[] = {
	ROW(TEXT, run_id), ROW(TEXT, started), ROW(TEXT, firmware), ROW(TEXT, step_id),
	ROW(TEXT, name), ROW(TEXT, unit), ROW(INT, n), ROW(REAL, mean), ROW(REAL, sd),
	ROW(REAL, target),
};
#undef ROW

int store_list_measurements(struct store *s, const char *requirement,
			    const struct store_filter *f, store_trend_fn fn, void *ctx)
{
	struct store_trend_row row;
	sqlite3_stmt *st;
	int rc;

	/* The newest `limit` runs, shown oldest first. */
	if ((rc = prepare_filtered(s, "SELECT r.id, r.started, r.uut_firmware, p.id, m.name, "
				   "m.unit, m.n, m.mean, m.sd, m.target FROM measurement m "
				   "JOIN step p USING (run_id, step_no) JOIN run r ON r.id = m.run_id "
				   "WHERE m.requirement = ?8 AND r.id IN (SELECT r.id FROM run r WHERE ",
				   " ORDER BY r.started DESC, r.rowid DESC LIMIT ?7) "
				   "ORDER BY r.started, r.rowid, m.step_no, m.m_no", f, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 8, requirement, -1, SQLITE_STATIC);
	while ((rc = NEXT_ROW(s, st, trend_row_cols, &row, "listing measurements")) == 1)
		if (fn(ctx, &row)) {
			sqlite3_finalize(st);  /* the caller stopped early */
			return 0;
		}
	return rc;
}
