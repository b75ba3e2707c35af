#ifndef RIG_MEASURE_SHOTS_H
#define RIG_MEASURE_SHOTS_H

/*
 * Streaming shot extraction: raw interleaved ADC scans in, one struct shot
 * out per detected shot, with the definitions of docs/design.md ("What a
 * shot is"). The stream is cut into chunks at fixed scan indices whatever
 * the blocks it arrives in, so results are bit-identical for any block
 * sizes, and memory does not grow with the stream's length.
 * docs/measurement.md describes the algorithm, its parameters and limits.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/base/calibration.h"
#include "rig/base/shot_flags.h"  /* enum shot_flag */

/* The parameters docs/measurement.md explains (the first three are the
 * defaults of struct measure_config's fields). */
#define MEASURE_THRESHOLD_MM 0.15   /* above the baseline: a shot starts */
#define MEASURE_RELEASE_MM 0.08     /* below it again ... */
#define MEASURE_MIN_GAP_MS 3.0      /* ... this long: the shot is over (debounce) */
#define MEASURE_BASELINE_S 0.020    /* a shot's baseline: fitted over this (a 50 Hz cycle), */
#define MEASURE_GUARD_S 0.002       /* ending this long before its threshold crossing */
#define MEASURE_LEVEL_S 0.030       /* plunger level: mean over this before a crossing */
#define MEASURE_PEAK_FIT_S 0.00025  /* runs of about this locate the peak */
#define MEASURE_CREST_S 0.001       /* widest half window of the crest fit */
#define MEASURE_HUM_S 0.100         /* mains hum fitted over up to this before a shot */
#define MEASURE_NOISE_K 6.0         /* detection level: this many sigma of the detector's mean */
#define MEASURE_MAX_THRESHOLD_MM 0.25 /* never above half the smallest depth setting (0.5 mm) */
#define MEASURE_DETECT_S 0.003      /* the detector's mean spans at most this */

/* What a capture's signals were like (docs/measurement.md, "Signal
 * quality"): what the shots' numbers can be trusted to. */
struct measure_quality {
	double noise_mm;      /* displacement noise, robust rms (MAD of differences) */
	double hum_mm;        /* largest mains hum amplitude fitted before a shot */
	double hum_hz;        /* its frequency (50 or 60), 0 if none */
	double plunger_noise_ul;
	uint64_t clipped;     /* displacement samples at either end of the converter's range */
	int stuck;            /* the displacement code never changed */
	double u_depth_mm;    /* Type A standard uncertainty of one shot's depth (rms over shots) */
	double u_volume_ul;   /* Type A standard uncertainty of one shot's volume */
	double threshold_mm;  /* detection level in use at the end */
	unsigned detect_n;    /* samples the detector averages */
};

struct shot {
	uint32_t index;      /* 1-based in the capture */
	double t_s;          /* onset: 50 % of depth on the rise, s after scan 0 */
	double depth_mm;     /* peak extension above the baseline */
	double volume_ul;    /* settled plunger level after minus before; NAN without plunger */
	double rise_ms;      /* 10 % to 90 % of depth; NAN if the rise never got there */
	double peak_s;       /* when the peak was, s after scan 0 */
	double end_s;        /* needle back below the release level; NAN if unfinished */
	double baseline_mm;  /* sensor reading with the needle retracted */
	double hum_mm;       /* mains hum amplitude fitted before the shot (removed) */
	double u_depth_mm;   /* Type A standard uncertainty of depth (noise) */
	double u_volume_ul;  /* Type A standard uncertainty of volume (plunger noise) */
	unsigned flags;      /* enum shot_flag */
	/* The points the numbers above were read from, in scans of the
	 * stream (scan 0 is the capture's first): the journal keeps them
	 * and the report's figure draws them, so no consumer derives a
	 * baseline or a crest of its own (docs/design.md "What a shot is"). */
	double onset_scan;   /* t_s, fractional */
	double peak_scan;    /* peak_s: the crest, baseline_mm + depth_mm, is there */
	double end_scan;     /* end_s; NAN if unfinished */
	uint64_t baseline_from, baseline_to; /* baseline_mm is the mean over [from, to) (less
	                                      * the hum); empty: drift tracking stood in */
	double level_before_ul, level_after_ul; /* settled plunger levels, volume_ul is
	                                         * after - before; NAN without plunger */
	uint64_t before_from, before_to, after_from, after_to; /* their windows [from, to) */
};

struct measure_config {
	double rate_hz;          /* scan rate */
	size_t nchannels;        /* codes per scan */
	int displacement;        /* channel index of the needle sensor */
	int plunger;             /* channel index of the volume sensor, -1 if none */
	uint32_t maxdata;        /* largest displacement code (sizes the calibration table) */
	struct calibration displacement_cal, plunger_cal;
	double threshold_mm;     /* extension above baseline that starts a shot; 0: default */
	double release_mm;       /* below this the needle counts as retracted; 0: default */
	double min_gap_ms;       /* retracted this long ends a shot (debounce); 0: default */
	double expected_depth_mm;/* setting, to flag partial strokes; 0: unknown */
	/* Displacement codes the stream holds, when known (a file read
	 * through first): the calibration need only be monotonic over them.
	 * Both 0: every code up to maxdata. */
	uint32_t code_lo, code_hi;
};

typedef void (*shot_fn)(void *ctx, const struct shot *shot);

struct measure;

int measure_new(struct measure **out, const struct measure_config *cfg, shot_fn fn, void *ctx);
/* Feed nscans interleaved scans; shots are reported through fn as they complete. */
int measure_feed(struct measure *m, const uint16_t *codes, size_t nscans);
/* Peak extension of the shot in progress (or finished but not yet
 * reported), 0 when the needle is retracted: lets a safety check act
 * within a block instead of a shot later. Lags the stream by less than
 * one chunk (a few ms). */
double measure_live_peak(const struct measure *m);
/* The capture's signal quality so far (complete after measure_finish). */
void measure_quality(const struct measure *m, struct measure_quality *q);
/* End of stream: measure what is still buffered and report the last shot. */
int measure_finish(struct measure *m);
void measure_free(struct measure *m);

#endif
