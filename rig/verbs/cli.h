#ifndef RIG_CLI_H
#define RIG_CLI_H

/* Command-line parsing, apart from main() so it is tested alone. */
#include <stdint.h>

#include "rig/run/run.h"

/* Parse `rig run ...` (argv[0] is "run"). 0, or RIG_ERR_INVALID with a message. */
int cli_parse_run(int argc, char **argv, struct run_options *o);

/* Parse an unsigned decimal integer; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *out);

/* Parse a finite decimal number; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_double(const char *opt, const char *text, double *out);

#endif
