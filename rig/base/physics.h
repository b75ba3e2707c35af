#ifndef RIG_BASE_PHYSICS_H
#define RIG_BASE_PHYSICS_H

/*
 * Physical properties of the test liquid and the air around the balance,
 * shared by the measurement (rig/measure/gravimetric.c turns a balance
 * reading into a volume) and the sim balance (drivers/sim turns a volume into
 * a reading), so both use the one formula:
 *   Z = 1 / (rho_w - rho_a) * (1 - rho_a / rho_b)      (ISO 8655-6)
 * rho_w from Tanaka et al. (Metrologia 38, 2001), rho_a from the CIPM
 * simplified formula, rho_b the 8000 kg/m3 steel of the balance's weights.
 */

/* Density of air-free water, g/ml, at t °C (Tanaka 2001). */
double water_density(double t_c);

/* Density of air, g/ml, at t °C, p kPa and relative humidity %. */
double air_density(double t_c, double p_kpa, double humidity_pct);

/* Z factor, µl per mg of balance reading. */
double gravimetric_z(double t_c, double p_kpa, double humidity_pct);

#endif
