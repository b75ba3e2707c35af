#include "rig/measure/gravimetric.h"

double gravimetric_volume_ul(double grams, double seconds, const struct fixture_environment *env)
{
	double mg = grams * 1000.0 + env->evaporation_mg_per_s * seconds;

	return mg * gravimetric_z(env->temperature_c, env->pressure_kpa, env->humidity_pct);
}
