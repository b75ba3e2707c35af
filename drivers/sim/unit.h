#ifndef RIG_SIM_UNIT_H
#define RIG_SIM_UNIT_H

/*
 * A sim unit file (--sim-unit) describes the injector the sim bench
 * plays: its identity, how its depth, dose and rate respond to settings,
 * and faults to inject. Format: docs/design.md "Sim unit file"; every
 * field is optional and the defaults (sim_unit_defaults) make a good unit.
 */
#include <stddef.h>

enum sim_fault_kind {
	SIM_FAULT_USB_DISCONNECT,   /* unit vanishes from the bus */
	SIM_FAULT_DAQ_OVERRUN,      /* acquisition loses samples */
	SIM_FAULT_STUCK_NEEDLE,     /* needle stays out after a shot */
	SIM_FAULT_BALANCE_UNSTABLE, /* balance never settles */
};

#define SIM_MAX_FAULTS 8

struct sim_fault {
	enum sim_fault_kind kind;
	unsigned at_shot;  /* 1-based count of shots fired since power-up */
};

struct sim_unit {
	char path[4096];
	char model[32], serial[32], firmware[32];
	/* Each with the settings the model accepts (default the MI-350's):
	 * the unit refuses a configuration outside them, as a real one does. */
	struct {
		double offset_mm, gain, noise_mm, drift_mm_per_shot;
		double min_mm, max_mm;
	} depth;
	struct {
		double gain, offset_ul, noise_pct;
		double min_ul, max_ul;
	} dose;
	struct {
		double gain, jitter_ms;
		double min_per_min, max_per_min;
	} rate;
	/* Shape of a stroke (not in the design's sketch; defaults are a healthy
	 * mechanism): rise time to the stop, overshoot/ringing, retraction, the
	 * bounce off the rear stop when it gets home. */
	struct {
		double rise_ms, overshoot_mm, ring_hz, ring_tau_ms, retract_ms, bounce_mm;
		double partial_prob;  /* a stroke that stops short, at half depth */
		double slow_prob;     /* a sticky stroke that rises eight times slower */
	} stroke;
	double missed_shot_prob, double_shot_prob;
	double latency_ms;       /* trigger press to first stroke */
	size_t nfaults;
	struct sim_fault faults[SIM_MAX_FAULTS];
};

void sim_unit_defaults(struct sim_unit *u);

/* Load path over the defaults; unknown fields are refused with file:line. */
int sim_unit_load(struct sim_unit *u, const char *path);

/* The fault of this kind, or NULL. */
const struct sim_fault *sim_unit_fault(const struct sim_unit *u, enum sim_fault_kind kind);

/* Read the named numbers of subtable `name` of root, each within its
 * range: {key, lo, hi, &field} rows, at most 15. 0 when absent. */
struct df_table;
struct sim_number_field {
	const char *key;
	double lo, hi;
	double *out;
};
int sim_read_numbers(struct df_table *root, const char *name, const struct sim_number_field *f,
		     size_t n);

#endif
