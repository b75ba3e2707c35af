/*
 * Anderson-Darling test for normality with estimated mean and variance
 * (Anderson & Darling 1954; Stephens 1974, case 3).
 */
#include <math.h>
#include <stdlib.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"

/* log Phi(z) and log(1 - Phi(z)) without cancellation in either tail. */
static double log_cdf(double z)
{
	return log(0.5 * erfc(-z / M_SQRT2));
}

/* D'Agostino & Stephens (1986), Table 4.9: p-value of the modified A2. */
static double ad_p_value(double a)
{
	if (a >= 0.6)
		return exp(1.2937 - 5.709 * a + 0.0186 * a * a);
	if (a >= 0.34)
		return exp(0.9177 - 4.279 * a - 1.38 * a * a);
	if (a >= 0.2)
		return 1 - exp(-8.318 + 42.796 * a - 59.938 * a * a);
	return 1 - exp(-13.436 + 101.14 * a - 223.73 * a * a);
}

int stats_anderson_darling(const double *x, size_t n, double *a2, double *p)
{
	struct sample_stats st;
	double *y, sum = 0, dn = (double)n;

	if (n < STATS_AD_MIN_N)
		return rig_error(RIG_ERR_INVALID, "normality test needs at least %d values, got %zu",
				 STATS_AD_MIN_N, n);
	stats_describe(x, n, &st);
	if (!(st.sd > 0))
		return rig_error(RIG_ERR_INVALID, "normality test needs values that differ");
	y = stats_sorted_copy(x, n);
	if (!y)
		return rig_error(RIG_ERR_NOMEM, "out of memory for %zu values", n);
	for (size_t i = 0; i < n; i++) {
		double lo = (y[i] - st.mean) / st.sd, hi = (y[n - 1 - i] - st.mean) / st.sd;

		sum += (2.0 * (double)i + 1) * (log_cdf(lo) + log_cdf(-hi));
	}
	free(y);
	*a2 = (-dn - sum / dn) * (1 + 0.75 / dn + 2.25 / (dn * dn));
	*p = fmin(1, fmax(0, ad_p_value(*a2)));
	return 0;
}
