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
	size_t nch = l->nchannels;
	uint64_t ds = 0, ps = 0;

	for (size_t i = 0; i < n; i++, c += nch) {
		uint16_t d = c[l->displacement];

		st->max = d > st->max ? d : st->max;
		st->min = d < st->min ? d : st->min;
		ds += d;
		if (l->plunger >= 0)
			ps += c[l->plunger];
	}
	st->dsum[1] += (double)ds;
	st->psum[1] += (double)ps;
}

#ifdef HAVE_AVX2_PATH
/*
 * In a group of GROUP scans, element e of vector a holds channel
 * (GROUP * a + e) % nch, whatever the scan: per-lane max, min and sums
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
	size_t groups = n / GROUP;
	uint64_t ds = 0, ps = 0;

	for (size_t a = 0; a < nch; a++) {
		mx[a] = zero;
		mn[a] = _mm256_set1_epi16(-1);
		lo[a] = hi[a] = zero;
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
		for (int e = 0; e < GROUP; e++) {
			if ((GROUP * a + (size_t)e) % nch != (size_t)l->displacement)
				continue;
			st->max = vmx[e] > st->max ? vmx[e] : st->max;
			st->min = vmn[e] < st->min ? vmn[e] : st->min;
		}
		for (int i = 0; i < 8; i++) {
			size_t clo = (GROUP * a + (size_t)lo_elem[i]) % nch;
			size_t chi = (GROUP * a + (size_t)hi_elem[i]) % nch;

			ds += (clo == (size_t)l->displacement ? vlo[i] : 0) +
			      (chi == (size_t)l->displacement ? vhi[i] : 0);
			ps += (l->plunger >= 0 && clo == (size_t)l->plunger ? vlo[i] : 0) +
			      (l->plunger >= 0 && chi == (size_t)l->plunger ? vhi[i] : 0);
		}
	}
	st->dsum[1] += (double)ds;
	st->psum[1] += (double)ps;
	return groups * GROUP;
}

/* The channel count as a constant lets the compiler keep the
 * accumulators in registers for the common bench layouts. */
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

/* Sums of higher powers, for polynomial calibrations (rarely needed). */
static void power_sums(const uint16_t *c, size_t n, size_t nch, int ch, int order, double *sum)
{
	for (int k = 2; k <= order; k++) {
		double s = 0;

		for (size_t i = 0; i < n; i++) {
			double x = c[i * nch + (size_t)ch], p = x;

			for (int j = 1; j < k; j++)
				p *= x;
			s += p;
		}
		sum[k] += s;
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
	power_sums(codes, n, l->nchannels, l->displacement, l->dorder, st->dsum);
	if (l->plunger >= 0)
		power_sums(codes, n, l->nchannels, l->plunger, l->porder, st->psum);
}
