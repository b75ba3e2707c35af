#ifndef RIG_WATCHDOG_H
#define RIG_WATCHDOG_H

/*
 * The last line of defence for Lua time limits. The sandbox's count hook
 * stops Lua code at its deadline and on SIGTERM, but a hook never runs
 * while one call into a C library function spins: a backtracking pattern
 * match ("a*a*a*...b" over a long subject), a huge table.concat. While a
 * sandbox is watched, a thread checks the clock; when the deadline is
 * GRACE past (or a stop was requested GRACE ago) and the main thread is
 * not inside one of rig's own device calls (those have limits of their
 * own and must end cleanly, trigger released), it calls the last-words
 * function (the harness journals run_end ABORTED), prints "rig: FILE:
 * what" and ends the process with exit status 2. rig recover (or the next run) then writes
 * the records of that run from its journal.
 */
#include <time.h>

#define WATCHDOG_GRACE_S 1.5

/* Watch `file` (named in the message) until watchdog_pop, inside whatever
 * was watched (it resumes after). deadline: CLOCK_MONOTONIC_COARSE time
 * (tv_sec 0: none, only stop requests); what: the limit, e.g. "time limit
 * of 2 s exceeded (--step-timeout)". watchdog_update: a new deadline for
 * the innermost watch. */
void watchdog_push(const char *file, const struct timespec *deadline, const char *what);
void watchdog_update(const char *file, const struct timespec *deadline, const char *what);
void watchdog_pop(void);

/* Called from the watchdog's thread, just before the process ends, with
 * the message (NULL fn: none). It must not wait on the main thread. */
typedef void (*watchdog_last_words_fn)(void *ctx, const char *message);
void watchdog_set_last_words(watchdog_last_words_fn fn, void *ctx);

/* Around a device call of rig's own (a burst, a weighing): not stuck. */
void watchdog_hold(void);
void watchdog_release(void);

#endif
