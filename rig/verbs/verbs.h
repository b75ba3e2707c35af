#ifndef RIG_VERBS_H
#define RIG_VERBS_H

/*
 * Every verb of the rig command, as rig/main.c's table dispatches them (like
 * git's builtin.h). Each takes the arguments after "rig" (argv[0] is the
 * verb) and returns the process exit status: 0 success or all PASS, 1 a FAIL,
 * INDETERMINATE, regression or tampered record, 2 could not complete (a
 * one-line error on stderr). docs/rig.1 is the user's reference.
 */

int run_command(int argc, char **argv);          /* rig/verbs/run.c */
int recover_command(int argc, char **argv);      /* rig/verbs/recover.c */

/* `rig measure CAPTURE [--csv]`: measure the shots of a raw capture file
 * and print one row per shot. */
int measure_command(int argc, char **argv);

/* The verbs over signed records: keygen, verify, sign (docs/reports.md). */
int keygen_command(int argc, char **argv);
int verify_command(int argc, char **argv);
int sign_command(int argc, char **argv);
/* `rig trust add|list|remove`: the keys rig verify accepts (reports/trust.h). */
int trust_command(int argc, char **argv);      /* rig/verbs/trust.c */

/*
 * `rig stats k --n N [--confidence C] [--coverage P] [--sides 1|2]
 *                    [--method exact|howe|natrella]`: the normal
 * tolerance-interval factor, 4 decimals.
 * `rig stats n [--confidence C] [--coverage P] [--sides 1|2]`: the fewest
 * values a distribution-free interval needs.
 */
int stats_command(int argc, char **argv);

/* `rig flash FILE --unit SERIAL [--fixture F]`: update an injector's
 * firmware by USB DFU and verify the version it reports afterwards
 * (0 flashed and verified, 2 anything else). */
int flash_command(int argc, char **argv);

/* `rig msa grr|type1|budget ...`: a gauge study of the station, run as a
 * procedure (scripts/msa.lua) like rig run, or its uncertainty budgets
 * (docs/msa.md). Exit status as rig run's. */
int msa_command(int argc, char **argv);

/* `rig list-devices [--fixture F]`. */
int list_devices_command(int argc, char **argv);

/* The verbs over the results store (docs/regression.md). */
int history_command(int argc, char **argv);   /* 0; 2 on error */
int diff_command(int argc, char **argv);      /* 0 no regression, 1 regression, 2 error */
int baseline_command(int argc, char **argv);  /* 0; 2 on error */
int trend_command(int argc, char **argv);     /* 0 in control, 1 rule violated, 2 error */

/* The operator station in the browser (rig/serve/, docs/serve.md). */
int serve_command(int argc, char **argv);     /* runs until SIGTERM: 0; 2 on error */
int user_command(int argc, char **argv);      /* rig user add|del|list: 0; 2 on error */
/* The line's central store (docs/line.md). */
int sync_command(int argc, char **argv);      /* 0 up to date; 1 conflict; 2 error */
int line_command(int argc, char **argv);      /* 0; 2 on error */

#endif
