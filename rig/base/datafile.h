#ifndef RIG_DATAFILE_H
#define RIG_DATAFILE_H

/*
 * Data files (fixtures, sim units) are Lua chunks that return a table. They
 * run in a bare sandbox (no io, os, require, load), with an instruction and
 * memory budget, so a broken or hostile file fails with a message instead
 * of hanging the station.
 *
 * A struct df_table is a cursor on one (sub)table; every reader checks the
 * type, and every complaint names file, line and the dotted field path, e.g.
 *   fixtures/units/bad.lua:7: depth.gain: expected a number, got string
 * Lua keeps no line numbers for table fields, so the line is found by
 * looking for the key in the source after its parent's position: right for
 * files written as tables of `key = value`, which data files are.
 */
#include <stddef.h>

struct lua_State;

struct datafile {
	struct lua_State *L;
	char path[4096];
	char *source;   /* the file's text, for finding lines */
	size_t size;
};

struct df_table {
	struct datafile *df;
	int idx;             /* absolute Lua stack index of the table */
	char where[160];     /* dotted path for messages; "" at the root */
	size_t from;         /* source offset where this table's text begins */
};

/* Largest data file accepted; larger ones are refused, not read. */
#define DATAFILE_MAX_BYTES (1u << 20)

/* Run the file; on success t is the returned table. */
int datafile_load(struct datafile *df, const char *path, struct df_table *t);
/* The same for a file's text kept elsewhere (a results store), named path in messages. */
int datafile_load_text(struct datafile *df, const char *path, const void *text, size_t len,
		       struct df_table *t);
void datafile_release(struct datafile *df);

/* Refuse any key not in allowed (NULL-terminated); non-string keys too. */
int df_check_keys(struct df_table *t, const char *const allowed[]);

/* Readers return 1 if the field was present (and *out set), 0 if absent
 * (*out untouched: callers preload defaults), negative on a type error. */
int df_number(struct df_table *t, const char *key, double *out);
int df_number_in(struct df_table *t, const char *key, double lo, double hi, double *out);
int df_string(struct df_table *t, const char *key, char *buf, size_t len);
int df_bool(struct df_table *t, const char *key, int *out);

/* Open a subtable as a new cursor (pushes it on the Lua stack: close the
 * cursors in reverse order with df_close). */
int df_table(struct df_table *t, const char *key, struct df_table *sub);
/* Number of array items (the border of the sequence). */
size_t df_len(struct df_table *t);
/* Item i (1-based) of an array, as a table or a number. */
int df_item_table(struct df_table *t, size_t i, struct df_table *sub);
int df_item_number(struct df_table *t, size_t i, double *out);
void df_close(struct df_table *sub);

/* Report a problem with t.key (key may be NULL for the table itself). */
int df_fail(struct df_table *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A data file built on another (a fixture's `extends`): every field of the
 * table base that t lacks is copied into t; where both hold a table with
 * named fields, the two merge the same way, field by field; a list (an
 * array such as channels or sockets) and any other value in t replace the
 * base's whole, except that a table with named fields over a list of
 * named entries (tables with a string `name`) amends those entries by
 * name (each merges under its field, the others stay; a name the list
 * lacks is an error). Fields named in skip (NULL-terminated, may be NULL)
 * are not copied from base's top level. 0, or an error naming t's file.
 */
int df_merge_base(struct df_table *t, struct df_table *base, const char *const skip[]);

/* 1-based line of `key = ` at or after offset from; 0 if not found. */
int datafile_line_of(const struct datafile *df, size_t from, const char *key, size_t *found_at);

#endif
