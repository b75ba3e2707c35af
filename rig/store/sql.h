#ifndef RIG_STORE_SQL_H
#define RIG_STORE_SQL_H

/* Helpers shared by the store's files; private to rig/store. */
#include <sqlite3.h>
#include <stddef.h>

#include "rig/store/store.h"

/* Translate the connection's last SQLite error into a RIG_ERR_* with
 * "<db path>: <what>: <sqlite message> (hint)". */
int store_sql_error(const struct store *s, const char *what);

/* Run SQL without results. */
int store_exec(struct store *s, const char *sql, const char *what);

/* Prepare, or fail with the message. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st);

/*
 * Run sql, a write of one row of run run_id, once: its parameters ?1, ?2...
 * are the values after types, one letter each ('t' text, const char *; 'i'
 * integer, long long). 0 when it changed exactly one row, the SQL error as
 * `what`, or RIG_ERR_INVALID "<db path>: run <run_id> <why>" when it changed
 * none.
 */
int store_change_one(struct store *s, const char *sql, const char *what, const char *run_id,
		     const char *why, const char *types, ...);

/* NAN is stored as NULL, and NULL read back as NAN. */
int store_bind_real(sqlite3_stmt *st, int i, double v);
double store_column_real(sqlite3_stmt *st, int i);

/* Copy text column i into buf ("" for NULL). */
void store_column_text(sqlite3_stmt *st, int i, char *buf, size_t len);

/*
 * Where a SELECT's columns land in a struct, one entry a column in the
 * SELECT's order: the readers name each field once, beside its column,
 * instead of a line of column index, field and size each. STORE_SKIP: a
 * column the caller reads itself (a verdict it parses).
 */
enum store_col_kind { STORE_COL_SKIP, STORE_COL_TEXT, STORE_COL_REAL, STORE_COL_INT };
struct store_col {
	enum store_col_kind kind;
	size_t off, len;
};
#define STORE_FIELD(kind, type, field) { kind, offsetof(type, field), sizeof(((type *)0)->field) }
#define STORE_TEXT(type, field) STORE_FIELD(STORE_COL_TEXT, type, field)
#define STORE_REAL(type, field) STORE_FIELD(STORE_COL_REAL, type, field)
/* An integer field of 4 or 8 bytes (int, long, size_t, uint64_t). */
#define STORE_INT(type, field) STORE_FIELD(STORE_COL_INT, type, field)
#define STORE_SKIP { STORE_COL_SKIP, 0, 0 }

/* Read columns first .. first + n - 1 of st's row into row, as cols say. */
void store_column_row(sqlite3_stmt *st, int first, const struct store_col *cols, size_t n,
		      void *row);
/* The same for an array cols of known length. */
#define STORE_READ_ROW(st, first, cols, row) \
	store_column_row(st, first, cols, sizeof(cols) / sizeof((cols)[0]), row)

#endif
