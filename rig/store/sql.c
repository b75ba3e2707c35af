/* The store's SQLite helpers: error translation, binding NAN as NULL, reading rows. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/store/sql.h"

int store_sql_error(const struct store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);
	int err = code == SQLITE_BUSY || code == SQLITE_LOCKED ? RIG_ERR_TIMEOUT
		  : code == SQLITE_NOMEM			  ? RIG_ERR_NOMEM
		  : code == SQLITE_CORRUPT || code == SQLITE_NOTADB || code == SQLITE_CONSTRAINT ||
				  code == SQLITE_MISMATCH
			  ? RIG_ERR_INVALID
			  : RIG_ERR_IO;

	return rig_error(err, "%s: %s: %s%s", s->path, what, sqlite3_errmsg(s->db),
			 code == SQLITE_BUSY ? " (another rig holds the store too long)"
			 : code == SQLITE_READONLY || code == SQLITE_CANTOPEN
				 ? " (is the file or its folder writable?)"
				 : "");
}

int store_exec(struct store *s, const char *sql, const char *what)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
								   : store_sql_error(s, what);
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK
		       ? 0
		       : store_sql_error(s, "preparing a query");
}

int store_change_one(struct store *s, const char *sql, const char *what, const char *run_id,
		     const char *why, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = store_prepare(s, sql, &st);

	if (rc)
		return rc;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
	}
	va_end(ap);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(s, what);

	if (!rc && sqlite3_changes(s->db) != 1)
		rc = rig_error(RIG_ERR_INVALID, "%s: run %s %s", s->path, run_id, why);
	sqlite3_finalize(st);
	return rc;
}

int store_bind_real(sqlite3_stmt *st, int i, double v)
{
	return isfinite(v) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

double store_column_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void store_column_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

void store_column_row(sqlite3_stmt *st, int first, const struct store_col *cols, size_t n,
		      void *row)
{
	for (size_t k = 0; k < n; k++) {
		char *p = (char *)row + cols[k].off;
		int i = first + (int)k;

		if (cols[k].kind == STORE_COL_TEXT) {
			store_column_text(st, i, p, cols[k].len);
		} else if (cols[k].kind == STORE_COL_REAL) {
			double v = store_column_real(st, i);

			memcpy(p, &v, sizeof(v));
		} else if (cols[k].kind == STORE_COL_INT && cols[k].len == sizeof(int32_t)) {
			int32_t v = sqlite3_column_int(st, i);

			memcpy(p, &v, sizeof(v));
		} else if (cols[k].kind == STORE_COL_INT) {
			int64_t v = sqlite3_column_int64(st, i);

			memcpy(p, &v, sizeof(v));
		}
	}
}
