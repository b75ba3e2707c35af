#ifndef RIG_SIM_MODEL_H
#define RIG_SIM_MODEL_H

/*
 * The physics of a simulated injector on the sim bench, on a virtual clock.
 * The sim DAQ asks it for the true needle extension and dispensed volume at
 * each scan time; the sim UUT arms and configures it; the sim balance weighs
 * what it dispensed. It writes the true value of every shot to truth.csv
 * with the definitions of docs/design.md ("What a shot is"):
 *   depth  = maximum true extension during the shot (overshoot included)
 *   onset  = time the extension rises through 50 % of that depth (a stroke
 *            that starts above that, the last one not being home, has none:
 *            its stroke start is written)
 *   volume = dispensed volume of the shot
 *   interval = onset to the next onset in the same capture
 */
#include <stdint.h>
#include <stdio.h>

#include "drivers/sim/random.h"
#include "drivers/sim/unit.h"
#include "drivers/uut.h"

#define SIM_SHOT_RING 16

struct sim_shot {
	double t_cmd;      /* stroke starts (s, virtual) */
	double x0_mm;      /* extension then: the last stroke may not be home yet */
	double stop_mm;    /* where the depth stop holds the needle */
	double peak_mm;    /* true depth: stop plus the first overshoot */
	double onset_s;    /* 50 % of peak on the rise */
	double volume_ul;  /* dispensed by this shot */
	double v_before;   /* cumulative dispensed volume before it */
	double rise_s, dwell_s, retract_s;
	int stuck;         /* never retracts */
};

struct sim_model {
	struct sim_unit unit;
	struct sim_rng unit_rng;   /* shot-to-shot variation of the unit */
	struct uut_settings set;
	double now;                /* virtual time of the next scan, s */

	/* Firing state. */
	uint32_t armed;            /* shots per press; 0 continuous */
	int pressed;
	uint32_t left;             /* shots left in this press (continuous: ~0) */
	double next_cmd;           /* when the next commanded shot starts */
	uint32_t fired;            /* unit's counter: shots commanded since power-up */
	uint32_t burst_index;      /* shots into the current press (drift) */
	uint32_t faults;           /* enum uut_fault bits */
	int disconnected;          /* usb_disconnect happened */
	int overrun_pending;       /* daq_overrun happened, not yet reported */

	/* Shots that may still shape the signal, oldest first. */
	struct sim_shot ring[SIM_SHOT_RING];
	unsigned head, count;
	double volume_total;       /* dispensed since power-up, µl */

	/* truth.csv: the previous shot's row waits for the next onset. */
	FILE *truth;
	char truth_path[4096];
	char step[64];
	unsigned step_shots;       /* physical shots in the current step */
	int row_pending;
	struct sim_shot pending;
};

int sim_model_init(struct sim_model *m, const struct sim_unit *u, uint64_t seed,
		   const char *truth_path);

void sim_model_release(struct sim_model *m);

void sim_model_configure(struct sim_model *m, const struct uut_settings *s);
void sim_model_arm(struct sim_model *m, uint32_t shots);
void sim_model_disarm(struct sim_model *m);
/* Press or release the trigger at the current virtual time. */
void sim_model_trigger(struct sim_model *m, int pressed);
void sim_model_status(const struct sim_model *m, struct uut_status *st);

/* Label the truth rows that follow (the engine's current step). */
void sim_model_set_step(struct sim_model *m, const char *step);
/* A capture ended: write the last pending truth row. */
int sim_model_flush_truth(struct sim_model *m);

/* Schedule every shot that starts before t_end; call before sampling up to it. */
void sim_model_advance(struct sim_model *m, double t_end);
/* True needle extension (mm) and cumulative dispensed volume (µl) at t >= the
 * time passed to the last advance's predecessor. */
void sim_model_sample(const struct sim_model *m, double t, double *extension_mm,
		      double *volume_ul);

#endif
