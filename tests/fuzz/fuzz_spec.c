/* Spec files as rig diff reads them (their regression table): any bytes
 * either load or fail with a message. */
#include "rig/base/error.h"
#include "rig/regress/compare.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct regress_spec spec;

	rig_error_clear();
	if (regress_spec_load(&spec, fuzz_file(data, size)) != 0 && !rig_last_error()[0])
		__builtin_trap(); /* a failure must say why */
	return 0;
}
