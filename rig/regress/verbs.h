#ifndef RIG_REGRESS_VERBS_H
#define RIG_REGRESS_VERBS_H

/* The verbs over the results store (docs/regression.md). Each returns the
 * process exit status. */
int history_command(int argc, char **argv);   /* 0; 2 on error */
int diff_command(int argc, char **argv);      /* 0 no regression, 1 regression, 2 error */
int baseline_command(int argc, char **argv);  /* 0; 2 on error */
int trend_command(int argc, char **argv);     /* 0 in control, 1 rule violated, 2 error */

#endif
