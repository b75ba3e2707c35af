#ifndef RIG_RUN_H
#define RIG_RUN_H

#include <stdint.h>

struct run_record;
struct report_supplement;

struct run_options {
	const char *script;
	const char *fixture;       /* NULL: fixtures/sim-bench.lua */
	const char *sim_unit;      /* NULL: fixtures/units/nominal.lua */
	const char *out;           /* NULL: reports/out/<run-id> */
	const char *operator_name; /* NULL: $USER */
	uint64_t seed;
	int realtime;
	int batch;                 /* answer prompts automatically */
	const char *answers;       /* prompts answered through this file (rig serve); NULL: the terminal */
	int allow_expired_cal;
	int allow_expired_msa;     /* run although the gauge-study interlock refuses */
	int msa_study;             /* the run is a gauge study (rig msa): not gated */
	/* A procedure's own artifacts (rig msa's msa.html): called with the
	 * finished record before the reports are written, so what it writes
	 * into r->out_dir is signed with them. NULL: none. */
	int (*artifacts)(const struct run_record *r, void *ctx);
	void *artifacts_ctx;
	/* What the artifacts found, printed in report.pdf after the
	 * measurements (rig msa's study); it may fill it. NULL: nothing. */
	const struct report_supplement *supplement;
	int quiet;                 /* no progress line */
	double step_timeout_s;     /* Lua wall-clock limit per step; 0: none */
	const char *db;            /* results store; NULL: the default */
	const char *firmware;      /* image the script is to flash (rig.options) */
	const char *params[16];    /* "NAME=VALUE" for rig.params */
	int nparams;
	/* Several units at once (docs/script-api.md, sockets): */
	const char *socket;        /* test only this socket of the fixture */
	const char *serial;        /* the unit's serial (real injectors); NULL: the fixture's */
	const char *socket_units[16];   /* "SOCKET=FILE" from --sim-unit */
	int nsocket_units;
	const char *socket_serials[16]; /* "SOCKET=SERIAL" from --serial */
	int nsocket_serials;
	int argc;                  /* the command line, for the batch to run each socket */
	char **argv;
	int help;
};

/*
 * What `rig run` does once its options are parsed: load the fixture, check calibration, create the run
 * directory and journal, open the bench, run the script, write the reports
 * and print the summary. Returns the process exit status: 0 every
 * requirement PASS, 1 any FAIL or INDETERMINATE, 2 the run could not be
 * completed.
 */
int run_execute(const struct run_options *o);

/*
 * A station with sockets: run the script once per socket, concurrently,
 * each socket as its own `rig run --socket S` process with its own
 * complete, signed run directory under one batch directory, and a batch
 * summary. Exit 0 every socket PASS, 1 any FAIL, 2 the batch could not
 * run (rig/run/batch.c).
 */
struct fixture;
int batch_execute(const struct run_options *o, const char *fixture_path,
		  const struct fixture *fx);

#endif
