#ifndef RIG_TRUST_CMD_H
#define RIG_TRUST_CMD_H

/* rig trust add|list|remove */
int trust_command(int argc, char **argv);

#endif
