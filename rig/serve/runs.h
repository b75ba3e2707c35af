#ifndef RIG_SERVE_RUNS_H
#define RIG_SERVE_RUNS_H

/*
 * The runs rig serve launched, each a `rig run` process started in a
 * session of its own (double fork, setsid) with --out RUNS/ID and
 * --answers META/ID.answer. What the server knows of a run besides its run
 * directory -- script, serial, socket, who started it, the process id -- is
 * META/ID.json, written before the run starts; its stderr is META/ID.log.
 * A run's state is computed from its journal each time it is asked for,
 * so nothing is lost when the server stops: state lives on disk.
 */
#include <jansson.h>

#include "rig/serve/serve.h"

/* A run id: the name of its directory, [0-9A-Za-z-], 1..63 characters. */
int runs_valid_id(const char *id);

/* Start a run; the new id in id. 0, or RIG_ERR_INVALID (bad script,
 * serial, socket, unit: the message says which), RIG_ERR_DEVICE when the
 * socket is busy (HTTP 409), RIG_ERR_IO. */
int runs_start(const struct serve_config *cfg, const char *script, const char *serial,
	       int socket, const char *unit, const char *user, char id[64]);

/* The state of a run (docs/serve.md: id, state, serial, script, socket, steps,
 * shots, prompt, verdict, failing, ...), or NULL when there is no such run. */
json_t *runs_state(const struct serve_config *cfg, const char *id);

/* What the server recorded when it started run id (id, script, serial,
 * socket, unit, user, started, pid), or NULL. */
json_t *runs_meta(const struct serve_config *cfg, const char *id);

/* Every run, newest first, each as runs_state without its steps. */
json_t *runs_list(const struct serve_config *cfg);

/* The process of a run is alive (and still that run's rig run). */
int runs_alive(const struct serve_config *cfg, const char *id);

/* Ask a running run to stop (SIGTERM to its session): it ends ABORTED with
 * everything journaled kept. 0, or RIG_ERR_INVALID when not running. */
int runs_abort(const struct serve_config *cfg, const char *id);

/* Answer the open prompt of a run. 0, or RIG_ERR_INVALID when none is open. */
int runs_answer(const struct serve_config *cfg, const char *id, const char *answer);

/* The path of a run's journal: 0, or RIG_ERR_INVALID when it does not fit in out. */
int runs_journal_path(const struct serve_config *cfg, const char *id, char *out, size_t len);

/* Names of the *.lua files in dir, sorted, as a JSON array. */
json_t *runs_list_lua(const char *dir);

/* Run this binary with args (NULL-terminated, args[0] the verb), no shell;
 * stdout and stderr into out (NUL-terminated, cut at len). The exit status,
 * or -1 when it could not run. */
int runs_rig(const struct serve_config *cfg, const char *const *args, char *out, size_t len);

#endif
