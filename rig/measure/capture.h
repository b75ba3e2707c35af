#ifndef RIG_MEASURE_CAPTURE_H
#define RIG_MEASURE_CAPTURE_H

/*
 * Measure the shots of a raw capture file, whatever wrote it: the engine
 * of `rig measure`. The channels named "displacement" and "plunger" are
 * measured through the calibration in the file's header.
 */
#include <stddef.h>

#include "rig/base/rcap.h"
#include "rig/measure/shots.h"

struct capture_info {
	struct rcap_header h;
	uint64_t scans;
	int trailing_bytes;  /* of an incomplete last scan, ignored */
	struct measure_quality quality;  /* filled when the capture was measured */
};

/* Feed the file in blocks of block scans (0: a default size). info, if
 * not NULL, is filled as soon as the header is read: fn may look at it;
 * the caller frees it with capture_info_release, whatever the outcome. */
int measure_capture(const char *path, size_t block, shot_fn fn, void *ctx,
		    struct capture_info *info);
void capture_info_release(struct capture_info *info);

#endif
