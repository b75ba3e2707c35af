#ifndef RIG_SERVE_SSE_H
#define RIG_SERVE_SSE_H

/*
 * A run's progress as Server-Sent Events: every line of its journal, in
 * order, as "id: N" (the line's number, from 1) and "data: LINE"; then an
 * "end" event once the run's process is gone (after run_end it still
 * writes the reports, MANIFEST and signature). A client
 * reconnecting with Last-Event-ID: N gets exactly the lines after N, so
 * nothing is lost or repeated. Blocks its connection's thread while it
 * waits (rig serve runs a thread per connection).
 */
#include <microhttpd.h>

#include "rig/serve/serve.h"

/* The stream of run id, starting after line last_id (0: from the start). */
struct MHD_Response *sse_response(const struct serve_config *cfg, const char *id,
				  unsigned long long last_id);

#endif
