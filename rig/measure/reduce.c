#include "rig/measure/reduce.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#define GROUP SCAN_GROUP

/* In a group of GROUP scans, element e of vector a holds channel
 * (GROUP * a + e) % nch, whatever the group. */
void scan_layout_init(struct scan_layout *l, size_t nchannels, int displacement, int order)
{
	memset(l, 0, sizeof(*l));
	l->nchannels = nchannels;
	l->displacement = displacement;
	l->order = order;
	/* RIG_SIMD=0 measures with the portable loop only: the same numbers,
	 * for telling a suspected vector-unit fault from a measurement one. */
	l->portable = getenv("RIG_SIMD") && !strcmp(getenv("RIG_SIMD"), "0");
#ifdef HAVE_AVX2_PATH
	l->vector = !l->portable && nchannels <= GROUP && __builtin_cpu_supports("avx2");
#endif
	for (size_t a = 0; a < nchannels && a < GROUP; a++)
		for (size_t e = 0; e < GROUP; e++)
			l->lane[a][e] = (GROUP * a + e) % nchannels == (size_t)displacement ? UINT16_MAX
											     : 0;
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

static void range_scalar(const uint16_t *c, size_t n, const struct scan_layout *l,
			 struct scan_stats *st)
{
	c += l->displacement;
	for (size_t i = 0; i < n; i++, c += l->nchannels) {
		st->max = *c > st->max ? *c : st->max;
		st->min = *c < st->min ? *c : st->min;
	}
}

#ifdef HAVE_AVX2_PATH
#define LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

/*
 * Per-lane max and min over the groups, then the displacement lanes picked
 * out by the layout's masks and folded, all in vector registers. The sum
 * is a multiply-add of the codes, offset to signed, by 1 on displacement
 * lanes and 0 elsewhere: three instructions a vector, no unpacking.
 */
__attribute__((target("avx2"), always_inline)) static inline size_t
reduce_avx2_n(const uint16_t *c, size_t n, const struct scan_layout *l, struct scan_stats *st,
	      size_t nch, int sums)
{
	__m256i mx[GROUP], mn[GROUP], sm[GROUP], w[GROUP];
	const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi16(-1);
	const __m256i bias = _mm256_set1_epi16(INT16_MIN), one = _mm256_set1_epi16(1);
	__m256i vmax = zero, vmin = ones, vsum = zero;
	__m128i h;
	__m256i s64;
	size_t groups = n / GROUP;
	int64_t sum;

	for (size_t a = 0; a < nch; a++) {
		mx[a] = sm[a] = zero;
		mn[a] = ones;
		w[a] = _mm256_and_si256(LOAD(l->lane[a]), one);
	}
	for (size_t g = 0; g < groups; g++, c += GROUP * nch) {
		for (size_t a = 0; a < nch; a++) {
			__m256i x = LOAD(c + GROUP * a);

			mx[a] = _mm256_max_epu16(mx[a], x);
			mn[a] = _mm256_min_epu16(mn[a], x);
			if (sums)
				sm[a] = _mm256_add_epi32(sm[a],
							 _mm256_madd_epi16(_mm256_xor_si256(x, bias), w[a]));
		}
	}
	for (size_t a = 0; a < nch; a++) {
		__m256i m = LOAD(l->lane[a]);

		vmax = _mm256_max_epu16(vmax, _mm256_and_si256(mx[a], m));
		vmin = _mm256_min_epu16(vmin, _mm256_or_si256(mn[a], _mm256_xor_si256(m, ones)));
		vsum = _mm256_add_epi32(vsum, sm[a]);
	}
	/* minpos finds the least of eight 16-bit lanes; the max is the least
	 * of the complements. */
	h = _mm_min_epu16(_mm256_castsi256_si128(vmin), _mm256_extracti128_si256(vmin, 1));
	st->min = (uint16_t)_mm_extract_epi16(_mm_minpos_epu16(h), 0);
	vmax = _mm256_xor_si256(vmax, ones);
	h = _mm_min_epu16(_mm256_castsi256_si128(vmax), _mm256_extracti128_si256(vmax, 1));
	st->max = (uint16_t)~_mm_extract_epi16(_mm_minpos_epu16(h), 0);
	if (!sums)
		return groups * GROUP;
	/* the eight 32-bit sums widened to 64 bits and added in registers */
	s64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(vsum)),
			       _mm256_cvtepi32_epi64(_mm256_extracti128_si256(vsum, 1)));
	h = _mm_add_epi64(_mm256_castsi256_si128(s64), _mm256_extracti128_si256(s64, 1));
	sum = _mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1);
	/* each group holds GROUP displacement codes, each offset by -32768 */
	st->sum[1] += (double)(sum + (int64_t)(groups * GROUP) * 32768);
	return groups * GROUP;
}

/* The channel count as a constant lets the compiler keep the
 * accumulators in registers for the common layouts; sums 0: the extremes
 * alone (scan_range), a constant where layouts are common. */
__attribute__((target("avx2"))) static size_t reduce_avx2(const uint16_t *c, size_t n,
							   const struct scan_layout *l,
							   struct scan_stats *st, int sums)
{
	switch (l->nchannels) {
	case 1: return sums ? reduce_avx2_n(c, n, l, st, 1, 1) : reduce_avx2_n(c, n, l, st, 1, 0);
	case 2: return sums ? reduce_avx2_n(c, n, l, st, 2, 1) : reduce_avx2_n(c, n, l, st, 2, 0);
	case 3: return reduce_avx2_n(c, n, l, st, 3, sums);
	case 4: return reduce_avx2_n(c, n, l, st, 4, sums);
	default: return reduce_avx2_n(c, n, l, st, l->nchannels, sums);
	}
}

/* Two channels' codes apart: the even and the odd 16-bit lanes, packed
 * back into order (packus packs within 128-bit halves). */
__attribute__((target("avx2"))) static size_t split2_avx2(const uint16_t *c, size_t n, int a,
							   uint16_t *out_a, uint16_t *out_b)
{
	const __m256i low = _mm256_set1_epi32(0xffff);
	size_t i = 0;

	for (; i + GROUP <= n; i += GROUP) {
		__m256i x = LOAD(c + 2 * i), y = LOAD(c + 2 * i + GROUP);
		__m256i ev = _mm256_packus_epi32(_mm256_and_si256(x, low), _mm256_and_si256(y, low));
		__m256i od = _mm256_packus_epi32(_mm256_srli_epi32(x, 16), _mm256_srli_epi32(y, 16));

		ev = _mm256_permute4x64_epi64(ev, 0xd8);
		od = _mm256_permute4x64_epi64(od, 0xd8);
		_mm256_storeu_si256((__m256i *)(void *)(out_a + i), a ? od : ev);
		if (out_b)
			_mm256_storeu_si256((__m256i *)(void *)(out_b + i), a ? ev : od);
	}
	return i;
}
#endif

void power_sums(const uint16_t *c, size_t n, size_t stride, int order, double *sum)
{
	if (order == 1) {  /* linear calibrations: an exact integer sum */
		sum[1] += (double)code_sum(c, n, stride);
		return;
	}
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
	if (l->vector && n >= GROUP)
		done = reduce_avx2(codes, n, l, st, 1);
#endif
	if (done < n)
		reduce_scalar(codes + done * l->nchannels, n - done, l, st);
	/* Higher powers, for polynomial calibrations: rare, plain C. */
	if (l->order > 1) {
		double s[FIXTURE_MAX_POLY] = { 0 };

		power_sums(codes + l->displacement, n, l->nchannels, l->order, s);
		memcpy(st->sum + 2, s + 2, sizeof(s) - 2 * sizeof(*s));
	}
}

void scan_range(const uint16_t *codes, size_t n, const struct scan_layout *l, uint16_t *max,
		uint16_t *min)
{
	struct scan_stats st = { .max = 0, .min = UINT16_MAX };
	size_t done = 0;

#ifdef HAVE_AVX2_PATH
	if (l->vector && n >= GROUP)
		done = reduce_avx2(codes, n, l, &st, 0);
#endif
	if (done < n)
		range_scalar(codes + done * l->nchannels, n - done, l, &st);
	*max = st.max;
	*min = st.min;
}

void scan_split(const uint16_t *codes, size_t n, const struct scan_layout *l, int a, int b,
		uint16_t *out_a, uint16_t *out_b)
{
	size_t done = 0, nch = l->nchannels;

#ifdef HAVE_AVX2_PATH
	if (l->vector && nch == 2 && (a != b || !out_b))
		done = split2_avx2(codes, n, a, out_a, out_b);
#endif
	for (size_t i = done; i < n; i++) {
		out_a[i] = codes[i * nch + (size_t)a];
		if (out_b)
			out_b[i] = codes[i * nch + (size_t)b];
	}
}
