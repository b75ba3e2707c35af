/*
 * The central PostgreSQL store: connection, schema, and pushing a station
 * store's runs into it (rig/store/central.h says the guarantees).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/clock.h"
#include "rig/base/dirlist.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/store/central.h"
#include "rig/store/central_migrations.h"
#include "rig/store/sql.h"

/* Largest signed-record file pushed (MANIFEST, signatures). */
#define RECORD_MAX (16u << 20)
/* Captures go in chunks of this size (--with-captures). */
#define CHUNK_BYTES (1u << 20)

/* The tables a run's rows live in, parents first. */
static const char *const child_tables[] = { "run_param", "step", "measurement", "value", "shot" };

/* libpq's message, one line, after what we were doing. */
static int pg_error(struct central *c, const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	char line[512];
	size_t n;

	if (!msg || !msg[0])
		msg = c->pg ? PQerrorMessage((PGconn *)c->pg) : "no connection";
	snprintf(line, sizeof(line), "%s", msg);
	n = strcspn(line, "\n");
	line[n] = '\0';
	return rig_error(RIG_ERR_IO, "%s: %s: %s", c->target[0] ? c->target : "central store",
			 what, line);
}

static PGresult *exec_params(struct central *c, const char *sql, int n, const char *const *v,
			     const int *len, const int *fmt)
{
	return PQexecParams((PGconn *)c->pg, sql, n, NULL, v, len, fmt, 0);
}

/* Run SQL expecting no rows; 0 or the translated error. */
static int exec_cmd(struct central *c, const char *sql, int n, const char *const *v,
		    const char *what)
{
	PGresult *res = exec_params(c, sql, n, v, NULL, NULL);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
			 ? 0 : pg_error(c, what, res);

	PQclear(res);
	return rc;
}

int central_is_conninfo(const char *s)
{
	return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11) ||
		     strchr(s, '=') != NULL);
}

/* A connection string libpq can parse and that holds no password. */
static int check_conninfo(const char *conninfo)
{
	PQconninfoOption *opts;
	char *err = NULL;
	int rc = 0;

	if (!(opts = PQconninfoParse(conninfo, &err))) {
		rc = rig_error(RIG_ERR_INVALID, "not a PostgreSQL connection string: %s",
			       err ? err : "out of memory");
		PQfreemem(err);
		return rc;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && o->val[0])
			rc = rig_error(RIG_ERR_INVALID,
				       "a password in the connection string would show in ps, logs "
				       "and shell history: put it in ~/.pgpass or a service file "
				       "(docs/line.md)");
	PQconninfoFree(opts);
	return rc;
}

int central_connect(struct central *c, const char *conninfo, int connect_timeout_s)
{
	char timeout[16];
	const char *keys[3] = { "dbname", NULL, NULL }, *vals[3] = { conninfo, NULL, NULL };
	PGconn *pg;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = check_conninfo(conninfo)) != 0)
		return rc;
	if (connect_timeout_s > 0) {
		snprintf(timeout, sizeof(timeout), "%d", connect_timeout_s);
		keys[1] = "connect_timeout";
		vals[1] = timeout;
	}
	/* expand_dbname: the conninfo's own settings, plus the timeout. */
	pg = PQconnectdbParams(keys, vals, 1);
	if (!pg)
		return rig_error(RIG_ERR_NOMEM, "connecting to the central store: out of memory");
	c->pg = (struct pg_conn *)pg;
	if (PQstatus(pg) != CONNECTION_OK) {
		char line[512];

		snprintf(line, sizeof(line), "%s", PQerrorMessage(pg));
		line[strcspn(line, "\n")] = '\0';
		PQfinish(pg);
		c->pg = NULL;
		return rig_error(RIG_ERR_IO, "central store unreachable: %s", line);
	}
	snprintf(c->target, sizeof(c->target), "%s@%s:%s/%s", PQuser(pg),
		 PQhost(pg)[0] == '/' ? "local" : PQhost(pg), PQport(pg), PQdb(pg));
	/* Messages in English whatever the server's locale; no notices. */
	PQsetNoticeProcessor(pg, NULL, NULL);
	return exec_cmd(c, "SET client_min_messages = warning", 0, NULL, "setting up the session");
}

void central_close(struct central *c)
{
	if (c->pg)
		PQfinish((PGconn *)c->pg);
	c->pg = NULL;
}

static int schema_version(struct central *c, int *v)
{
	PGresult *res = exec_params(c, "SELECT max(version) FROM rig.schema_version", 0, NULL,
				    NULL, NULL);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_error(c, "reading the central schema version (is this a rig central "
			      "store? rig line init creates one)", res);
	else
		*v = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

int central_migrate(struct central *c)
{
	int v = 0, rc;

	if ((rc = exec_cmd(c, "BEGIN", 0, NULL, "starting the migration")) != 0)
		return rc;
	/* One migrator at a time; the bookkeeping table comes first. */
	if ((rc = exec_cmd(c, "SELECT pg_advisory_xact_lock(7365021)", 0, NULL, "locking")) ||
	    (rc = exec_cmd(c, "CREATE SCHEMA IF NOT EXISTS rig", 0, NULL, "creating the schema")) ||
	    (rc = exec_cmd(c, "CREATE TABLE IF NOT EXISTS rig.schema_version (version int NOT NULL, "
			      "name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())",
			   0, NULL, "creating the schema")) ||
	    (rc = schema_version(c, &v)))
		goto fail;
	if (v > central_schema_version) {
		rc = rig_error(RIG_ERR_INVALID, "%s: central schema version %d was written by a "
			       "newer rig (this one knows up to %d)", c->target, v,
			       central_schema_version);
		goto fail;
	}
	for (; v < central_schema_version; v++) {
		const struct store_migration *m = &central_migrations[v];
		char num[16];
		const char *p[2] = { num, m->name };
		PGresult *res = PQexec((PGconn *)c->pg, m->sql);

		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = pg_error(c, m->name, res);
			PQclear(res);
			goto fail;
		}
		PQclear(res);
		snprintf(num, sizeof(num), "%d", m->version);
		if ((rc = exec_cmd(c, "INSERT INTO rig.schema_version (version, name) VALUES ($1, $2)",
				   2, p, "recording the migration")))
			goto fail;
	}
	return exec_cmd(c, "COMMIT", 0, NULL, "committing the migration");
fail:
	PQclear(PQexec((PGconn *)c->pg, "ROLLBACK"));
	return rc;
}

int central_check_schema(struct central *c)
{
	int v = 0, rc = schema_version(c, &v);

	if (rc)
		return rc;
	if (v != central_schema_version)
		return rig_error(RIG_ERR_INVALID, "%s: central schema version %d, this rig writes %d "
				 "(rig line init upgrades it)", c->target, v, central_schema_version);
	return 0;
}

/* ---- copying rows --------------------------------------------------- */

/* A growing byte buffer for COPY data. */
struct buf {
	char *b;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n, int escape)
{
	if (b->len + 2 * n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *nb;

		while (ncap < b->len + 2 * n + 1)
			ncap *= 2;
		if (!(nb = realloc(b->b, ncap)))
			return rig_error(RIG_ERR_NOMEM, "pushing a run: out of memory");
		b->b = nb;
		b->cap = ncap;
	}
	for (size_t i = 0; i < n; i++) {
		/* COPY's text format: backslash escapes for what separates. */
		char esc = !escape ? 0 : s[i] == '\\' ? '\\' : s[i] == '\t' ? 't'
			   : s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : 0;

		if (esc) {
			b->b[b->len++] = '\\';
			b->b[b->len++] = esc;
		} else {
			b->b[b->len++] = s[i];
		}
	}
	return 0;
}

/* The columns the station's table and the central one share, comma
 * separated; a station column the central store lacks is an error (its
 * data would be lost): the central schema must be upgraded first. */
static int shared_columns(struct central *c, struct store *local, const char *table,
			  int strict, char *out, size_t outlen)
{
	char sql[128];
	const char *p[1] = { table };
	sqlite3_stmt *st;
	PGresult *res;
	size_t used = 0;
	int rc = 0;

	for (int i = 0; strict && i < c->ncolumns; i++)
		if (!strcmp(c->columns[i].table, table)) {
			snprintf(out, outlen, "%s", c->columns[i].cols);
			return 0;
		}
	res = exec_params(c, "SELECT column_name FROM information_schema.columns "
			     "WHERE table_schema = 'rig' AND table_name = $1", 1, p, NULL, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(c, "reading the central schema", res);
		PQclear(res);
		return rc;
	}
	snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')", table);
	if ((rc = store_prepare(local, sql, &st)) != 0) {
		PQclear(res);
		return rc;
	}
	out[0] = '\0';
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 0);
		int found = 0;

		for (int i = 0; i < PQntuples(res) && !found; i++)
			found = !strcmp(PQgetvalue(res, i, 0), col);
		if (!found && !strict)
			continue; /* reading back: a column the central store lacks stays NULL */
		if (!found)
			rc = rig_error(RIG_ERR_INVALID, "%s: the central store has no column %s.%s "
				       "that this station records (rig line init upgrades it)",
				       c->target, table, col);
		else if (used + strlen(col) + 2 >= outlen)
			rc = rig_error(RIG_ERR_INVALID, "%s: too many columns", table);
		else
			used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? "," : "", col);
	}
	sqlite3_finalize(st);
	PQclear(res);
	if (!rc && strict && c->ncolumns < (int)(sizeof(c->columns) / sizeof(c->columns[0])) &&
	    strlen(table) < sizeof(c->columns[0].table) && strlen(out) < sizeof(c->columns[0].cols)) {
		snprintf(c->columns[c->ncolumns].table, sizeof(c->columns[0].table), "%s", table);
		snprintf(c->columns[c->ncolumns].cols, sizeof(c->columns[0].cols), "%s", out);
		c->ncolumns++;
	}
	return rc;
}

/* COPY the station's rows of one table for run_id into the central store. */
static int copy_rows(struct central *c, struct store *local, const char *table,
		     const char *run_id)
{
	char cols[2048], sql[2600];
	sqlite3_stmt *st;
	PGconn *pg = (PGconn *)c->pg;
	PGresult *res;
	struct buf b = { 0 };
	int rc;

	if ((rc = shared_columns(c, local, table, 1, cols, sizeof(cols))) != 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE run_id = ?1", cols, table);
	if ((rc = store_prepare(local, sql, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	snprintf(sql, sizeof(sql), "COPY rig.%s (%s) FROM STDIN", table, cols);
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_error(c, table, res);
		PQclear(res);
		sqlite3_finalize(st);
		return rc;
	}
	PQclear(res);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int ncol = sqlite3_column_count(st);

		rc = 0;
		for (int i = 0; i < ncol && !rc; i++) {
			char num[40];
			int type = sqlite3_column_type(st, i);

			if (i)
				rc = buf_put(&b, "\t", 1, 0);
			if (rc)
				break;
			if (type == SQLITE_NULL)
				rc = buf_put(&b, "\\N", 2, 0);
			else if (type == SQLITE_INTEGER)
				rc = buf_put(&b, num, (size_t)snprintf(num, sizeof(num), "%lld",
					     (long long)sqlite3_column_int64(st, i)), 0);
			else if (type == SQLITE_FLOAT)
				rc = buf_put(&b, num, (size_t)snprintf(num, sizeof(num), "%.17g",
					     sqlite3_column_double(st, i)), 0);
			else
				rc = buf_put(&b, (const char *)sqlite3_column_text(st, i),
					     (size_t)sqlite3_column_bytes(st, i), 1);
		}
		if (!rc)
			rc = buf_put(&b, "\n", 1, 0);
		if (!rc && b.len > (1u << 16)) {
			if (PQputCopyData(pg, b.b, (int)b.len) != 1)
				rc = pg_error(c, table, NULL);
			b.len = 0;
		}
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = store_sql_error(local, "reading the run to push");
	sqlite3_finalize(st);
	if (!rc && b.len && PQputCopyData(pg, b.b, (int)b.len) != 1)
		rc = pg_error(c, table, NULL);
	free(b.b);
	if (PQputCopyEnd(pg, rc ? "aborted" : NULL) != 1 && !rc)
		rc = pg_error(c, table, NULL);
	res = PQgetResult(pg);
	if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_error(c, table, res);
	PQclear(res);
	while ((res = PQgetResult(pg)))
		PQclear(res);
	return rc;
}

/* ---- pushing one run ------------------------------------------------ */

struct run_files {
	char *manifest, *sig, *pub, *signatures;
	size_t manifest_len, signatures_len;
	char manifest_sha[65];
};

static void run_files_release(struct run_files *f)
{
	free(f->manifest);
	free(f->sig);
	free(f->pub);
	free(f->signatures);
	memset(f, 0, sizeof(*f));
}

static int read_record_file(const char *dir, const char *name, int optional, char **buf,
			    size_t *len)
{
	char path[4200];
	size_t n = 0;
	int rc;

	if ((rc = path_join(path, sizeof(path), dir, name)) != 0)
		return rc;
	if (optional && access(path, F_OK) != 0) {
		*buf = NULL;
		if (len)
			*len = 0;
		return 0;
	}
	if ((rc = file_read_all(path, RECORD_MAX, buf, &n)) != 0)
		return rc;
	if (len)
		*len = n;
	return 0;
}

/* The e-signature chain (signatures/N.txt and N.txt.sig, docs/reports.md)
 * as one blob: for each file in name order a line "-- NAME BYTES" and its
 * bytes. None: NULL. */
static int read_signatures(const char *dir, char **out, size_t *outlen)
{
	char path[4200];
	struct dir_names names;
	size_t len = 0;
	char *blob = NULL;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = path_join(path, sizeof(path), dir, "signatures")) != 0)
		return rc;
	if ((rc = dir_names_read(path, &names)) != 0)
		return errno == ENOENT ? 0 : rc;
	for (size_t i = 0; i < names.n && !rc; i++) {
		char *text = NULL, head[300], *nb;
		size_t tl = 0;
		int hl;

		if (names.name[i][0] == '.' || !strstr(names.name[i], ".txt"))
			continue;
		if ((rc = path_format(path, sizeof(path), "%s/signatures/%s", dir, names.name[i])) ||
		    (rc = file_read_all(path, RECORD_MAX, &text, &tl)) != 0)
			break;
		hl = snprintf(head, sizeof(head), "-- %s %zu\n", names.name[i], tl);
		if (!(nb = realloc(blob, len + (size_t)hl + tl + 1))) {
			free(text);
			rc = rig_error(RIG_ERR_NOMEM, "out of memory");
			break;
		}
		blob = nb;
		memcpy(blob + len, head, (size_t)hl);
		memcpy(blob + len + hl, text, tl);
		len += (size_t)hl + tl;
		free(text);
	}
	dir_names_release(&names);
	if (rc) {
		free(blob);
		return rc;
	}
	*out = blob;
	*outlen = len;
	return 0;
}

static int run_files_load(const char *dir, struct run_files *f)
{
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = read_record_file(dir, "MANIFEST", 0, &f->manifest, &f->manifest_len)) ||
	    (rc = read_record_file(dir, "MANIFEST.sig", 0, &f->sig, NULL)) ||
	    (rc = read_record_file(dir, "station.pub", 0, &f->pub, NULL)) ||
	    (rc = read_signatures(dir, &f->signatures, &f->signatures_len))) {
		run_files_release(f);
		return rc;
	}
	sha256_hex(f->manifest, f->manifest_len, f->manifest_sha);
	return 0;
}

/* The central store's manifest hash for run_id ("" when it has none). */
static int held_manifest(struct central *c, const char *run_id, char out[65], int *visible)
{
	const char *p[1] = { run_id };
	PGresult *res = exec_params(c, "SELECT manifest_sha256 FROM rig.run WHERE id = $1", 1, p,
				    NULL, NULL);
	int rc = 0;

	out[0] = '\0';
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_error(c, "looking up the run", res);
	else if (PQntuples(res) == 1)
		snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	*visible = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

static int record_conflict(struct central *c, const char *run_id, const char *station,
			   const char *held, const struct run_files *f)
{
	const char *p[5] = { run_id, station, f->manifest_sha, held[0] ? held : NULL, NULL };
	int len[6] = { 0, 0, 0, 0, (int)f->manifest_len, 0 };
	int fmt[6] = { 0, 0, 0, 0, 1, 0 };
	const char *v[6] = { p[0], p[1], p[2], p[3], f->manifest, f->sig };
	PGresult *res;
	int rc;

	res = exec_params(c, "INSERT INTO rig.conflict (run_id, station, manifest_sha256, "
			     "held_sha256, manifest, manifest_sig) VALUES ($1, $2, $3, $4, $5, $6)",
			  6, v, len, fmt);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_error(c, "recording a conflict", res);
	PQclear(res);
	return rc;
}

/* A capture's bytes, in chunks stored once per content (--with-captures). */
static int push_capture_bytes(struct central *c, const char *dir, const char *path,
			      const char *hash)
{
	char full[4096 + 1024 + 2];
	FILE *in;
	char *chunk;
	long seq = 0;
	size_t got;
	int rc = 0;

	if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir, path) >= sizeof(full))
		return rig_error(RIG_ERR_INVALID, "%s/%s: path too long", dir, path);
	if (!(in = fopen(full, "rb")))
		return rig_error_errno(RIG_ERR_IO, "%s", full);
	if (!(chunk = malloc(CHUNK_BYTES))) {
		fclose(in);
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", full);
	}
	while (!rc && (got = fread(chunk, 1, CHUNK_BYTES, in)) > 0) {
		char num[24];
		const char *v[3] = { hash, num, chunk };
		int len[3] = { 0, 0, (int)got }, fmt[3] = { 0, 0, 1 };
		PGresult *res;

		snprintf(num, sizeof(num), "%ld", seq++);
		res = exec_params(c, "INSERT INTO rig.capture_chunk (sha256, seq, data) "
				     "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, v, len, fmt);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_error(c, "pushing a capture", res);
		PQclear(res);
	}
	if (!rc && ferror(in))
		rc = rig_error_errno(RIG_ERR_IO, "%s", full);
	free(chunk);
	fclose(in);
	return rc;
}

/* Hashes of the captures the manifest lists ("HASH  captures/..."), and
 * their bytes when asked. */
static int push_captures(struct central *c, const char *run_id, const struct run_files *f,
			 const char *dir, int with_captures)
{
	const char *line = f->manifest, *end = f->manifest + f->manifest_len;
	int rc = 0;

	while (!rc && line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		char hash[65], path[1024];

		if (n > 66 + 9 && n - 66 < sizeof(path) && !memcmp(line + 64, "  captures/", 11)) {
			const char *p[3] = { run_id, path, hash };

			memcpy(hash, line, 64);
			hash[64] = '\0';
			memcpy(path, line + 66, n - 66);
			path[n - 66] = '\0';
			rc = exec_cmd(c, "INSERT INTO rig.capture (run_id, path, sha256) VALUES ($1, $2, $3)",
				      3, p, "recording capture hashes");
			if (!rc && with_captures)
				rc = push_capture_bytes(c, dir, path, hash);
		}
		line = nl ? nl + 1 : end;
	}
	return rc;
}

static int local_run_dir(struct store *local, const char *run_id, char *dir, size_t len,
			 char *station, size_t slen)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(local, "SELECT out_dir, station FROM run WHERE id = ?1", &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		store_column_text(st, 0, dir, len);
		store_column_text(st, 1, station, slen);
	} else {
		rc = rig_error(RIG_ERR_INVALID, "%s: no run %s", local->path, run_id);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The run row: the station's columns, plus the signed record. */
static int insert_run_row(struct central *c, struct store *local, const char *run_id,
			  const struct run_files *f)
{
	char cols[2048], sql[4096];
	sqlite3_stmt *st;
	const char *vals[64];
	int lens[64], fmts[64], n, rc;
	PGresult *res;

	if ((rc = shared_columns(c, local, "run", 1, cols, sizeof(cols))) != 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT %s FROM run WHERE id = ?1", cols);
	if ((rc = store_prepare(local, sql, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rig_error(RIG_ERR_INVALID, "%s: no run %s", local->path, run_id);
	}
	n = sqlite3_column_count(st);
	if (n + 5 > 64) {
		sqlite3_finalize(st);
		return rig_error(RIG_ERR_INVALID, "run: too many columns");
	}
	/* Every value as text; PostgreSQL converts to the column's type. */
	for (int i = 0; i < n; i++) {
		vals[i] = sqlite3_column_type(st, i) == SQLITE_NULL ? NULL
				: (const char *)sqlite3_column_text(st, i);
		lens[i] = 0;
		fmts[i] = 0;
	}
	vals[n] = f->manifest; lens[n] = (int)f->manifest_len; fmts[n] = 1;
	vals[n + 1] = f->manifest_sha; lens[n + 1] = 0; fmts[n + 1] = 0;
	vals[n + 2] = f->sig; lens[n + 2] = 0; fmts[n + 2] = 0;
	vals[n + 3] = f->pub; lens[n + 3] = 0; fmts[n + 3] = 0;
	vals[n + 4] = f->signatures; lens[n + 4] = (int)f->signatures_len; fmts[n + 4] = 1;
	{
		size_t used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO rig.run (%s, manifest, "
					       "manifest_sha256, manifest_sig, station_pub, signatures) "
					       "VALUES (", cols);

		for (int i = 1; i <= n + 5 && used < sizeof(sql); i++)
			used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s$%d",
						 i > 1 ? ", " : "", i);
		if (used + 2 >= sizeof(sql)) {
			sqlite3_finalize(st);
			return rig_error(RIG_ERR_INVALID, "run: too many columns");
		}
		strcat(sql, ")");
	}
	res = exec_params(c, sql, n + 5, vals, lens, fmts);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_error(c, "pushing the run", res);
	PQclear(res);
	sqlite3_finalize(st);
	return rc;
}

static int mark_outbox(struct store *local, const char *run_id, const char *target,
		       const char *sha, const char *outcome)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(local, "INSERT OR REPLACE INTO sync_outbox (run_id, target, "
				       "manifest_sha256, outcome, confirmed) VALUES (?1, ?2, ?3, ?4, "
				       "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(local, "updating the outbox");
	sqlite3_finalize(st);
	return rc;
}

int central_push_run(struct central *c, struct store *local, const char *run_id,
		     int with_captures, enum push_outcome *outcome)
{
	char dir[4096], station[256], held[65];
	struct run_files f;
	int rc, visible;

	if ((rc = local_run_dir(local, run_id, dir, sizeof(dir), station, sizeof(station))) != 0)
		return rc;
	if ((rc = run_files_load(dir, &f)) != 0) {
		run_files_release(&f);
		return rig_error(RIG_ERR_IO, "run %s: its signed record cannot be read (%s)",
				 run_id, rig_last_error());
	}
	if ((rc = exec_cmd(c, "BEGIN ISOLATION LEVEL READ COMMITTED", 0, NULL, "starting a push")))
		goto out;
	if ((rc = held_manifest(c, run_id, held, &visible)))
		goto rollback;
	if (visible || held[0]) {
		if (!strcmp(held, f.manifest_sha)) {
			*outcome = PUSH_ALREADY;
		} else {
			*outcome = PUSH_CONFLICT;
			if ((rc = record_conflict(c, run_id, station, held, &f)))
				goto rollback;
		}
	} else {
		const char *p[1] = { run_id };
		PGresult *res;

		*outcome = PUSH_STORED;
		/* The run row first: if another station holds this id, the
		 * primary key says so without showing it. */
		res = exec_params(c, "SAVEPOINT run_row", 0, NULL, NULL, NULL);
		PQclear(res);
		rc = insert_run_row(c, local, run_id, &f);
		if (rc) {
			const char *state = "";

			/* unique_violation: the id is taken, by a run we may not see. */
			if (strstr(rig_last_error(), "duplicate key")) {
				PQclear(PQexec((PGconn *)c->pg, "ROLLBACK TO SAVEPOINT run_row"));
				*outcome = PUSH_CONFLICT;
				state = "held by another station";
				rc = record_conflict(c, run_id, station, "", &f);
				if (!rc)
					rc = exec_cmd(c, "COMMIT", 0, NULL, "committing");
				if (!rc)
					rc = mark_outbox(local, run_id, c->target, f.manifest_sha, "conflict");
				if (!rc)
					rig_error(RIG_ERR_INVALID, "run %s: the central store holds this run "
						  "id for another station: %s (possible tampering; "
						  "recorded, not overwritten)", run_id, state);
				goto out;
			}
			goto rollback;
		}
		for (size_t i = 0; i < sizeof(child_tables) / sizeof(child_tables[0]) && !rc; i++)
			rc = copy_rows(c, local, child_tables[i], run_id);
		if (!rc)
			rc = push_captures(c, run_id, &f, dir, with_captures);
		if (!rc)
			rc = exec_cmd(c, "UPDATE rig.run SET sealed = true WHERE id = $1", 1, p,
				      "sealing the run");
		if (rc)
			goto rollback;
	}
	if ((rc = exec_cmd(c, "COMMIT", 0, NULL, "committing the push")))
		goto out;
	/* Only what the central store confirmed leaves the outbox; a kill
	 * between COMMIT and here pushes again, which finds it PUSH_ALREADY. */
	rc = mark_outbox(local, run_id, c->target, f.manifest_sha,
			 *outcome == PUSH_CONFLICT ? "conflict" : "pushed");
	if (!rc && *outcome == PUSH_CONFLICT)
		rig_error(RIG_ERR_INVALID, "run %s: the central store holds manifest %.16s..., this "
			  "station %.16s... (possible tampering; recorded, not overwritten)",
			  run_id, held, f.manifest_sha);
	goto out;
rollback:
	{
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", rig_last_error());
		PQclear(PQexec((PGconn *)c->pg, "ROLLBACK"));
		rig_error(rc, "%s", msg);
	}
out:
	run_files_release(&f);
	return rc;
}

int central_sync(struct central *c, struct store *local, int with_captures,
		 int (*progress)(void *ctx, const char *run_id, enum push_outcome o, long long ms),
		 void *ctx, struct sync_counts *counts)
{
	sqlite3_stmt *st;
	char (*ids)[64] = NULL;
	size_t n = 0, cap = 0;
	int rc;

	memset(counts, 0, sizeof(*counts));
	if ((rc = central_check_schema(c)) != 0)
		return rc;
	/* The outbox: closed runs this central store has not confirmed. */
	if ((rc = store_prepare(local, "SELECT id FROM run WHERE id NOT IN (SELECT run_id FROM "
				       "sync_outbox WHERE target = ?1) ORDER BY started, id", &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, c->target, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			void *nids = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof(*ids));

			if (!nids) {
				sqlite3_finalize(st);
				free(ids);
				return rig_error(RIG_ERR_NOMEM, "sync: out of memory");
			}
			ids = nids;
		}
		store_column_text(st, 0, ids[n++], 64);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n && !rc; i++) {
		enum push_outcome o;
		long long t0 = clock_ms();

		rc = central_push_run(c, local, ids[i], with_captures, &o);
		if (rc && !(o == PUSH_CONFLICT && rc == RIG_ERR_INVALID))
			break;
		rc = 0;
		if (o == PUSH_STORED)
			counts->pushed++;
		else if (o == PUSH_ALREADY)
			counts->already++;
		else
			counts->conflicts++;
		if (progress)
			rc = progress(ctx, ids[i], o, clock_ms() - t0);
	}
	free(ids);
	return rc;
}

int central_sync_to(const char *to, const char *db_path, int with_captures, int timeout_s,
		    int (*progress)(void *ctx, const char *run_id, enum push_outcome o, long long ms),
		    void *ctx, struct sync_counts *counts, char *target, size_t tlen)
{
	struct central c;
	struct store st;
	int rc;

	memset(counts, 0, sizeof(*counts));
	if (target && tlen)
		target[0] = '\0';
	if ((rc = check_conninfo(to)) != 0 || (rc = store_open_existing(&st, db_path)) != 0)
		return rc;
	if ((rc = central_connect(&c, to, timeout_s)) == 0) {
		if (target)
			snprintf(target, tlen, "%s", c.target);
		rc = central_sync(&c, &st, with_captures, progress, ctx, counts);
		central_close(&c);
	}
	store_close(&st);
	return rc;
}

int central_add_station(struct central *c, const char *name, const char *db_role,
			const char *key_id, const char *pubkey)
{
	const char *p[3] = { name, db_role, NULL };
	char grant[512], *role;
	int rc;

	if ((rc = exec_cmd(c, "BEGIN", 0, NULL, "starting")) ||
	    (rc = exec_cmd(c, "INSERT INTO rig.station (name, db_role) VALUES ($1, $2) "
			      "ON CONFLICT (name) DO UPDATE SET db_role = EXCLUDED.db_role", 2, p,
			   "registering the station")))
		goto fail;
	if (!(role = PQescapeIdentifier((PGconn *)c->pg, db_role, strlen(db_role)))) {
		rc = pg_error(c, "quoting the role", NULL);
		goto fail;
	}
	snprintf(grant, sizeof(grant), "GRANT rig_station TO %s", role);
	PQfreemem(role);
	if ((rc = exec_cmd(c, grant, 0, NULL, "granting the station role (does the login role "
			   "exist? docs/line.md)")))
		goto fail;
	p[0] = key_id;
	p[1] = pubkey;
	p[2] = name;
	if ((rc = exec_cmd(c, "INSERT INTO rig.trusted_key (key_id, pubkey, station) VALUES "
			      "($1, $2, $3) ON CONFLICT (key_id) DO UPDATE SET pubkey = "
			      "EXCLUDED.pubkey, station = EXCLUDED.station", 3, p, "trusting the key")))
		goto fail;
	return exec_cmd(c, "COMMIT", 0, NULL, "committing");
fail:
	PQclear(PQexec((PGconn *)c->pg, "ROLLBACK"));
	return rc;
}

int central_query(struct central *c, const char *sql, int n, const char *const *params,
		  struct pg_result **res, const char *what)
{
	PGresult *r = exec_params(c, sql, n, params, NULL, NULL);

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = pg_error(c, what, r);

		PQclear(r);
		*res = NULL;
		return rc;
	}
	*res = (struct pg_result *)r;
	return 0;
}

int central_configured(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096], line[1024];
	FILE *f;
	int lineno = 0, rc = 0;

	out[0] = '\0';
	if (xdg && xdg[0] == '/')
		rc = path_format(path, sizeof(path), "%s/rig/station.conf", xdg);
	else if (home && home[0])
		rc = path_format(path, sizeof(path), "%s/.config/rig/station.conf", home);
	else
		return 0;
	if (rc)
		return rc;
	if (!(f = fopen(path, "r")))
		return 0; /* no configuration: no central store */
	/* "key = value" lines; '#' starts a comment. */
	while (!rc && fgets(line, sizeof(line), f)) {
		char *k = line, *eq, *v, *end;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = rig_error(RIG_ERR_INVALID, "%s:%d: line too long", path, lineno);
			break;
		}
		k[strcspn(k, "#\r\n")] = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k)
			continue;
		if (!(eq = strchr(k, '='))) {
			rc = rig_error(RIG_ERR_INVALID, "%s:%d: expected key = value", path, lineno);
			break;
		}
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		if (!strcmp(k, "central")) {
			if (!central_is_conninfo(v))
				rc = rig_error(RIG_ERR_INVALID, "%s:%d: central: not a PostgreSQL "
					       "connection string", path, lineno);
			else if (strlen(v) >= len)
				rc = rig_error(RIG_ERR_INVALID, "%s:%d: central: too long", path, lineno);
			else
				snprintf(out, len, "%s", v);
		}
		/* Other keys belong to other parts of rig. */
	}
	fclose(f);
	return rc;
}

/* ---- reading a central store as a station store ----------------------- */

/* Copy the rows of table that where selects from the central store into
 * the in-memory copy s. */
static int copy_back(struct central *c, struct store *s, const char *table, const char *where,
		     int n, const char *const *params)
{
	char cols[2048], sql[3000];
	sqlite3_stmt *st;
	PGresult *res;
	size_t used;
	int rc, ncol;

	if ((rc = shared_columns(c, s, table, 0, cols, sizeof(cols))) != 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT %s FROM rig.%s WHERE %s", cols, table, where);
	res = exec_params(c, sql, n, params, NULL, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(c, table, res);
		PQclear(res);
		return rc;
	}
	ncol = PQnfields(res);
	used = (size_t)snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO %s (%s) VALUES (", table, cols);
	for (int i = 1; i <= ncol && used < sizeof(sql); i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s?%d", i > 1 ? ", " : "", i);
	if (used + 2 >= sizeof(sql) || (rc = store_prepare(s, strcat(sql, ")"), &st)) != 0) {
		PQclear(res);
		return rc ? rc : rig_error(RIG_ERR_INVALID, "%s: too many columns", table);
	}
	for (int r = 0; !rc && r < PQntuples(res); r++) {
		sqlite3_reset(st);
		for (int i = 0; i < ncol; i++) {
			if (PQgetisnull(res, r, i))
				sqlite3_bind_null(st, i + 1);
			else if (PQftype(res, i) == 701 /* float8 */)
				sqlite3_bind_double(st, i + 1, strtod(PQgetvalue(res, r, i), NULL));
			else if (PQftype(res, i) == 20 /* int8 */)
				sqlite3_bind_int64(st, i + 1, strtoll(PQgetvalue(res, r, i), NULL, 10));
			else
				sqlite3_bind_text(st, i + 1, PQgetvalue(res, r, i), -1, SQLITE_STATIC);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_sql_error(s, "copying the central store");
	}
	sqlite3_finalize(st);
	PQclear(res);
	return rc;
}

#define ACCEPTED "run_id IN (SELECT id FROM rig.run WHERE status = 'accepted')"

int central_open_copy(struct store *s, const char *conninfo)
{
	struct central *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	if ((rc = central_connect(c, conninfo, 10)) != 0 || (rc = central_check_schema(c)) != 0 ||
	    (rc = store_open(s, ":memory:")) != 0) {
		central_close(c);
		free(c);
		return rc;
	}
	s->central = c;
	memcpy(s->path, c->target, sizeof(c->target)); /* 256 bytes into 4096 */
	/* Everything but the values and shots, which are fetched per run
	 * (central_fetch_values) so that listing a line of 10,000 runs stays
	 * quick. Accepted runs only: the central store has checked them. */
	if ((rc = store_exec(s, "BEGIN", "copying")) ||
	    (rc = copy_back(c, s, "run", "status = 'accepted'", 0, NULL)) ||
	    (rc = copy_back(c, s, "run_param", ACCEPTED, 0, NULL)) ||
	    (rc = copy_back(c, s, "step", ACCEPTED, 0, NULL)) ||
	    (rc = copy_back(c, s, "measurement", ACCEPTED, 0, NULL)) ||
	    (rc = copy_back(c, s, "baseline", ACCEPTED " ORDER BY seq", 0, NULL)) ||
	    (rc = store_exec(s, "COMMIT", "copying")))
		store_close(s);
	return rc;
}

int central_fetch_values(struct store *s, const char *run_id)
{
	const char *p[1] = { run_id };
	sqlite3_stmt *st;
	int rc, have = 0;

	if (!s->central)
		return 0;
	if ((rc = store_prepare(s, "SELECT count(*) FROM value WHERE run_id = ?1", &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have)
		return 0;
	return copy_back(s->central, s, "value", "run_id = $1 AND " ACCEPTED, 1, p);
}

int central_put_baseline(struct store *s, const char *run_id, const char *set_at,
			 const char *set_by, const char *note)
{
	const char *p[4] = { set_at, set_by, note, run_id };

	if (!s->central)
		return 0;
	return exec_cmd(s->central, "INSERT INTO rig.baseline (uut_model, firmware_branch, "
				    "script_path, run_id, set_at, set_by, note) SELECT uut_model, "
				    "firmware_branch, script_path, id, $1, $2, $3 FROM rig.run "
				    "WHERE id = $4 AND status = 'accepted'", 4, p,
			"setting the baseline on the central store (needs the rig_qa role)");
}

void central_close_copy(struct store *s)
{
	if (s->central) {
		central_close(s->central);
		free(s->central);
		s->central = NULL;
	}
}
