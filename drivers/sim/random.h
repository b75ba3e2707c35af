#ifndef RIG_SIM_RANDOM_H
#define RIG_SIM_RANDOM_H

/*
 * Deterministic random numbers for the sim: xoshiro256** seeded through
 * splitmix64, so a --seed gives the same run on every machine (no libc
 * rand(), whose sequence differs between C libraries).
 */
#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
	double spare;      /* second normal deviate of the last Box-Muller pair */
	int has_spare;
};

/* stream separates independent sequences drawn from one seed. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, 1). */
double sim_rng_uniform(struct sim_rng *r);
/* Standard normal. */
double sim_rng_normal(struct sim_rng *r);

#endif
