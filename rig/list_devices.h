#ifndef RIG_LIST_DEVICES_H
#define RIG_LIST_DEVICES_H

#include <stdio.h>

/* `rig list-devices`: what each driver finds on this machine. Returns the
 * exit status. */
int list_devices_command(int argc, char **argv);

/* The listing itself, to out. */
int list_devices(FILE *out);

#endif
