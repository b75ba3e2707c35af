#include "rig/base/watchdog.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/interrupt.h"

#define POLL_MS 100

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t thread;
static int started, armed, held;
static char file[4096], what[160];
static struct timespec deadline, released, stop_seen;
static watchdog_last_words_fn last_words;
static void *last_words_ctx;

static double secs(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec * 1e-9;
}

static void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC_COARSE, t);
}

/* The main thread is stuck in one C call: close what can be closed, end. */
static void fire(const char *why)
{
	char msg[4400];

	snprintf(msg, sizeof(msg), "%s: %s (stuck inside one Lua library call)", file, why);
	if (last_words)
		last_words(last_words_ctx, msg);
	dprintf(STDERR_FILENO, "rig: %s\n", msg);
	_exit(2);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		struct timespec t, wake;

		if (armed && !held) {
			double from;

			now(&t);
			if (interrupt_requested()) {
				if (!stop_seen.tv_sec)
					stop_seen = t;
				from = secs(&stop_seen) > secs(&released) ? secs(&stop_seen)
									   : secs(&released);
				if (secs(&t) > from + WATCHDOG_GRACE_S)
					fire("interrupted by a signal");
			}
			if (deadline.tv_sec) {
				from = secs(&deadline) > secs(&released) ? secs(&deadline)
									 : secs(&released);
				if (secs(&t) > from + WATCHDOG_GRACE_S)
					fire(what);
			}
		}
		pthread_mutex_unlock(&lock);
		wake.tv_sec = 0;
		wake.tv_nsec = POLL_MS * 1000000L;
		while (nanosleep(&wake, &wake) != 0 && errno == EINTR)
			;
		pthread_mutex_lock(&lock);
	}
	return NULL;
}

void watchdog_arm(const char *f, const struct timespec *d, const char *w)
{
	pthread_mutex_lock(&lock);
	if (!started) {
		sigset_t all, old;

		/* Signals stay with the main thread (interrupt.c's handlers). */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		started = pthread_create(&thread, NULL, watch, NULL) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (started)
			pthread_detach(thread);
	}
	snprintf(file, sizeof(file), "%s", f);
	snprintf(what, sizeof(what), "%s", w ? w : "time limit exceeded");
	if (d)
		deadline = *d;
	else
		memset(&deadline, 0, sizeof(deadline));
	now(&released);
	armed = 1;
	pthread_mutex_unlock(&lock);
}

void watchdog_disarm(void)
{
	pthread_mutex_lock(&lock);
	armed = 0;
	pthread_mutex_unlock(&lock);
}

void watchdog_set_last_words(watchdog_last_words_fn fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	last_words = fn;
	last_words_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void watchdog_hold(void)
{
	pthread_mutex_lock(&lock);
	held++;
	pthread_mutex_unlock(&lock);
}

void watchdog_release(void)
{
	pthread_mutex_lock(&lock);
	if (held > 0)
		held--;
	now(&released);
	pthread_mutex_unlock(&lock);
}
