#include "rig/measure_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/error.h"
#include "rig/measure/rcap.h"
#include "rig/measure/shots.h"

#define READ_SCANS 8192

struct printer {
	int csv;
	int have_prev;
	struct shot prev;   /* printed when the next onset gives its interval */
};

static void print_shot(const struct printer *p, const struct shot *s, double interval_ms)
{
	char iv[32] = "";

	if (isfinite(interval_ms))
		snprintf(iv, sizeof(iv), "%.4f", interval_ms);
	if (p->csv)
		printf("%u,%.6f,%.6f,%.6f,%s\n", s->index, s->t_s, s->depth_mm, s->volume_ul, iv);
	else
		printf("%6u %12.6f %10.4f %10.3f %12s%s\n", s->index, s->t_s, s->depth_mm,
		       s->volume_ul, iv,
		       s->flags & SHOT_UNFINISHED ? "  unfinished"
		       : s->flags & SHOT_PARTIAL  ? "  partial"
		       : s->flags & SHOT_SLOW     ? "  slow"
						  : "");
}

static void on_shot(void *ctx, const struct shot *s)
{
	struct printer *p = ctx;

	if (p->have_prev)
		print_shot(p, &p->prev, (s->t_s - p->prev.t_s) * 1000.0);
	p->prev = *s;
	p->have_prev = 1;
}

static int channel(const struct rcap_header *h, const char *name)
{
	for (size_t i = 0; i < h->nchannels; i++)
		if (!strcmp(h->channels[i].name, name))
			return (int)i;
	return -1;
}

static int measure_file(const char *path, struct printer *p)
{
	struct rcap_reader r;
	struct measure_config cfg = { 0 };
	struct measure *m = NULL;
	uint16_t *buf = NULL;
	size_t got;
	int rc = rcap_open(&r, path);

	if (rc)
		return rc;
	cfg.rate_hz = r.h.rate_hz;
	cfg.nchannels = r.h.nchannels;
	cfg.displacement = channel(&r.h, "displacement");
	cfg.plunger = channel(&r.h, "plunger");
	if (cfg.displacement < 0) {
		rc = rig_error(RIG_ERR_INVALID, "%s:2: no channel named \"displacement\"", path);
		goto out;
	}
	cfg.displacement_cal = r.h.channels[cfg.displacement].cal;
	cfg.maxdata = r.h.channels[cfg.displacement].maxdata;
	if (cfg.plunger >= 0) {
		cfg.plunger_cal = r.h.channels[cfg.plunger].cal;
		if (r.h.channels[cfg.plunger].maxdata > cfg.maxdata)
			cfg.maxdata = r.h.channels[cfg.plunger].maxdata;
	}
	buf = malloc(READ_SCANS * r.h.nchannels * sizeof(*buf));
	if (!buf) {
		rc = rig_error(RIG_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = measure_new(&m, &cfg, on_shot, p)) != 0)
		goto out;
	if (p->csv)
		printf("shot,t_s,depth_mm,volume_ul,interval_ms\n");
	else
		printf("%6s %12s %10s %10s %12s\n", "shot", "t_s", "depth_mm", "volume_ul",
		       "interval_ms");
	while ((rc = rcap_read(&r, buf, READ_SCANS, &got)) == 0 && got > 0)
		if ((rc = measure_feed(m, buf, got)) != 0)
			break;
	if (!rc)
		rc = measure_finish(m);
	if (!rc && p->have_prev)
		print_shot(p, &p->prev, NAN);
	if (!rc && r.trailing_bytes)
		fprintf(stderr, "rig: %s: warning: %d bytes of an incomplete last scan ignored\n",
			path, r.trailing_bytes);
out:
	measure_free(m);
	free(buf);
	rcap_close_reader(&r);
	return rc;
}

int measure_command(int argc, char **argv)
{
	struct printer p = { 0 };
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--csv"))
			p.csv = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: rig measure CAPTURE [--csv]\n");
			return 0;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "rig: measure: unexpected argument \"%s\" (usage: rig measure "
					"CAPTURE [--csv])\n", argv[i]);
			return 2;
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "rig: measure needs a CAPTURE file (usage: rig measure CAPTURE "
				"[--csv])\n");
		return 2;
	}
	if (measure_file(path, &p) != 0) {
		fflush(stdout);
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
