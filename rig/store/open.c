/*
 * Opening the results store: where it lives, the pragmas that let several
 * processes write it at once, and the schema migrations.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"
#include "rig/store/central.h"
#include "rig/store/migrations.h"
#include "rig/store/sql.h"
#include "rig/store/store.h"

/* How long a writer waits for another process's transaction. A run's
 * insert takes milliseconds; a minute covers a station under heavy load. */
#define BUSY_TIMEOUT_MS 60000

int store_default_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return path_format(out, len, "%s/rig/results.db", xdg);
	if (home && home[0])
		return path_format(out, len, "%s/.local/share/rig/results.db", home);
	return rig_error(RIG_ERR_INVALID,
			 "no results store: neither XDG_DATA_HOME nor HOME is set (use --db)");
}

static int user_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : store_sql_error(s, "reading the schema version");
}

/* Apply the migrations this database lacks, all in one transaction, so
 * two rigs opening a new store at once migrate it once. */
static int migrate(struct store *s)
{
	char sql[64];
	int v = 0, rc;

	if ((rc = store_exec(s, "BEGIN IMMEDIATE", "locking the store to migrate")) != 0)
		return rc;
	if ((rc = user_version(s, &v)) != 0)
		goto fail;
	if (v > store_schema_version) {
		rc = rig_error(RIG_ERR_INVALID,
			       "%s: schema version %d was written by a newer rig (this one knows up "
			       "to %d; upgrade rig)", s->path, v, store_schema_version);
		goto fail;
	}
	for (; v < store_schema_version; v++) {
		const struct store_migration *m = &store_migrations[v];

		if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
			char what[128];

			snprintf(what, sizeof(what), "migration %s", m->name);
			rc = store_sql_error(s, what);
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		if ((rc = store_exec(s, sql, "setting the schema version")) != 0)
			goto fail;
	}
	return store_exec(s, "COMMIT", "committing the migration");
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* A new store starts in rollback-journal mode, where SQLite answers BUSY
 * at once, without the busy handler, to a reader that would deadlock
 * waiting for another's write lock: several rigs opening a new store
 * together (a station's sockets, parallel CI jobs) meet exactly that.
 * Retried here for as long as the busy timeout; in WAL mode, once the
 * file is, it no longer arises. */
static int switch_to_wal(struct store *s)
{
	for (int waited_ms = 0;; waited_ms += 20) {
		int code = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

		if (code == SQLITE_OK)
			return 0;
		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || waited_ms >= BUSY_TIMEOUT_MS)
			return store_sql_error(s, "switching to WAL");
		sqlite3_sleep(20);
	}
}

int store_open(struct store *s, const char *path)
{
	char dir[4096], *slash;
	int rc;

	memset(s, 0, sizeof(*s));
	if (path) {
		if ((rc = path_format(s->path, sizeof(s->path), "%s", path)) != 0)
			return rc;
	} else if ((rc = store_default_path(s->path, sizeof(s->path))) != 0)
		return rc;
	memcpy(dir, s->path, sizeof(s->path)); /* checked above, the same size */
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((rc = file_mkdirs(dir, 0755)) != 0)
			return rc;
	}
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = s->db ? store_sql_error(s, "cannot open the results store")
			   : rig_error(RIG_ERR_NOMEM, "%s: out of memory", s->path);
		store_close(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* WAL: readers never block the writer, and a writer commits by
	 * appending; synchronous=FULL makes a commit durable at once. */
	rc = switch_to_wal(s);
	if (!rc)
		rc = store_exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
				"setting the store's pragmas");
	if (!rc)
		rc = migrate(s);
	if (rc)
		store_close(s);
	return rc;
}

int store_open_existing(struct store *s, const char *path)
{
	char def[4096];
	int rc;

	if (path && central_is_conninfo(path)) {
		memset(s, 0, sizeof(*s));
		return central_open_copy(s, path);
	}
	if (!path) {
		if ((rc = store_default_path(def, sizeof(def))) != 0)
			return rc;
		path = def;
	}
	if (access(path, F_OK) != 0)
		return rig_error_errno(RIG_ERR_INVALID, "%s: no results store (rig run records "
				       "every run into one; see --db)", path);
	return store_open(s, path);
}

void store_close(struct store *s)
{
	central_close_copy(s);
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
}
