#ifndef RIG_BURST_H
#define RIG_BURST_H

/*
 * One burst: arm the unit for N shots, start the acquisition, press the
 * trigger, stream every block into the raw capture file and the shot
 * extractor, release when the unit is done (or a shot breaks the safety
 * limit), and hand back the measured shots. The hardware is touched only
 * through the station's driver contracts.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/base/record.h"
#include "rig/measure/shots.h"
#include "rig/station/station.h"

/* A burst larger than this is refused (an hour at 350/min is 21000). */
#define BURST_MAX_SHOTS 100000u

struct burst_request {
	uint32_t shots;          /* shots to fire, 1..BURST_MAX_SHOTS */
	struct uut_settings set; /* what the unit was configured to */
	double safe_depth_mm;    /* stop at once on a deeper shot (NAN: no limit) */
	const char *capture_path;/* raw capture file to write */
	/* Called after every block with the shots measured so far (progress). */
	void (*progress)(void *ctx, size_t shots_measured, uint32_t shots_commanded);
	void *ctx;
};

struct burst_result {
	struct shot *shots;      /* measured shots, t_s on the station clock */
	size_t nshots, cap;
	uint32_t unit_counted;   /* the unit's own counter difference */
	uint64_t scans;          /* scans captured */
	double rate_hz;          /* scan rate granted */
	int safety_stop;         /* a shot exceeded safe_depth_mm */
	size_t unsafe_shot;      /* its 1-based index */
	char capture_sha256[65]; /* of the complete capture file */
	struct measure_quality quality; /* the capture's signals (noise, hum, clipping, Type A) */
};

/*
 * Run the burst. On a device error the trigger is released, the capture
 * file keeps what arrived, res holds the shots measured up to the failure,
 * and the error is returned.
 */
int burst_run(struct station *station, const struct burst_request *rq, struct burst_result *res);
void burst_result_release(struct burst_result *res);

/* The measured shot sh as the record keeps it: its numbers and the points
 * they were read from (shot and burst numbers, interval left alone). The
 * one place a struct shot becomes a struct shot_row, for the run and for
 * rig verify's measuring again. */
void burst_shot_row(struct shot_row *row, const struct shot *sh);

#endif
