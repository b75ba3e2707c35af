/*
 * Distribution-free tolerance intervals from order statistics (Wilks 1941;
 * ISO 16269-6 clause 7). The coverage of the interval left after dropping m
 * sorted values is Beta(n - m + 1, m) distributed whatever the (continuous)
 * population, so the confidence is a binomial tail.
 */
#include <math.h>

#include "rig/stats/stats.h"

#define DF_N_MAX 1000000000u

double stats_df_confidence(size_t n, size_t m, double coverage)
{
	if (m == 0 || m > n)
		return m == 0 ? 0 : NAN;
	return stats_binomial_upper(m, n, 1 - coverage);
}

size_t stats_df_min_n(double confidence, double coverage, int sides)
{
	size_t m = sides == 2 ? 2 : 1, lo = m, hi = m;

	if (!(confidence > 0 && confidence < 1) || !(coverage > 0 && coverage < 1))
		return 0;
	/* The confidence grows with n: double, then bisect. */
	while (stats_df_confidence(hi, m, coverage) < confidence) {
		lo = hi;
		if (hi > DF_N_MAX / 2)
			return 0;
		hi *= 2;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (stats_df_confidence(mid, m, coverage) < confidence)
			lo = mid;
		else
			hi = mid;
	}
	return stats_df_confidence(lo, m, coverage) >= confidence ? lo : hi;
}

size_t stats_df_trim(size_t n, double confidence, double coverage, int sides)
{
	double q = 1 - coverage, below = 0;
	size_t m = 0;

	/* Largest m with Pr[X <= m - 1] <= 1 - confidence, X ~ Binomial(n, q). */
	for (size_t j = 0; j < n; j++) {
		below += exp(lgamma((double)n + 1) - lgamma((double)j + 1) -
			     lgamma((double)(n - j) + 1) + (double)j * log(q) +
			     (double)(n - j) * log1p(-q));
		if (below > 1 - confidence)
			break;
		m = j + 1;
	}
	if (sides == 2)
		m &= ~(size_t)1;
	return m;
}
