#ifndef RIG_INTERRUPT_H
#define RIG_INTERRUPT_H

/*
 * A stop request (SIGINT, SIGTERM, the operator's abort). Long loops -- the
 * Lua hook, the acquisition loop -- poll it and end the run as ABORTED with
 * everything journaled so far kept.
 */

/* Async-signal-safe. */
void interrupt_request(void);
int interrupt_requested(void);

/* Route SIGINT, SIGTERM and SIGHUP (terminal gone) to interrupt_request(). */
void interrupt_install_handlers(void);

#endif
