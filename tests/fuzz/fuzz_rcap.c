/* Raw captures: the reader and the shot extractor (rig measure's engine) on any bytes. */
#include "rig/measure/capture.h"
#include "tests/fuzz/fuzz.h"

static void ignore_shot(void *ctx, const struct shot *s)
{
	(void)ctx;
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small blocks, so block boundaries fall everywhere. */
	measure_capture(fuzz_file(data, size), 61, ignore_shot, NULL, NULL);
	return 0;
}
