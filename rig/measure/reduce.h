#ifndef RIG_MEASURE_REDUCE_H
#define RIG_MEASURE_REDUCE_H

/*
 * One pass over a run of interleaved scans that tells the extractor what it
 * needs to decide the run is uneventful: the extreme displacement codes and
 * their power sums (for a mean through the calibration polynomial). Integer
 * arithmetic only, so the result is exact whatever instruction set computes
 * it; on x86-64 with AVX2 it runs at memory speed.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/base/fixture.h"

#define SCAN_GROUP 16  /* scans per vector group */

struct scan_layout {
	size_t nchannels;   /* codes per scan */
	int displacement;   /* channel index */
	int order;          /* highest power sum wanted (>= 1) */
	int portable;       /* never the vector path (RIG_SIMD=0 in the environment) */
	int vector;         /* the vector path: not portable, and the processor has it */
	/* Which 16-bit lanes of the a-th vector of a group hold displacement
	 * codes (scan_layout_init). */
	uint16_t lane[SCAN_GROUP][SCAN_GROUP];
};

struct scan_stats {
	uint16_t max, min;             /* displacement codes */
	double sum[FIXTURE_MAX_POLY];  /* [k]: sum of code^k, k = 1..order */
};

void scan_layout_init(struct scan_layout *l, size_t nchannels, int displacement, int order);

/* Sum of n codes at stride apart, in four independent sums so that loads
 * do not queue behind one chain of adds (integers: exact in any order). */
static inline uint64_t code_sum(const uint16_t *c, size_t n, size_t stride)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		s0 += c[i * stride];
		s1 += c[(i + 1) * stride];
		s2 += c[(i + 2) * stride];
		s3 += c[(i + 3) * stride];
	}
	for (; i < n; i++)
		s0 += c[i * stride];
	return s0 + s1 + s2 + s3;
}

/* Power sums of n codes at stride apart, added to sum[1..order]. */
void power_sums(const uint16_t *codes, size_t n, size_t stride, int order, double *sum);

void scan_reduce(const uint16_t *codes, size_t nscans, const struct scan_layout *l,
		 struct scan_stats *st);
/* Channels a and b of n scans, each into an array of its own (out_b
 * NULL: channel a alone). */
void scan_split(const uint16_t *codes, size_t nscans, const struct scan_layout *l, int a, int b,
		uint16_t *out_a, uint16_t *out_b);
/* The extreme displacement codes alone (scan_reduce's max and min). */
void scan_range(const uint16_t *codes, size_t nscans, const struct scan_layout *l, uint16_t *max,
		uint16_t *min);

#endif
