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
		printf("shot,t_s,depth_mm,volume_ul,interval_ms\n");
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

static void print_shot(struct printer *p, const struct shot *s, double interval_ms)
{
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = { { SHOT_UNFINISHED, "unfinished" }, { SHOT_PARTIAL, "partial" },
		      { SHOT_SLOW, "slow" } };
	double t = p->info.h.t0_s + s->t_s;
	char iv[32] = "";

	print_header(p);
	if (isfinite(interval_ms))
		snprintf(iv, sizeof(iv), "%.4f", interval_ms);
	if (p->csv) {
		printf("%u,%.6f,%.6f,%.6f,%s\n", s->index, t, s->depth_mm, s->volume_ul, iv);
		return;
	}
	printf("%6u %12.6f %10.4f %10.3f %12s", s->index, t, s->depth_mm, s->volume_ul, iv);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (s->flags & flags[i].bit)
			printf("  %s", flags[i].name);
	putchar('\n');
}

static void on_shot(void *ctx, const struct shot *s)
{
	struct printer *p = ctx;

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
		return 2;
	}
	return 0;
}
