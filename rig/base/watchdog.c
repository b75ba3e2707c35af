#include "rig/base/watchdog.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/interrupt.h"

#define POLL_MS 100

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t thread;
/* What is watched, innermost last: a data file a script's flash loads is
 * watched inside the script's watch, which resumes when it is done. */
struct watch {
	char file[4096], what[160];
	struct timespec deadline, released;
	int held;
};

#define MAX_DEPTH 4

static struct watch stack[MAX_DEPTH];
static pthread_cond_t wakeup = PTHREAD_COND_INITIALIZER;
static int started, depth, quit;
static struct timespec stop_seen;
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

	snprintf(msg, sizeof(msg), "%s: %s (stuck inside one Lua library call)",
		 stack[depth - 1].file, why);
	if (last_words)
		last_words(last_words_ctx, msg);
	dprintf(STDERR_FILENO, "rig: %s\n", msg);
	_exit(2);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!quit) {
		struct timespec t, wake;

		if (depth > 0 && !stack[depth - 1].held) {
			struct watch *w = &stack[depth - 1];
			double from;

			now(&t);
			if (interrupt_requested()) {
				if (!stop_seen.tv_sec)
					stop_seen = t;
				from = secs(&stop_seen) > secs(&w->released) ? secs(&stop_seen)
									      : secs(&w->released);
				if (secs(&t) > from + WATCHDOG_GRACE_S)
					fire("interrupted by a signal");
			}
			if (w->deadline.tv_sec) {
				from = secs(&w->deadline) > secs(&w->released) ? secs(&w->deadline)
									       : secs(&w->released);
				if (secs(&t) > from + WATCHDOG_GRACE_S)
					fire(w->what);
			}
		}
		clock_gettime(CLOCK_REALTIME, &wake);
		wake.tv_nsec += POLL_MS * 1000000L;
		if (wake.tv_nsec >= 1000000000L) {
			wake.tv_sec++;
			wake.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wakeup, &lock, &wake);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void start(void)
{
	sigset_t all, old;

	/* Signals stay with the main thread (interrupt.c's handlers). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	quit = 0;
	started = pthread_create(&thread, NULL, watch, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void set(struct watch *w, const char *f, const struct timespec *d, const char *what)
{
	snprintf(w->file, sizeof(w->file), "%s", f);
	snprintf(w->what, sizeof(w->what), "%s", what ? what : "time limit exceeded");
	if (d)
		w->deadline = *d;
	else
		memset(&w->deadline, 0, sizeof(w->deadline));
	now(&w->released);
}

void watchdog_push(const char *f, const struct timespec *d, const char *what)
{
	pthread_mutex_lock(&lock);
	if (!started)
		start();
	if (depth < MAX_DEPTH) {
		stack[depth].held = 0;
		set(&stack[depth++], f, d, what);
	}
	pthread_mutex_unlock(&lock);
}

void watchdog_update(const char *f, const struct timespec *d, const char *what)
{
	pthread_mutex_lock(&lock);
	if (depth > 0)
		set(&stack[depth - 1], f, d, what);
	pthread_mutex_unlock(&lock);
}

void watchdog_pop(void)
{
	int join = 0;

	pthread_mutex_lock(&lock);
	if (depth > 0)
		depth--;
	if (depth > 0) {
		now(&stack[depth - 1].released);
	} else if (started) {
		/* Nothing watched: the thread ends (no thread outlives the
		 * process's work, nor shows as a leak). */
		quit = 1;
		join = 1;
		started = 0;
		pthread_cond_signal(&wakeup);
	}
	pthread_mutex_unlock(&lock);
	if (join)
		pthread_join(thread, NULL);
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
	if (depth > 0)
		stack[depth - 1].held++;
	pthread_mutex_unlock(&lock);
}

void watchdog_release(void)
{
	pthread_mutex_lock(&lock);
	if (depth > 0) {
		if (stack[depth - 1].held > 0)
			stack[depth - 1].held--;
		now(&stack[depth - 1].released);
	}
	pthread_mutex_unlock(&lock);
}
