/* Which sim model is open in this process (tests/emu/sim_active.h). */
#include "tests/emu/sim_active.h"

#include <pthread.h>

static struct sim_model *active;
static pthread_mutex_t models = PTHREAD_MUTEX_INITIALIZER;

void sim_models_lock(void)
{
	pthread_mutex_lock(&models);
}

void sim_models_unlock(void)
{
	pthread_mutex_unlock(&models);
}

struct sim_model *sim_model_active(void)
{
	return active;
}

int __wrap_sim_model_init(struct sim_model *m, const struct sim_unit *u, uint64_t seed,
			  const char *truth_path)
{
	active = m;
	return __real_sim_model_init(m, u, seed, truth_path);
}

void __wrap_sim_model_release(struct sim_model *m)
{
	if (active == m)
		active = NULL;
	__real_sim_model_release(m);
}
