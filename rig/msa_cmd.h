#ifndef RIG_MSA_CMD_H
#define RIG_MSA_CMD_H

/* `rig msa grr|type1 ...`: a measurement-system study of the station
 * (docs/msa.md). Exit status as rig run's. */
int msa_command(int argc, char **argv);

#endif
