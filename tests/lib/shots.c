#include "tests/lib/shots.h"

#include "tests/lib/testutil.h"

void shots_collect(void *ctx, const struct shot *s)
{
	struct shots *c = ctx;

	ck_assert_uint_lt(c->n, MAX_SHOTS);
	c->s[c->n++] = *s;
}
