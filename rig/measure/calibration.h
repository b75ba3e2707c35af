#ifndef RIG_MEASURE_CALIBRATION_H
#define RIG_MEASURE_CALIBRATION_H

/*
 * A channel's code -> unit calibration, with comedi_polynomial_t's meaning:
 * value = poly[0] + poly[1]*code + poly[2]*code^2 + ... up to poly[order].
 * The fixture (or the board's own soft calibration) supplies it; the
 * certificate that makes it traceable travels beside it, by ID.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/station/fixture.h"

struct calibration {
	double poly[FIXTURE_MAX_POLY];
	int order;
};

double calibration_apply(const struct calibration *c, double code);

/* Every code's value: maxdata + 1 entries, free() it; NULL on out of memory. */
double *calibration_table(const struct calibration *c, uint32_t maxdata);

/* +1 if table rises strictly with the code, -1 if it falls strictly, 0 otherwise. */
int calibration_direction(const double *table, uint32_t maxdata);

/*
 * Mean calibrated value of n codes from their power sums, moments[k] =
 * sum of code^k for k = 1..order: exact for a polynomial, so a mean needs
 * no per-sample conversion.
 */
double calibration_mean(const struct calibration *c, const double *moments, double n);

#endif
