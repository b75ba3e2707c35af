#include <math.h>

#include "rig/stats/stats.h"

double stats_cpk(double mean, double sd, double lsl, double usl)
{
	double upper = isnan(usl) ? INFINITY : (usl - mean) / (3 * sd);
	double lower = isnan(lsl) ? INFINITY : (mean - lsl) / (3 * sd);

	if (!(sd > 0) || (isnan(lsl) && isnan(usl)))
		return NAN;
	return upper < lower ? upper : lower;
}

double stats_cpk_lower(double cpk, size_t n, double confidence)
{
	double z = stats_normal_quantile(confidence);

	if (isnan(cpk) || n < 2)
		return NAN;
	/* Bissell (1990): Var(Cpk) ~ 1/(9n) + Cpk^2 / (2(n-1)). */
	return cpk - z * sqrt(1.0 / (9.0 * (double)n) + cpk * cpk / (2.0 * ((double)n - 1)));
}
