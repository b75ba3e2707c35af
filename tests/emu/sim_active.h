#ifndef RIG_TESTS_EMU_SIM_ACTIVE_H
#define RIG_TESTS_EMU_SIM_ACTIVE_H

/*
 * The sim model open in this process (NULL when none). Device emulators
 * (emulated USB injector, Comedi board, balance) answer from it, so a hybrid
 * bench -- a real driver talking to an emulated device -- plays the same
 * unit as the pure sim. The product has no such hook: the emulator tests
 * are linked with sim_model_init/sim_model_release wrapped (Makefile,
 * EMU_WRAP), and the wrappers in sim_active.c remember the model.
 */
#include <stdint.h>

#include "drivers/sim/model.h"

struct sim_model *sim_model_active(void);

/* The emulators of one testbed answer in threads of their own, and several
 * may play one model (a unit's USB device and its channels on the board,
 * for clients in other processes): each holds this while it touches one. */
void sim_models_lock(void);
void sim_models_unlock(void);

/* The wrappers and the functions they wrap (ld --wrap). */
int __wrap_sim_model_init(struct sim_model *m, const struct sim_unit *u, uint64_t seed,
			  const char *truth_path);
int __real_sim_model_init(struct sim_model *m, const struct sim_unit *u, uint64_t seed,
			  const char *truth_path);
void __wrap_sim_model_release(struct sim_model *m);
void __real_sim_model_release(struct sim_model *m);

#endif
