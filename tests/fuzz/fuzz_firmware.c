/* Firmware files (image header + DFU suffix) are checked before any flash. */
#include "drivers/injector/firmware.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct firmware fw;

	if (firmware_load(&fw, fuzz_file(data, size)) == 0) {
		firmware_fits(&fw, 0x1209, 0x0001);
		firmware_release(&fw);
	}
	return 0;
}
