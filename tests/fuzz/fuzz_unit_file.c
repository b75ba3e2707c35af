/* Sim unit files: any bytes either load or fail with a message. */
#include <string.h>

#include "drivers/sim/unit.h"
#include "rig/base/error.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_unit u;

	sim_unit_defaults(&u);
	if (sim_unit_load(&u, fuzz_file(data, size)) != 0 && !rig_last_error()[0])
		__builtin_trap(); /* a failure must say why */
	return 0;
}
