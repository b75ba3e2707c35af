#ifndef RIG_DRIVERS_DEVICES_H
#define RIG_DRIVERS_DEVICES_H

/*
 * What `rig list-devices` shows (rig/verbs/list_devices.c): one function per
 * driver family, each writing one line per device it finds. Finding none is
 * no error; 0, or a RIG_ERR_* when the listing itself failed.
 */
#include <stdio.h>

#include "rig/station/fixture.h"

/* Comedi boards: every /dev/comediN, with its driver, inputs and ranges,
 * or why it cannot be opened. */
int cdaq_list(FILE *out);

/* Injectors with these USB IDs (0: the defaults), in runtime mode with
 * their identity, or in DFU mode. */
int injector_list(FILE *out, unsigned vid, unsigned pid);

/* Serial ports a balance may sit on; the fixture's balance (NULL: none)
 * identified on its port. */
int balance_list(FILE *out, const struct fixture_scale *probe);

#endif
