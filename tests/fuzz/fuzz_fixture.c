/* Fixture files: any bytes either load or fail with a message. */
#include "rig/base/error.h"
#include "rig/station/fixture.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture fx;

	rig_error_clear();
	if (fixture_load(&fx, fuzz_file(data, size)) != 0) {
		if (!rig_last_error()[0])
			__builtin_trap();
		return 0;
	}
	fixture_check_calibration(&fx, "2026-11-23");
	return 0;
}
