#ifndef RIG_SIM_SIGNAL_H
#define RIG_SIM_SIGNAL_H

/*
 * What the sensors of a sim bench read: the value of every fixture channel
 * at a scan time (needle extension, plunger level, trigger voltage, liquid
 * temperature, plus each sensor's noise and drift from the fixture) and the
 * code an ADC makes of it. The sim DAQ and the emulated DAQ boards of the
 * tests (tests/emu) both synthesise from here, so a real driver talking to
 * an emulated board sees the very waveforms of the sim bench.
 */
#include <stdint.h>

#include "drivers/sim/random.h"
#include "rig/station/fixture.h"

struct sim_model;

enum sim_role { SIM_ROLE_OTHER, SIM_ROLE_DISPLACEMENT, SIM_ROLE_PLUNGER, SIM_ROLE_TRIGGER,
		SIM_ROLE_TEMPERATURE };

struct sim_signal {
	const struct fixture_daq *daq;
	const struct fixture_environment *env;
	enum sim_role role[FIXTURE_MAX_CHANNELS];
	struct sim_rng noise;
	double volume_at_start;   /* model volume when the capture started */
};

/* The sensors of daq's channels; seed is the run's --seed. */
void sim_signal_init(struct sim_signal *s, const struct fixture_daq *daq,
		     const struct fixture_environment *env, uint64_t seed);

/* A capture starts at the model's current time. */
void sim_signal_start(struct sim_signal *s, struct sim_model *m);

/* One scan at time t: x[i] is channel i's reading in its unit, noise and
 * drift included. The model must have been advanced past t. */
void sim_signal_scan(struct sim_signal *s, const struct sim_model *m, double t, double *x);

/* The unrounded code whose calibrated value is x: the inverse of poly. */
double sim_signal_code(const double *poly, int order, double x);

/* What a converter makes of an unrounded code: rounded, clipped to 0..maxdata. */
uint16_t sim_signal_adc(double code, uint32_t maxdata);

#endif
