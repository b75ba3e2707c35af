#ifndef RIG_MEASURE_GRAVIMETRIC_H
#define RIG_MEASURE_GRAVIMETRIC_H

/*
 * Gravimetric volume per ISO 8655-6: V = (m + evaporation) * Z, where Z
 * (rig/base/physics.h) converts the balance reading (mg) to µl of water at
 * the test temperature and pressure.
 */
#include "rig/base/physics.h"
#include "rig/base/fixture.h"

/*
 * Volume delivered, µl, from a balance reading (g) taken seconds after the
 * tare: the water that evaporated from the vessel meanwhile (the fixture's
 * measured rate) is added back before the conversion.
 */
double gravimetric_volume_ul(double grams, double seconds, const struct fixture_environment *env);

#endif
