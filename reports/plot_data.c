#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/plot.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/rcap.h"

#define BEFORE_MS 15.0
#define AFTER_MS 80.0
#define READ_SCANS 4096

size_t plot_values(const struct step_record *s, const struct measurement *m, double **x)
{
	*x = NULL;
	if (m->nvalues < 2 || m->value_at + m->nvalues > s->nvalues)
		return 0;
	*x = malloc(m->nvalues * sizeof(**x));
	if (!*x)
		return 0;
	memcpy(*x, s->values + m->value_at, m->nvalues * sizeof(**x));
	return m->nvalues;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const struct shot_row *representative(const struct step_record *s)
{
	double *d = malloc(s->nshots * sizeof(*d)), median;
	const struct shot_row *best = NULL;
	size_t n = 0;

	if (!d)
		return NULL;
	for (size_t i = 0; i < s->nshots; i++)
		if (isfinite(s->shots[i].depth_mm) && s->shots[i].burst <= s->ncaptures)
			d[n++] = s->shots[i].depth_mm;
	if (n) {
		qsort(d, n, sizeof(*d), by_value);
		median = d[n / 2];
		for (size_t i = 0; i < s->nshots; i++)
			if (isfinite(s->shots[i].depth_mm) && s->shots[i].burst <= s->ncaptures &&
			    (!best || fabs(s->shots[i].depth_mm - median) <
					      fabs(best->depth_mm - median)))
				best = &s->shots[i];
	}
	free(d);
	return best;
}

static int channel(const struct rcap_header *h, const char *name)
{
	for (size_t i = 0; i < h->nchannels; i++)
		if (!strcmp(h->channels[i].name, name))
			return (int)i;
	return -1;
}

/* Samples [first, first + count) of the capture, in physical units, with
 * their time from the shot's onset. */
static int read_window(struct rcap_reader *r, struct waveform *wf, uint64_t first, uint64_t count,
		       double onset_scan, int disp, int plg)
{
	uint16_t *buf = malloc(READ_SCANS * r->h.nchannels * sizeof(*buf));
	uint64_t scan = 0;
	size_t got;
	int rc = 0;

	if (!buf)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	while (wf->n < count && (rc = rcap_read(r, buf, READ_SCANS, &got)) == 0 && got > 0) {
		for (size_t i = 0; i < got && wf->n < count; i++, scan++) {
			const uint16_t *codes = buf + i * r->h.nchannels;

			if (scan < first)
				continue;
			wf->t_ms[wf->n] = ((double)scan - onset_scan) * 1000.0 / r->h.rate_hz;
			wf->depth_mm[wf->n] = calibration_apply(&r->h.channels[disp].cal, codes[disp]);
			/* The plunger relative to the level the shot's volume starts from. */
			if (plg >= 0)
				wf->volume_ul[wf->n] = calibration_apply(&r->h.channels[plg].cal, codes[plg]) -
						       wf->shot->level_before_ul;
			wf->n++;
		}
	}
	free(buf);
	return rc;
}

/*
 * The raw samples around the shot. Everything drawn on them (baseline,
 * crest, onset, plunger levels, their windows) is the shot record's, as
 * measurement made it and the journal keeps it: the figure derives
 * nothing, so it cannot disagree with the numbers.
 */
int plot_load_waveform(const char *run_dir, const struct step_record *s, struct waveform *wf)
{
	const struct shot_row *shot = representative(s);
	struct rcap_reader r;
	char path[4400];
	int disp, plg, rc;
	double start;
	uint64_t count;

	memset(wf, 0, sizeof(*wf));
	if (!shot)
		return rig_error(RIG_ERR_INVALID, "%s: no shot with a capture", s->id);
	if (!isfinite(shot->onset_scan) || !isfinite(shot->baseline_mm))
		return rig_error(RIG_ERR_INVALID, "%s: shot %u: the journal holds no baseline and "
				 "onset for it (a run recorded before rig kept them)", s->id, shot->shot);
	snprintf(wf->capture, sizeof(wf->capture), "%s", s->captures[shot->burst - 1].name);
	if ((rc = path_format(path, sizeof(path), "%s/%s", run_dir, wf->capture)) != 0)
		return rc;
	if ((rc = rcap_open(&r, path)) != 0)
		return rc;
	disp = channel(&r.h, "displacement");
	plg = channel(&r.h, "plunger");
	if (!isfinite(shot->level_before_ul))
		plg = -1;
	start = shot->onset_scan - BEFORE_MS * r.h.rate_hz / 1000.0;
	count = (uint64_t)((BEFORE_MS + AFTER_MS) * r.h.rate_hz / 1000.0);
	if (disp < 0 || start < 0 || count == 0) {
		rcap_close_reader(&r);
		return rig_error(RIG_ERR_INVALID, "%s: no displacement channel or shot outside it",
				 path);
	}
	wf->shot = shot;
	wf->rate_hz = r.h.rate_hz;
	wf->t_ms = malloc(count * sizeof(double));
	wf->depth_mm = malloc(count * sizeof(double));
	wf->volume_ul = plg >= 0 ? malloc(count * sizeof(double)) : NULL;
	if (!wf->t_ms || !wf->depth_mm || (plg >= 0 && !wf->volume_ul))
		rc = rig_error(RIG_ERR_NOMEM, "out of memory");
	else
		rc = read_window(&r, wf, (uint64_t)start, count, shot->onset_scan, disp, plg);
	rcap_close_reader(&r);
	if (!rc && wf->n < 2)
		rc = rig_error(RIG_ERR_INVALID, "%s: capture ends before the shot", path);
	if (rc)
		plot_waveform_release(wf);
	return rc;
}

/* A scan of the shot's capture as ms from its onset. */
double plot_scan_ms(const struct waveform *wf, double scan)
{
	return (scan - wf->shot->onset_scan) * 1000.0 / wf->rate_hz;
}

void plot_waveform_release(struct waveform *wf)
{
	free(wf->t_ms);
	free(wf->depth_mm);
	free(wf->volume_ul);
	memset(wf, 0, sizeof(*wf));
}
