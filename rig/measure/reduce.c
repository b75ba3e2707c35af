#include "rig/measure/reduce.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#define GROUP 16   /* scans per vector group: 16 lanes of 16 bits */

static int portable_only;

void scan_reduce_portable(int on)
{
	portable_only = on;
}

/* Scalar: the reference every vector path must agree with. */
static void reduce_scalar(const uint16_t *c, size_t n, const struct scan_layout *l,
			  struct scan_stats *st)
{
	uint64_t sum = 0;

	c += l->displacement;
	for (size_t i = 0; i < n; i++, c += l->nchannels) {
		st->max = *c > st->max ? *c : st->max;
		st->min = *c < st->min ? *c : st->min;
		sum += *c;
	}
	st->sum[1] += (double)sum;
}

#ifdef HAVE_AVX2_PATH
/*
 * In a group of GROUP scans, element e of vector a holds channel
 * (GROUP * a + e) % nch, whatever the group: per-lane max, min and sums
 * over the groups, sorted out by channel once at the end.
 */
__attribute__((target("avx2"), always_inline)) static inline size_t
reduce_avx2_n(const uint16_t *c, size_t n, const struct scan_layout *l, struct scan_stats *st,
	      size_t nch)
{
	/* unpacklo/hi with zero widen these elements into 32-bit lanes */
	static const int lo_elem[8] = { 0, 1, 2, 3, 8, 9, 10, 11 };
	static const int hi_elem[8] = { 4, 5, 6, 7, 12, 13, 14, 15 };
	__m256i mx[GROUP], mn[GROUP], lo[GROUP], hi[GROUP];
	const __m256i zero = _mm256_setzero_si256();
	size_t groups = n / GROUP, d = (size_t)l->displacement;
	uint64_t sum = 0;

	for (size_t a = 0; a < nch; a++) {
		mx[a] = lo[a] = hi[a] = zero;
		mn[a] = _mm256_set1_epi16(-1);
	}
	for (size_t g = 0; g < groups; g++, c += GROUP * nch) {
		for (size_t a = 0; a < nch; a++) {
			__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(c + GROUP * a));

			mx[a] = _mm256_max_epu16(mx[a], x);
			mn[a] = _mm256_min_epu16(mn[a], x);
			lo[a] = _mm256_add_epi32(lo[a], _mm256_unpacklo_epi16(x, zero));
			hi[a] = _mm256_add_epi32(hi[a], _mm256_unpackhi_epi16(x, zero));
		}
	}
	for (size_t a = 0; a < nch; a++) {
		uint16_t vmx[GROUP], vmn[GROUP];
		uint32_t vlo[8], vhi[8];

		_mm256_storeu_si256((__m256i *)(void *)vmx, mx[a]);
		_mm256_storeu_si256((__m256i *)(void *)vmn, mn[a]);
		_mm256_storeu_si256((__m256i *)(void *)vlo, lo[a]);
		_mm256_storeu_si256((__m256i *)(void *)vhi, hi[a]);
		for (size_t e = 0; e < GROUP; e++) {
			if ((GROUP * a + e) % nch != d)
				continue;
			st->max = vmx[e] > st->max ? vmx[e] : st->max;
			st->min = vmn[e] < st->min ? vmn[e] : st->min;
		}
		for (size_t i = 0; i < 8; i++) {
			sum += (GROUP * a + (size_t)lo_elem[i]) % nch == d ? vlo[i] : 0;
			sum += (GROUP * a + (size_t)hi_elem[i]) % nch == d ? vhi[i] : 0;
		}
	}
	st->sum[1] += (double)sum;
	return groups * GROUP;
}

/* The channel count as a constant lets the compiler keep the
 * accumulators in registers for the common layouts. */
__attribute__((target("avx2"))) static size_t reduce_avx2(const uint16_t *c, size_t n,
							   const struct scan_layout *l,
							   struct scan_stats *st)
{
	switch (l->nchannels) {
	case 1: return reduce_avx2_n(c, n, l, st, 1);
	case 2: return reduce_avx2_n(c, n, l, st, 2);
	case 3: return reduce_avx2_n(c, n, l, st, 3);
	case 4: return reduce_avx2_n(c, n, l, st, 4);
	default: return reduce_avx2_n(c, n, l, st, l->nchannels);
	}
}
#endif

void power_sums(const uint16_t *c, size_t n, size_t stride, int order, double *sum)
{
	for (size_t i = 0; i < n; i++) {
		double x = c[i * stride], p = x;

		sum[1] += x;
		for (int k = 2; k <= order; k++)
			sum[k] += p *= x;
	}
}

void scan_reduce(const uint16_t *codes, size_t n, const struct scan_layout *l,
		 struct scan_stats *st)
{
	size_t done = 0;

	memset(st, 0, sizeof(*st));
	st->min = UINT16_MAX;
#ifdef HAVE_AVX2_PATH
	if (!portable_only && l->nchannels <= GROUP && __builtin_cpu_supports("avx2"))
		done = reduce_avx2(codes, n, l, st);
#endif
	reduce_scalar(codes + done * l->nchannels, n - done, l, st);
	/* Higher powers, for polynomial calibrations: rare, plain C. */
	if (l->order > 1) {
		double s[FIXTURE_MAX_POLY] = { 0 };

		power_sums(codes + l->displacement, n, l->nchannels, l->order, s);
		memcpy(st->sum + 2, s + 2, sizeof(s) - 2 * sizeof(*s));
	}
}
