/* Shewhart control charts: the c4 constant and the Western Electric rules. */
#include <math.h>

#include "rig/stats/stats.h"

double stats_c4(size_t n)
{
	double m = (double)n;

	if (n < 2)
		return NAN;
	return sqrt(2 / (m - 1)) * exp(lgamma(m / 2) - lgamma((m - 1) / 2));
}

/* How many of the window of `len` points ending at i lie beyond `sigmas`
 * on the side `sign`. */
static int beyond(const double *z, size_t i, size_t len, double sigmas, int sign)
{
	int count = 0;

	for (size_t j = i + 1 - len; j <= i; j++)
		count += sign * z[j] > sigmas;
	return count;
}

void stats_western_electric(const double *z, size_t n, unsigned *rules)
{
	for (size_t i = 0; i < n; i++) {
		rules[i] = 0;
		if (fabs(z[i]) > 3)
			rules[i] |= WE_BEYOND_3;
		for (int sign = -1; sign <= 1; sign += 2) {
			if (sign * z[i] <= 0)
				continue;  /* the point completing a pattern is part of it */
			if (i >= 2 && sign * z[i] > 2 && beyond(z, i, 3, 2, sign) >= 2)
				rules[i] |= WE_2_OF_3;
			if (i >= 4 && sign * z[i] > 1 && beyond(z, i, 5, 1, sign) >= 4)
				rules[i] |= WE_4_OF_5;
			if (i >= 7 && beyond(z, i, 8, 0, sign) == 8)
				rules[i] |= WE_8_SAME_SIDE;
		}
	}
}
