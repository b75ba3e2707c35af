#ifndef RIG_STORE_H
#define RIG_STORE_H

/*
 * The results store: an SQLite database that keeps every run (unit,
 * firmware, fixture, steps, measurements with the values they were judged
 * from, every shot) for history, firmware comparison and trends
 * (docs/regression.md). The run directory is the primary record; the store
 * is a copy that several rig processes may write at once (WAL journal,
 * busy timeout, one IMMEDIATE transaction per run).
 *
 * Every function returns 0 or a negative RIG_ERR_* with rig_error() set;
 * SQLite's errors are translated here and nowhere else.
 */
#include <stddef.h>

#include "rig/base/record.h"

struct sqlite3;
struct central;

struct store {
	struct sqlite3 *db;
	char path[4096];
	struct central *central;  /* a central store read through a copy, or NULL */
};

/* $XDG_DATA_HOME/rig/results.db, else ~/.local/share/rig/results.db. */
int store_default_path(char *out, size_t len);

/* Open (creating the file and its folder) and migrate to the schema this
 * rig knows; refuses a database written by a newer rig. path NULL: the
 * default. */
int store_open(struct store *s, const char *path);

/* store_open for the commands that look at recorded runs (history, diff,
 * baseline, trend): a store that does not exist yet is an error, not an
 * empty one created by a mistyped --db. A PostgreSQL connection string
 * reads a line's central store (rig/store/central.h). */
int store_open_existing(struct store *s, const char *path);
void store_close(struct store *s);

/* Record a finished run, all or nothing. A run already stored is refused. */
int store_put_run(struct store *s, const struct run_record *r);

/* The run with this id, or with an id this unambiguous prefix starts;
 * "latest": the newest run. */
int store_resolve_run(struct store *s, const char *id_or_prefix, char id[64]);

/*
 * Load a stored run into r (initialised by the caller): identity, steps,
 * measurements with their judged values (no shot rows). The firmware
 * image, when one was flashed, is in r->firmware_image.
 */
int store_load_run(struct store *s, const char *id, struct run_record *r);

/* One row of `rig history`. */
struct store_run_row {
	char id[64], started[32], verdict[16];
	char model[32], serial[32], firmware[32], branch[32];
	char script[4096], out_dir[4096];
	long steps;
};

struct store_filter {
	const char *serial;     /* NULL: any */
	const char *firmware;   /* exact version, or NULL */
	const char *branch;     /* major.minor, or NULL */
	const char *model;
	const char *script;     /* script path as recorded, or NULL */
	const char *verdict;    /* e.g. "PASS", or NULL */
	long limit;             /* newest first; 0: no limit */
};

typedef int (*store_run_fn)(void *ctx, const struct store_run_row *row);

/* Call fn for each run matching f, newest first; stops at fn's non-zero. */
int store_list_runs(struct store *s, const struct store_filter *f, store_run_fn fn, void *ctx);

/* One measurement of a requirement in one run, for trends. */
struct store_trend_row {
	char run_id[64], started[32], firmware[32];
	char step_id[64], name[48], unit[16];
	size_t n;
	double mean, sd, target;
};

typedef int (*store_trend_fn)(void *ctx, const struct store_trend_row *row);

/* Every measurement of requirement in runs matching f, oldest first. */
int store_list_measurements(struct store *s, const char *requirement,
			    const struct store_filter *f, store_trend_fn fn, void *ctx);

/*
 * The modules (specs, libraries) run_id required, by path: fn gets each
 * path, SHA-256 and text (NULL, 0 when the store does not hold it). 0, the
 * first non-zero value fn returned, or an error.
 */
typedef int (*store_module_fn)(void *ctx, const char *path, const char *sha256,
			       const void *text, size_t len);
int store_list_modules(struct store *s, const char *run_id, store_module_fn fn, void *ctx);

/* The firmware branch of a version: "2.4.1" -> "2.4"; a version without
 * major.minor is its own branch. */
void store_firmware_branch(const char *version, char *out, size_t len);

/* Record RUN as the baseline of its model, firmware branch and script. */
int store_set_baseline(struct store *s, const char *run_id, const char *set_by,
		       const char *note);

/*
 * The baseline for comparing run_id: the one set by hand for its model,
 * firmware branch and script, else the latest PASS run of the same (not
 * run_id itself, and started before it). *how says which ("set" or
 * "latest-pass"). RIG_ERR_INVALID when there is none.
 */
int store_find_baseline(struct store *s, const char *run_id, char base_id[64],
			const char **how);

/*
 * The head of a run's electronic signature chain (rig sign): how many
 * records and the SHA-256 of the last one's text. get: 0 records and ""
 * when none is kept.
 */
int store_set_signature_head(struct store *s, const char *run_id, long records,
			     const char *sha256);
int store_get_signature_head(struct store *s, const char *run_id, long *records,
			     char sha256[65]);

#endif
