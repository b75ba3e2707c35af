/* The MT-SICS reply parser on any line, for every command rig sends. */
#include <string.h>

#include "drivers/balance/protocol.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = { "S", "SI", "T", "Z", "I4", "I2", "@" };
	char line[512];
	struct sics_reply r;
	double g;

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (sics_parse(cmds[i], line, &r) == 0 && r.has_value)
			sics_grams(&r, &g);
	return 0;
}
