#ifndef RIG_BENCH_H
#define RIG_BENCH_H

/*
 * The station a run drives: the fixture and the open DAQ, unit and balance,
 * each through its contract (drivers/daq.h, uut.h, scale.h) and a backend
 * chosen by name in the fixture. When any backend is "sim", the backends
 * share one sim model (drivers/sim) built from the sim unit file.
 */
#include <stdint.h>

#include "drivers/daq.h"
#include "drivers/scale.h"
#include "drivers/uut.h"
#include "rig/station/fixture.h"

struct sim_model;

struct bench_options {
	const char *sim_unit;   /* sim unit file; NULL for the built-in nominal unit */
	uint64_t seed;          /* sim randomness */
	int realtime;           /* sim: pace the virtual clock to the wall clock */
	const char *truth_path; /* sim: where to write truth.csv; NULL: nowhere */
};

struct bench {
	const struct fixture *fx;
	struct bench_options opt;
	struct daq *daq;
	struct uut *uut;
	struct scale *scale;      /* NULL when the fixture has no balance */
	struct sim_model *sim;    /* shared by the sim backends; NULL otherwise */
	char step[64];            /* the engine's current step, for the sim's truth rows */
};

int bench_open(struct bench *b, const struct fixture *fx, const struct bench_options *opt);
void bench_close(struct bench *b);

/* Tell the backends which step runs now (the sim labels truth rows with it). */
void bench_set_step(struct bench *b, const char *step);

/* Backends by name (drivers/registry.c). NULL when unknown. */
const struct daq_ops *daq_backend(const char *name);
const struct uut_ops *uut_backend(const char *name);
const struct scale_ops *scale_backend(const char *name);

/* The sim model shared by the sim backends, created on first use. */
int bench_sim_model(struct bench *b, struct sim_model **out);

#endif
