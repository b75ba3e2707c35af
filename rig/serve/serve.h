#ifndef RIG_SERVE_H
#define RIG_SERVE_H

/*
 * rig serve: the operator station and results pages in the browser, and a
 * JSON API for line software (docs/serve.md). The server never runs a test
 * itself: each run is its own `rig run` process in its own session
 * (rig/serve/runs.c), so a server crash or restart never touches a run, and
 * a restarted server finds every run again from the run directories.
 */
#include <stddef.h>

struct serve_config {
	char listen_addr[64];
	unsigned port;
	char runs_dir[4096];    /* run directories, one per run, named by run id */
	char meta_dir[4200];    /* runs_dir/.serve: what the server knows of each run */
	char scripts_dir[4096]; /* the procedures the station offers (*.lua) */
	char units_dir[4096];   /* sim unit files offered; "" when the fixture is no sim */
	char fixture[4096];     /* "" : rig run's default */
	char db[4096];          /* results store; "" : the default */
	char users[4096];       /* users file */
	char rig[4096];         /* this binary, for rig run/verify/trend/baseline */
	int sockets;            /* test sockets of the station */
};

/* Run the server until SIGINT/SIGTERM: 0, or 2 with a message printed. */
int serve_run(const struct serve_config *cfg);

#endif
