#ifndef RIG_STATION_FIXTURE_LOAD_H
#define RIG_STATION_FIXTURE_LOAD_H

/*
 * Load a fixture file (fixtures/NAME.lua, docs/file-formats.md) into the
 * description of rig/base/fixture.h. Every mistake is refused with the
 * file's path and line, including a driver name this rig has no backend for.
 */
#include "rig/base/fixture.h"

int fixture_load(struct fixture *fx, const char *path);

/* Make socket `name` the fixture's unit and channels: a run of one socket
 * sees a one-socket station. RIG_ERR_INVALID naming the sockets there are. */
int fixture_select_socket(struct fixture *fx, const char *name);

#endif
