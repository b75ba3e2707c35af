#include "rig/verbs/verbs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/measure/capture.h"

struct printer {
	int csv;
	struct capture_info info; /* header: times are printed on its clock (t0_s) */
	int header_done;
	int have_prev;
	struct shot prev;   /* printed when the next onset gives its interval */
	unsigned nclipped, nambiguous, first_bad;
};

/* Printed with the first row (or at the end): a capture that cannot be
 * read leaves stdout empty. */
static void print_header(struct printer *p)
{
	const struct rcap_header *h = &p->info.h;

	if (p->header_done)
		return;
	p->header_done = 1;
	if (p->csv) {
		printf("shot,t_s,depth_mm,volume_ul,interval_ms,u_depth_mm,u_volume_ul,flags\n");
		return;
	}
	/* What the numbers rest on: each channel's calibration and its source. */
	for (size_t i = 0; i < h->nchannels; i++) {
		const struct rcap_channel *c = &h->channels[i];

		printf("# %s %s =", c->name, c->unit);
		for (int k = 0; k <= c->cal.order; k++)
			printf(k ? " %+.9g*code%s" : " %.9g", c->cal.poly[k], k > 1 ? (k > 2 ? "^3" : "^2") : "");
		printf("  (%s)\n", c->calibration[0] ? c->calibration : "calibration source not recorded");
	}
	printf("%6s %12s %10s %10s %12s\n", "shot", "t_s", "depth_mm", "volume_ul", "interval_ms");
}

/* A number as shots.csv writes it: empty when there is none. */
static void csv_number(const char *fmt, double v)
{
	if (isfinite(v))
		printf(fmt, v);
}

static void print_shot(struct printer *p, const struct shot *s, double interval_ms)
{
	double t = p->info.h.t0_s + s->t_s;
	char iv[32] = "", names[64];

	print_header(p);
	shot_flag_names(s->flags, " ", names, sizeof(names));
	if (isfinite(interval_ms))
		snprintf(iv, sizeof(iv), "%.4f", interval_ms);
	/* The columns of shots.csv after its step (docs/file-formats.md). */
	if (p->csv) {
		printf("%u,%.6f,%.6f,%.6f,%s,", s->index, t, s->depth_mm, s->volume_ul, iv);
		csv_number("%.6f", s->u_depth_mm);
		putchar(',');
		csv_number("%.6f", s->u_volume_ul);
		printf(",%s\n", names);
		return;
	}
	printf("%6u %12.6f %10.4f %10.3f %12s%s%s\n", s->index, t, s->depth_mm, s->volume_ul, iv,
	       names[0] ? "  " : "", names);
}

/* What the numbers can be trusted to: docs/measurement.md, "Signal quality". */
static void print_quality(const struct measure_quality *q)
{
	printf("# signal: noise %.4f mm rms, hum %.4f mm", q->noise_mm, q->hum_mm);
	if (q->hum_hz > 0)
		printf(" at %g Hz", q->hum_hz);
	printf(", %llu samples clipped%s; Type A u(depth) %.4f mm, u(volume) %.4f ul; detection "
	       "%.3f mm over %u samples\n",
	       (unsigned long long)q->clipped, q->stuck ? ", sensor stuck" : "", q->u_depth_mm,
	       q->u_volume_ul, q->threshold_mm, q->detect_n);
}

static void on_shot(void *ctx, const struct shot *s)
{
	struct printer *p = ctx;

	if ((s->flags & (SHOT_CLIPPED | SHOT_AMBIGUOUS)) && !p->first_bad)
		p->first_bad = s->index;
	p->nclipped += (s->flags & SHOT_CLIPPED) != 0;
	p->nambiguous += (s->flags & SHOT_AMBIGUOUS) != 0;
	if (p->have_prev)
		print_shot(p, &p->prev, (s->t_s - p->prev.t_s) * 1000.0);
	p->prev = *s;
	p->have_prev = 1;
}

static int measure_file(const char *path, struct printer *p)
{
	int rc = measure_capture(path, 0, on_shot, p, &p->info);

	if (!rc && p->have_prev)
		print_shot(p, &p->prev, NAN);
	if (!rc)
		print_header(p);
	if (!rc && !p->csv)
		print_quality(&p->info.quality);
	/* What the signal makes of the numbers: never a silent number from a
	 * sensor at the end of its range, stuck, or lost in its noise. */
	if (!rc && p->info.quality.stuck)
		rc = rig_error(RIG_ERR_INVALID, "%s: the displacement sensor is stuck (the same code "
			       "in all %llu scans)", path, (unsigned long long)p->info.scans);
	else if (!rc && p->info.quality.clipped)
		rc = rig_error(RIG_ERR_INVALID, "%s: %llu displacement samples clipped (at the end of "
			       "the converter's range or flat at the sensor's limit; %u shots flagged, the "
			       "first shot %u)",
			       path, (unsigned long long)p->info.quality.clipped, p->nclipped,
			       p->first_bad);
	else if (!rc && p->nambiguous)
		rc = rig_error(RIG_ERR_INVALID, "%s: %u shots do not stand clear of the noise, or "
			       "ring faster than the samples and the noise let their crest be read "
			       "(%.3g mm rms, detection level %.3g mm; the first shot %u)",
			       path, p->nambiguous, p->info.quality.noise_mm,
			       p->info.quality.threshold_mm, p->first_bad);
	/* A capture cut short (a killed run, a copy that stopped): the shots
	 * before the cut are printed, and the exit status says it is not whole. */
	if (!rc && p->info.trailing_bytes)
		rc = rig_error(RIG_ERR_INVALID, "%s: truncated: %d bytes of an incomplete last scan "
			       "(the shots before it are above)",
			       path, p->info.trailing_bytes);
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
		capture_info_release(&p.info);
		return 2;
	}
	capture_info_release(&p.info);
	return 0;
}
