#ifndef RIG_RECORDS_CMD_H
#define RIG_RECORDS_CMD_H

/* The verbs over signed records: keygen, verify, sign (docs/reports.md). */
int keygen_command(int argc, char **argv);
int verify_command(int argc, char **argv);
int sign_command(int argc, char **argv);

#endif
