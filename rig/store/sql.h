#ifndef RIG_STORE_SQL_H
#define RIG_STORE_SQL_H

/* Helpers shared by the store's files; private to rig/store. */
#include <sqlite3.h>

#include "rig/store/store.h"

/* Translate the connection's last SQLite error into a RIG_ERR_* with
 * "<db path>: <what>: <sqlite message> (hint)". */
int store_sql_error(const struct store *s, const char *what);

/* Run SQL without results. */
int store_exec(struct store *s, const char *sql, const char *what);

/* Prepare, or fail with the message. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st);

/*
 * Step st, a write of one row of run run_id, once and finalize it: 0 when
 * it changed exactly one row, the SQL error as `what`, or RIG_ERR_INVALID
 * "<db path>: run <run_id> <why>" when it changed none.
 */
int store_change_one(struct store *s, sqlite3_stmt *st, const char *what, const char *run_id,
		     const char *why);

/* NAN is stored as NULL, and NULL read back as NAN. */
int store_bind_real(sqlite3_stmt *st, int i, double v);
double store_column_real(sqlite3_stmt *st, int i);

/* Copy text column i into buf ("" for NULL). */
void store_column_text(sqlite3_stmt *st, int i, char *buf, size_t len);

#endif
