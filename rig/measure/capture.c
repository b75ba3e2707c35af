#include "rig/measure/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

#define DEFAULT_BLOCK 65536

static int channel(const struct rcap_header *h, const char *name)
{
	for (size_t i = 0; i < h->nchannels; i++)
		if (!strcmp(h->channels[i].name, name))
			return (int)i;
	return -1;
}

static int config_from(const struct rcap_reader *r, struct measure_config *cfg)
{
	const struct rcap_header *h = &r->h;

	memset(cfg, 0, sizeof(*cfg));
	cfg->rate_hz = h->rate_hz;
	cfg->nchannels = h->nchannels;
	cfg->displacement = channel(h, "displacement");
	cfg->plunger = channel(h, "plunger");
	if (cfg->displacement < 0)
		return rig_error(RIG_ERR_INVALID, "%s:2: no channel named \"displacement\"",
				 r->path);
	/* The extractor's thresholds and the output columns are in mm and µl. */
	if (strcmp(h->channels[cfg->displacement].unit, "mm") != 0)
		return rig_error(RIG_ERR_INVALID, "%s:2: displacement in \"%s\": rig measures "
				 "depth in mm (give the polynomial to mm)",
				 r->path, h->channels[cfg->displacement].unit);
	if (cfg->plunger >= 0 && strcmp(h->channels[cfg->plunger].unit, "ul") != 0)
		return rig_error(RIG_ERR_INVALID, "%s:2: plunger in \"%s\": rig measures volume "
				 "in ul (give the polynomial to ul)",
				 r->path, h->channels[cfg->plunger].unit);
	cfg->displacement_cal = h->channels[cfg->displacement].cal;
	cfg->maxdata = h->channels[cfg->displacement].maxdata;
	if (cfg->plunger >= 0)
		cfg->plunger_cal = h->channels[cfg->plunger].cal;
	return 0;
}

int measure_capture(const char *path, size_t block, shot_fn fn, void *ctx,
		    struct capture_info *info)
{
	struct rcap_reader r;
	struct measure_config cfg;
	struct measure *m = NULL;
	uint16_t *buf = NULL;
	size_t got;
	int rc = rcap_open(&r, path);

	if (rc)
		return rc;
	if (info) {
		info->h = r.h;
		info->scans = r.scans;
		info->trailing_bytes = r.trailing_bytes;
	}
	if (!block)
		block = DEFAULT_BLOCK;
	if ((rc = config_from(&r, &cfg)) != 0 || (rc = measure_new(&m, &cfg, fn, ctx)) != 0)
		goto out;
	buf = malloc(block * r.h.nchannels * sizeof(*buf));
	if (!buf) {
		rc = rig_error(RIG_ERR_NOMEM, "out of memory");
		goto out;
	}
	while ((rc = rcap_read(&r, buf, block, &got)) == 0 && got > 0)
		if ((rc = measure_feed(m, buf, got)) != 0)
			break;
	if (!rc)
		rc = measure_finish(m);
	if (rc && strncmp(rig_last_error(), path, strlen(path)) != 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", rig_last_error());
		rc = rig_error(rc, "%s: %s", path, why);
	}
out:
	measure_free(m);
	free(buf);
	rcap_close_reader(&r);
	return rc;
}
