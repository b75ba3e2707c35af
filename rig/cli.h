#ifndef RIG_CLI_H
#define RIG_CLI_H

/* Command-line parsing, apart from main() so it is tested alone. */
#include <stdint.h>

struct run_record;

struct run_options {
	const char *script;
	const char *fixture;       /* NULL: fixtures/sim-bench.lua */
	const char *sim_unit;      /* NULL: fixtures/units/nominal.lua */
	const char *out;           /* NULL: reports/out/<run-id> */
	const char *operator_name; /* NULL: $USER */
	uint64_t seed;
	int realtime;
	int batch;                 /* answer prompts automatically */
	int allow_expired_cal;
	int allow_expired_msa;     /* run although the gauge-study interlock refuses */
	int msa_study;             /* the run is a gauge study (rig msa): not gated */
	/* A procedure's own artifacts (rig msa's msa.html): called with the
	 * finished record before the reports are written, so what it writes
	 * into r->out_dir is signed with them. NULL: none. */
	int (*artifacts)(const struct run_record *r, void *ctx);
	void *artifacts_ctx;
	int quiet;                 /* no progress line */
	double step_timeout_s;     /* Lua wall-clock limit per step; 0: none */
	const char *db;            /* results store; NULL: the default */
	const char *firmware;      /* image the script is to flash (rig.options) */
	const char *params[16];    /* "NAME=VALUE" for rig.params */
	int nparams;
	int help;
};

/* Parse `rig run ...` (argv[0] is "run"). 0, or RIG_ERR_INVALID with a message. */
int cli_parse_run(int argc, char **argv, struct run_options *o);

/* Parse an unsigned decimal integer; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *out);

/* Parse a finite decimal number; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_double(const char *opt, const char *text, double *out);

#endif
