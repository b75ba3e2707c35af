#ifndef RIG_LIST_DEVICES_H
#define RIG_LIST_DEVICES_H

#include <stdio.h>

#include "rig/station/fixture.h"

/* Write what is present to out: Comedi boards, injectors on USB, serial
 * ports and the fixture's balance (fx may be NULL). 0 or a RIG_ERR_*. */
int list_devices(FILE *out, const struct fixture *fx);


#endif
