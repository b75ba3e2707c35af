/*
 * The head of a run's signature chain: the store is a second copy the
 * person who edits a run directory does not also rewind.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/store/sql.h"
#include "rig/base/timefmt.h"

int store_set_signature_head(struct store *s, const char *run_id, long records,
			     const char *sha256)
{
	char now[32];

	time_format_iso(time(NULL), now, sizeof(now));
	return store_change_one(s, "INSERT INTO signature_head (run_id, records, sha256, updated) "
				"SELECT id, ?, ?, ? FROM run WHERE id = ? ON CONFLICT (run_id) DO "
				"UPDATE SET records = excluded.records, sha256 = excluded.sha256, "
				"updated = excluded.updated", "keeping the signature head", run_id,
				"is not in the results store", "ittt", (long long)records, sha256,
				now, run_id);
}

int store_get_signature_head(struct store *s, const char *run_id, long *records,
			     char sha256[65])
{
	sqlite3_stmt *st;
	int rc = store_prepare(s, "SELECT records, sha256 FROM signature_head WHERE run_id = ?",
			       &st), step;

	*records = 0;
	sha256[0] = '\0';
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 1);

		*records = (long)sqlite3_column_int64(st, 0);
		snprintf(sha256, 65, "%s", h ? (const char *)h : "");
	} else if (step != SQLITE_DONE)
		rc = store_sql_error(s, "reading the signature head");
	sqlite3_finalize(st);
	return rc;
}
