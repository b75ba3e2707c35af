#ifndef RIG_STORE_CENTRAL_MIGRATIONS_H
#define RIG_STORE_CENTRAL_MIGRATIONS_H

/* The central store's schema (rig/store/central/NNNN_what.sql), compiled
 * in by rig/store/embed-migrations as the station store's is. */
#include "rig/store/migrations.h"

extern const struct store_migration central_migrations[];
extern const int central_schema_version;

#endif
