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

/* The spellings of microlitre a header may use. */
static int is_microlitre(const char *unit)
{
	static const char *const ok[] = { "ul", "uL", "\u00b5l", "\u00b5L", "\u03bcl", "\u03bcL" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(unit, ok[i]))
			return 1;
	return 0;
}

/* The displacement codes the file holds, read through once: a polynomial
 * need only be monotonic over them. The file is left where it was. */
static int code_range(struct rcap_reader *r, int ch, uint16_t *buf, size_t block,
		      uint32_t *lo, uint32_t *hi)
{
	long at = ftell(r->f);
	size_t got, nch = r->h.nchannels;
	int rc;

	*lo = UINT16_MAX;
	*hi = 0;
	while ((rc = rcap_read(r, buf, block, &got)) == 0 && got > 0)
		for (size_t i = 0; i < got; i++) {
			uint32_t c = buf[i * nch + (size_t)ch];

			*lo = c < *lo ? c : *lo;
			*hi = c > *hi ? c : *hi;
		}
	if (at < 0 || fseek(r->f, at, SEEK_SET) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot read it again", r->path);
	return rc;
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
	if (cfg->plunger >= 0 && !is_microlitre(h->channels[cfg->plunger].unit))
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
	int rc;

	if (info)
		memset(info, 0, sizeof(*info));
	if ((rc = rcap_open(&r, path)) != 0)
		return rc;
	if (info) {
		info->h = r.h;
		info->scans = r.scans;
		info->trailing_bytes = r.trailing_bytes;
	}
	if (!block)
		block = DEFAULT_BLOCK;
	if ((rc = config_from(&r, &cfg)) != 0)
		goto out;
	buf = malloc(block * r.h.nchannels * sizeof(*buf));
	if (!buf) {
		rc = rig_error(RIG_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* A curved calibration may turn back outside the codes in use. */
	if (cfg.displacement_cal.order > 1 &&
	    (rc = code_range(&r, cfg.displacement, buf, block, &cfg.code_lo, &cfg.code_hi)) != 0)
		goto out;
	if ((rc = measure_new(&m, &cfg, fn, ctx)) != 0)
		goto out;
	while ((rc = rcap_read(&r, buf, block, &got)) == 0 && got > 0)
		if ((rc = measure_feed(m, buf, got)) != 0)
			break;
	if (!rc)
		rc = measure_finish(m);
	if (info)
		measure_quality(m, &info->quality);
	if (rc && strncmp(rig_last_error(), path, strlen(path)) != 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", rig_last_error());
		rc = rig_error(rc, "%s: %s", path, why);
	}
out:
	measure_free(m);
	free(buf);
	/* info's header (fn saw it) outlives the reader. */
	if (info)
		rcap_take_header(&r, &info->h);
	rcap_close_reader(&r);
	return rc;
}

void capture_info_release(struct capture_info *info)
{
	rcap_header_release(&info->h);
}
