#ifndef RIG_MEASURE_CMD_H
#define RIG_MEASURE_CMD_H

/* `rig measure CAPTURE [--csv]`: measure the shots of a raw capture file and
 * print one row per shot. Returns the exit status. */
int measure_command(int argc, char **argv);

#endif
