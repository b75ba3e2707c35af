#ifndef RIG_STORE_MIGRATIONS_H
#define RIG_STORE_MIGRATIONS_H

/*
 * The results store's schema as versioned SQL files,
 * rig/store/migrations/NNNN_what.sql, compiled into rig at build time by
 * rig/store/embed-migrations: a binary always carries the schema it
 * writes, and an installed rig needs no data files to open its store.
 * Migration N takes the database from PRAGMA user_version N - 1 to N.
 */
struct store_migration {
	int version;
	const char *name;  /* file name, for messages */
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_schema_version;

#endif
