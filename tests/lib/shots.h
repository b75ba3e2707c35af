#ifndef RIG_TESTS_SHOTS_H
#define RIG_TESTS_SHOTS_H

/* The shots a test's capture gave, kept by the extractor's callback. */
#include <stddef.h>

#include "rig/measure/shots.h"

#define MAX_SHOTS 64

struct shots {
	size_t n;
	struct shot s[MAX_SHOTS];
};

/* A shot_fn: keeps each shot in the struct shots ctx (the test fails past MAX_SHOTS). */
void shots_collect(void *ctx, const struct shot *s);

#endif
