#include <math.h>

#include "rig/error.h"
#include "rig/stats.h"

/* Howe (1969): k2 = z_{(1+P)/2} sqrt((n-1)(1+1/n) / chi2_{1-g,n-1}). */
static double howe_k(double n, double confidence, double coverage)
{
	double z = stats_normal_quantile((1 + coverage) / 2);
	double chi = stats_chi2_quantile(1 - confidence, n - 1);

	return z * sqrt((n - 1) * (1 + 1 / n) / chi);
}

/* Natrella (1963): one-sided factor from the normal approximation. */
static double natrella_k(double n, double confidence, double coverage)
{
	double zp = stats_normal_quantile(coverage), zg = stats_normal_quantile(confidence);
	double a = 1 - zg * zg / (2 * (n - 1)), b = zp * zp - zg * zg / n;

	return (zp + sqrt(zp * zp - a * b)) / a;
}

int stats_tolerance_k(size_t n, double confidence, double coverage, int sides,
		      enum k_method method, double *k)
{
	if (n < 2 || !(confidence > 0 && confidence < 1) || !(coverage > 0 && coverage < 1) ||
	    (sides != 1 && sides != 2))
		return rig_error(RIG_ERR_INVALID,
				 "tolerance factor needs n >= 2, confidence and coverage in (0,1), "
				 "sides 1 or 2");
	if (method == K_EXACT)
		return rig_error(RIG_ERR_UNSUPPORTED, "exact tolerance factors are not built yet");
	*k = sides == 2 ? howe_k((double)n, confidence, coverage)
			: natrella_k((double)n, confidence, coverage);
	return 0;
}
