#include "rig/base/shot_flags.h"

#include <stdio.h>
#include <string.h>

const char *shot_flag_names(unsigned flags, const char *sep, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { SHOT_UNFINISHED, "unfinished" }, { SHOT_PARTIAL, "partial" },
		      { SHOT_SLOW, "slow" }, { SHOT_CLIPPED, "clipped" },
		      { SHOT_AMBIGUOUS, "ambiguous" } };
	size_t o = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		flags &= ~names[i].bit;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? sep : "",
				      names[i].name);
		if (o >= len)
			return buf;
	}
	if (flags)
		snprintf(buf + o, len - o, "%s%u", o ? sep : "", flags);
	return buf;
}
