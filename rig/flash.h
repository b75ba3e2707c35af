#ifndef RIG_FLASH_H
#define RIG_FLASH_H

/* `rig flash FILE --unit SERIAL [--fixture F]`: update an injector's
 * firmware by USB DFU and verify the version it reports afterwards.
 * Returns the exit status: 0 flashed and verified, 2 anything else. */
int flash_command(int argc, char **argv);

#endif
