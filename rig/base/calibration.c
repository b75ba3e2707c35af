#include "rig/base/calibration.h"

#include <stdlib.h>

double calibration_apply(const struct calibration *c, double code)
{
	double y = 0;

	for (int k = c->order; k >= 0; k--)
		y = y * code + c->poly[k];
	return y;
}

double *calibration_table(const struct calibration *c, uint32_t maxdata)
{
	double *t = malloc(((size_t)maxdata + 1) * sizeof(*t));

	if (t)
		for (uint32_t i = 0; i <= maxdata; i++)
			t[i] = calibration_apply(c, i);
	return t;
}

int calibration_direction(const double *table, uint32_t lo, uint32_t hi)
{
	int up = 1, down = 1;

	for (uint32_t i = lo + 1; i <= hi; i++) {
		up &= table[i] > table[i - 1];
		down &= table[i] < table[i - 1];
	}
	return up ? 1 : down ? -1 : 0;
}

double calibration_mean(const struct calibration *c, const double *moments, double n)
{
	double y = c->poly[0];

	for (int k = 1; k <= c->order; k++)
		y += c->poly[k] * moments[k] / n;
	return y;
}
