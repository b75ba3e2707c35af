#ifndef RIG_CLOCK_H
#define RIG_CLOCK_H

/* The monotonic clock, for deadlines and pauses in device I/O (never the
 * wall clock, which NTP may step). */

/* Milliseconds on CLOCK_MONOTONIC. */
long long clock_ms(void);

/* Sleep ms milliseconds (a signal may end it early). */
void clock_sleep_ms(unsigned ms);

#endif
