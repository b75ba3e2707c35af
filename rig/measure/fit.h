#ifndef RIG_MEASURE_FIT_H
#define RIG_MEASURE_FIT_H

/*
 * The sub-sample estimates of the extractor, on evenly spaced samples
 * (index = time in sample periods). Pure functions, tested on their own.
 */
#include <stddef.h>

/*
 * First index in y[0..upto] where y rises through level, interpolated to a
 * fraction of a sample; -1 if it never does. When at least four samples lie
 * within band of the level around that crossing, a least-squares line
 * through them refines it (noise averages out on fast-sampled edges).
 */
double fit_crossing(const double *y, size_t upto, double level, double band);

/*
 * Crest of y[0..n) near index centre: a least-squares parabola over the
 * widest symmetric window whose residuals are no larger than noise_var (the
 * variance of one sample's noise) explains, narrowing down to 3 samples on
 * a sharp crest; re-centred once on the vertex. No cap at the highest
 * sample. *at gets the crest's position, *u the standard uncertainty of
 * the returned value from the noise (Type A).
 */
double fit_crest(const double *y, size_t n, size_t centre, double noise_var, double *at,
		 double *u, size_t *width);

/*
 * Crest of a ring sampled too coarsely for a parabola (10 samples a period
 * or fewer): a constant plus a damped sine (Prony) through the 6 samples
 * from j, the highest, on; its maximum within 1.2 samples of j. NAN when
 * the samples are no such ring (no oscillation, growing, drowned in
 * noise_var, or not explained by the model).
 */
double fit_ring(const double *y, size_t n, size_t j, double noise_var, double *at);

/*
 * The same for a stop that rings in two modes (a stiffer one on top):
 * a constant plus two damped sines (Prony of order 4) through the 12
 * samples from j on; its maximum within 1.2 samples of j. NAN where the
 * samples are no such ring.
 */
#define RING2_SAMPLES 12
double fit_ring2(const double *y, size_t n, size_t j, double noise_var, double *at);

#endif
