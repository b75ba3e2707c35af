#ifndef RIG_STATS_CMD_H
#define RIG_STATS_CMD_H

/*
 * `rig stats k --n N [--confidence C] [--coverage P] [--sides 1|2]
 *                    [--method exact|howe|natrella]`: the normal
 * tolerance-interval factor, 4 decimals.
 * `rig stats n [--confidence C] [--coverage P] [--sides 1|2]`: the fewest
 * values a distribution-free interval needs.
 * Returns the exit status (2 with a one-line error for bad arguments).
 */
int stats_command(int argc, char **argv);

#endif
