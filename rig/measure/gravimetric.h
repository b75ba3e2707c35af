#ifndef RIG_MEASURE_GRAVIMETRIC_H
#define RIG_MEASURE_GRAVIMETRIC_H

/*
 * Gravimetric volume per ISO 8655-6: V = (m + evaporation) * Z, where Z
 * converts balance reading (mg, balance calibrated against 8000 kg/m3
 * steel weights) to µl of water at the test temperature and pressure:
 *   Z = 1 / (rho_w - rho_a) * (1 - rho_a / rho_b)
 * rho_w from Tanaka et al. (Metrologia 38, 2001), rho_a from the CIPM
 * simplified formula.
 */
#include "rig/station/fixture.h"

/* Density of air-free water, g/ml, at t °C (Tanaka 2001). */
double water_density(double t_c);

/* Density of air, g/ml, at t °C, p kPa and relative humidity %. */
double air_density(double t_c, double p_kpa, double humidity_pct);

/* Z factor, µl per mg of balance reading. */
double gravimetric_z(double t_c, double p_kpa, double humidity_pct);

/*
 * Volume delivered, µl, from a balance reading (g) taken seconds after the
 * tare: the water that evaporated from the vessel meanwhile (the fixture's
 * measured rate) is added back before the conversion.
 */
double gravimetric_volume_ul(double grams, double seconds, const struct fixture_environment *env);

#endif
