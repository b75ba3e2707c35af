#ifndef RIG_LIST_DEVICES_H
#define RIG_LIST_DEVICES_H

#include <stdio.h>

#include "rig/fixture.h"

/* Write what is present to out: injectors on USB, serial ports and the
 * fixture's balance (fx may be NULL). 0 or a RIG_ERR_*. */
int list_devices(FILE *out, const struct fixture *fx);

/* `rig list-devices [--fixture F]`; returns the exit status. */
int list_devices_command(int argc, char **argv);

#endif
