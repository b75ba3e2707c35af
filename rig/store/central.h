#ifndef RIG_STORE_CENTRAL_H
#define RIG_STORE_CENTRAL_H

/*
 * The central results store of a line: PostgreSQL, fed by every station's
 * own SQLite store through an outbox (store-and-forward, docs/line.md).
 * The station store stays the first place every run is written; a push
 * copies a closed run (its rows, the signed MANIFEST, its signature, the
 * e-signature records and the capture hashes) in one transaction, sealed
 * by its last statement, so a push cut anywhere leaves nothing behind and
 * the next sync starts it again. Pushing is idempotent by run id and
 * manifest hash; the same run id with another manifest is never
 * overwritten: it is recorded in rig.conflict and reported.
 *
 * libpq's errors are translated here and nowhere else. Connection strings
 * never carry a password (libpq's .pgpass or service file does), and
 * messages name the server as user@host:port/db only.
 */
#include <stddef.h>

#include "rig/store/store.h"

struct pg_conn;

struct central {
	struct pg_conn *pg;
	char target[256];   /* user@host:port/db: in messages and the outbox */
	/* The columns a push copies, per table: looked up once a session. */
	struct {
		char table[32], cols[2048];
	} columns[8];
	int ncolumns;
};

/* Is this --db / --to value a PostgreSQL connection (URI or key=value)? */
int central_is_conninfo(const char *s);

/*
 * Connect. A conninfo holding a password is refused (it would show in ps
 * and shell histories). connect_timeout_s 0: libpq's default.
 */
int central_connect(struct central *c, const char *conninfo, int connect_timeout_s);
void central_close(struct central *c);

/* Create or upgrade the central schema (as an administrator). */
int central_migrate(struct central *c);

/* Refuse a central store without rig's schema, or of another version. */
int central_check_schema(struct central *c);

enum push_outcome {
	PUSH_STORED,       /* the run is now on the central store */
	PUSH_ALREADY,      /* it was there with the same manifest */
	PUSH_CONFLICT,     /* another manifest holds this run id: recorded, not overwritten */
};

/* Push one run of the station store. *outcome says what happened; on
 * PUSH_CONFLICT the message (rig_last_error) says why. */
int central_push_run(struct central *c, struct store *local, const char *run_id,
		     int with_captures, enum push_outcome *outcome);

/*
 * Sync: push every run of the station store that the outbox has not
 * confirmed for this central store, oldest first. Counts go to the
 * caller; a failed run (its directory gone, the server lost) stops the
 * sync with an error and leaves the rest in the outbox.
 */
struct sync_counts {
	long pushed, already, conflicts;
};
int central_sync(struct central *c, struct store *local, int with_captures,
		 int (*progress)(void *ctx, const char *run_id, enum push_outcome o, long long ms),
		 void *ctx, struct sync_counts *counts);

/* central_sync from the station store at db_path (NULL: the default) to
 * the central store `to`: connect, push, close. target (if not NULL)
 * receives user@host:port/db for messages. */
int central_sync_to(const char *to, const char *db_path, int with_captures, int timeout_s,
		    int (*progress)(void *ctx, const char *run_id, enum push_outcome o, long long ms),
		    void *ctx, struct sync_counts *counts, char *target, size_t tlen);

/* Register a station (name as its fixture gives it), the login role it
 * pushes as (which must exist: docs/line.md), and its public key (the
 * station.pub text and its key number in hex). */
int central_add_station(struct central *c, const char *name, const char *db_role,
			const char *key_id, const char *pubkey);

/* Run SQL with text parameters; *res (libpq's PGresult, PQclear it) on
 * success, else the translated error naming what. */
struct pg_result;
int central_query(struct central *c, const char *sql, int n, const char *const *params,
		  struct pg_result **res, const char *what);

/*
 * Read a central store as the commands over recorded runs read a station
 * store (rig history, diff, baseline, trend with --db postgresql://...):
 * s becomes an in-memory copy of its accepted runs (no shots; values per
 * run on demand). Called by store_open_existing for a connection string.
 */
int central_open_copy(struct store *s, const char *conninfo);
int central_fetch_values(struct store *s, const char *run_id);
int central_put_baseline(struct store *s, const char *run_id, const char *set_at,
			 const char *set_by, const char *note);
void central_close_copy(struct store *s);

/* The station.conf of this user, $XDG_CONFIG_HOME/rig/station.conf (else
 * ~/.config/rig/station.conf): its "central = CONNINFO" into out, "" when
 * none is configured. A malformed file is an error naming its line. */
int central_configured(char *out, size_t len);

#endif
