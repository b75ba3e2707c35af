/* Backends by the name a fixture gives them. */
#include <string.h>

#include "drivers/backends.h"
#include "drivers/context.h"

static const struct daq_ops *const daq_backends[] = { &sim_daq_ops, &comedi_daq_ops,
								&batch_daq_ops };
static const struct uut_ops *const uut_backends[] = { &sim_uut_ops, &injector_uut_ops };
static const struct scale_ops *const scale_backends[] = { &sim_scale_ops, &mtsics_scale_ops };

#define FIND(list, name)                                              \
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) \
		if (!strcmp(list[i]->name, name))                     \
			return list[i];                               \
	return NULL

const struct daq_ops *daq_backend(const char *name)
{
	FIND(daq_backends, name);
}

const struct uut_ops *uut_backend(const char *name)
{
	FIND(uut_backends, name);
}

const struct scale_ops *scale_backend(const char *name)
{
	FIND(scale_backends, name);
}

void driver_context_set_step(struct driver_context *ctx, const char *step)
{
	if (ctx->shared.state && ctx->shared.set_step)
		ctx->shared.set_step(ctx->shared.state, step);
}

void driver_context_release(struct driver_context *ctx)
{
	if (ctx->shared.state && ctx->shared.release)
		ctx->shared.release(ctx->shared.state);
	memset(&ctx->shared, 0, sizeof(ctx->shared));
}
