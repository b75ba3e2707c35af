#ifndef RIG_CLI_H
#define RIG_CLI_H

/*
 * Command-line parsing shared by the verbs, apart from main() so it is
 * tested alone: one option-table parser (cli_options) every verb describes
 * its options to, instead of a getopt loop of its own.
 */
#include <stdint.h>

#include "rig/run/run.h"

enum cli_arg {
	CLI_FLAG,   /* no value: *(int *)out = 1 */
	CLI_TEXT,   /* *(const char **)out = the value */
	CLI_U64,    /* *(uint64_t *)out, a whole number up to max */
	CLI_DOUBLE, /* *(double *)out, a finite number */
	CLI_CALL,   /* call(out, "--name", value) checks and stores the value */
};

struct cli_option {
	const char *name;   /* long name, without "--"; NULL ends a table */
	enum cli_arg arg;
	void *out;
	uint64_t max;       /* CLI_U64 */
	int (*call)(void *out, const char *opt, const char *value); /* CLI_CALL */
	int letter;         /* a short form too ('q' for -q), 0 for none */
};

struct cli_verb {
	const char *verb;                  /* "see rig VERB --help" in messages */
	const struct cli_option *options;
	int nonempty;                      /* refuse "--name ''" for every option */
};

#define CLI_HELP 1

/*
 * Parse the options of `rig VERB ...` (argv[0] is the verb) by the verb's
 * table, GNU style: options and operands in any order, "--" ends the
 * options; the operands end up in argv[*first .. argc - 1], in order.
 * Returns 0, CLI_HELP for -h or --help (the verb prints its usage), or
 * RIG_ERR_INVALID with one message: "--name needs a value (see rig VERB
 * --help)", "unknown option X (see rig VERB --help)", or the value's own.
 */
int cli_options(const struct cli_verb *v, int argc, char **argv, int *first);

/* Parse `rig run ...` (argv[0] is "run"). 0, or RIG_ERR_INVALID with a message. */
int cli_parse_run(int argc, char **argv, struct run_options *o);

/* Parse an unsigned decimal integer; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *out);

/* Parse a finite decimal number; 0 or RIG_ERR_INVALID naming the option. */
int cli_parse_double(const char *opt, const char *text, double *out);

#endif
