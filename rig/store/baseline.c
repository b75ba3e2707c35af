/*
 * Baselines: the run a new one is compared with. Scope: the unit model,
 * the firmware branch (major.minor) and the script, so a build is
 * compared with the same suite on its own line of development.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/store/central.h"
#include "rig/store/sql.h"
#include "rig/base/timefmt.h"

int store_set_baseline(struct store *s, const char *run_id, const char *set_by,
		       const char *note)
{
	char now[32];
	int rc;

	time_format_iso(time(NULL), now, sizeof(now));
	rc = store_change_one(s, "INSERT INTO baseline (uut_model, firmware_branch, script_path, "
			      "run_id, set_at, set_by, note) SELECT uut_model, firmware_branch, "
			      "script_path, id, ?, ?, ? FROM run WHERE id = ? "
			      "AND verdict NOT IN ('ERROR', 'ABORTED')", "setting the baseline",
			      run_id, "did not complete (ERROR or ABORTED): it can be no baseline",
			      "tttt", now, set_by, note, run_id);
	if (!rc)
		rc = central_put_baseline(s, run_id, now, set_by, note);
	return rc;
}

/* The first column of the first row of sql bound with run_id, into out. */
static int first_id(struct store *s, const char *sql, const char *run_id, char out[64])
{
	sqlite3_stmt *st;
	int rc = store_prepare(s, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_text(st, 0, out, 64);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_sql_error(s, "finding a baseline");
	sqlite3_finalize(st);
	return rc;
}

int store_find_baseline(struct store *s, const char *run_id, char base_id[64], const char **how)
{
	static const char set_sql[] =
		"SELECT b.run_id FROM baseline b JOIN run r ON r.id = ?1 "
		"WHERE b.uut_model = r.uut_model AND b.firmware_branch = r.firmware_branch "
		"AND b.script_path = r.script_path AND b.run_id <> r.id ORDER BY b.seq DESC LIMIT 1";
	static const char pass_sql[] =
		"SELECT o.id FROM run o JOIN run r ON r.id = ?1 "
		"WHERE o.uut_model = r.uut_model AND o.firmware_branch = r.firmware_branch "
		"AND o.script_path = r.script_path AND o.verdict = 'PASS' AND o.id <> r.id "
		"AND (o.started < r.started OR (o.started = r.started AND o.rowid < r.rowid)) "
		"ORDER BY o.started DESC, o.rowid DESC LIMIT 1";
	int rc = first_id(s, set_sql, run_id, base_id);

	if (rc > 0) {
		*how = "set";
		return 0;
	}
	if (rc == 0 && (rc = first_id(s, pass_sql, run_id, base_id)) > 0) {
		*how = "latest-pass";
		return 0;
	}
	return rc ? rc
		  : rig_error(RIG_ERR_INVALID,
			      "%s: no baseline for run %s: no run set with `rig baseline set` and "
			      "no earlier PASS run of the same model, firmware branch and script "
			      "(name the base run: rig diff BASE RUN)", s->path, run_id);
}
