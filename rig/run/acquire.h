#ifndef RIG_RUN_ACQUIRE_H
#define RIG_RUN_ACQUIRE_H

/*
 * The batch's acquisition process for a DAQ board its sockets share
 * (drivers/batch_daq.h): one process owns the board, runs one
 * hardware-timed command with every socket's channel group, and hands each
 * socket its group's scans; each socket's trigger line is driven on its
 * request. A socket that ends (or dies) is dropped and its trigger line
 * released; the others go on.
 */
#include "rig/base/fixture.h"

/* Whether the fixture's sockets share one board through an acquisition
 * process (a Comedi board with sockets); 0 otherwise. -1 with rig_error()
 * set when the sockets cannot share it (a group missing, a channel or a
 * trigger line used twice, too many channels). */
int acquire_shared(const struct fixture *fx);

/* Serve the sockets of fx, fds[i] being socket i's end; returns when every
 * socket has closed its end. The process's exit status: 0, or 2 when the
 * board could not be opened (each socket was told why). */
int acquire_serve(const struct fixture *fx, const int *fds, size_t n);

#endif
