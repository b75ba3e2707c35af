#ifndef RIG_SHOT_FLAGS_H
#define RIG_SHOT_FLAGS_H

/*
 * What a measured shot is flagged with (docs/measurement.md): set by
 * rig/measure, journaled with every burst, and written by name in rig
 * measure's table and shots.csv. Here, in base, so the reports name them
 * without reaching into the measurement.
 */
#include <stddef.h>

enum shot_flag {
	SHOT_PARTIAL = 1u << 0,    /* stopped well short of the expected depth */
	SHOT_UNFINISHED = 1u << 1, /* capture ended before the needle retracted */
	SHOT_SLOW = 1u << 2,       /* rise much slower than a healthy stroke */
	SHOT_CLIPPED = 1u << 3,    /* the sensor was at the end of its range during the shot */
	SHOT_AMBIGUOUS = 1u << 4,  /* the stroke does not stand clear of the noise, or its
				    * depth cannot be told from its samples */
};

/* The flags' names, separated by sep ("partial slow"), into buf; "" for
 * none. Unknown bits are written as their number. Returns buf. */
const char *shot_flag_names(unsigned flags, const char *sep, char *buf, size_t len);

#endif
