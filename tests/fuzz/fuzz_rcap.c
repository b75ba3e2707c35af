/* Raw captures: the reader and the shot extractor on any bytes. */
#include <string.h>

#include "rig/error.h"
#include "rig/measure/rcap.h"
#include "rig/measure/shots.h"
#include "tests/fuzz/fuzz.h"

static void ignore_shot(void *ctx, const struct shot *s)
{
	(void)ctx;
	(void)s;
}

static int channel(const struct rcap_header *h, const char *name)
{
	for (size_t i = 0; i < h->nchannels; i++)
		if (!strcmp(h->channels[i].name, name))
			return (int)i;
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rcap_reader r;
	struct measure_config cfg = { 0 };
	struct measure *m = NULL;
	uint16_t codes[256 * RCAP_MAX_CHANNELS];
	size_t got;

	if (rcap_open(&r, fuzz_file(data, size)) != 0)
		return 0;
	cfg.rate_hz = r.h.rate_hz;
	cfg.nchannels = r.h.nchannels;
	cfg.displacement = channel(&r.h, "displacement");
	cfg.plunger = channel(&r.h, "plunger");
	if (cfg.displacement >= 0) {
		cfg.displacement_cal = r.h.channels[cfg.displacement].cal;
		cfg.maxdata = r.h.channels[cfg.displacement].maxdata;
		if (cfg.plunger >= 0)
			cfg.plunger_cal = r.h.channels[cfg.plunger].cal;
		if (measure_new(&m, &cfg, ignore_shot, NULL) == 0) {
			while (rcap_read(&r, codes, 256, &got) == 0 && got > 0)
				if (measure_feed(m, codes, got) != 0)
					break;
			measure_finish(m);
			measure_free(m);
		}
	}
	rcap_close_reader(&r);
	return 0;
}
