#include "rig/base/physics.h"

#include <math.h>

/* Density of the reference weights the balance is adjusted with, g/ml. */
#define WEIGHT_DENSITY 8.0

double water_density(double t)
{
	const double a1 = -3.983035, a2 = 301.797, a3 = 522528.9, a4 = 69.34881,
		     a5 = 999.974950;

	return a5 * (1 - (t + a1) * (t + a1) * (t + a2) / (a3 * (t + a4))) / 1000.0;
}

double air_density(double t, double p_kpa, double humidity_pct)
{
	double hpa = p_kpa * 10.0;

	return (0.34848 * hpa - 0.009 * humidity_pct * exp(0.061 * t)) / (273.15 + t) / 1000.0;
}

double gravimetric_z(double t, double p_kpa, double humidity_pct)
{
	double rw = water_density(t), ra = air_density(t, p_kpa, humidity_pct);

	/* ml/g == µl/mg */
	return 1.0 / (rw - ra) * (1 - ra / WEIGHT_DENSITY);
}
