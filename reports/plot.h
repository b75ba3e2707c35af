#ifndef RIG_REPORTS_PLOT_H
#define RIG_REPORTS_PLOT_H

/*
 * The report's plots, each drawn by one routine onto any cairo context:
 * an SVG surface for report.html, a PDF page for report.pdf. One
 * renderer, two outputs. The data they draw is gathered by plot_data.c.
 */
#include <cairo.h>
#include <stddef.h>
#include <stdio.h>

#include "rig/base/record.h"

/* A shot's raw signals around its onset, in physical units, and what the
 * shot detector reported for it. */
struct waveform {
	double *t_ms;          /* relative to the onset */
	double *depth_mm;      /* displacement channel */
	double *volume_ul;     /* plunger channel, less the shot's level_before_ul; NULL if none */
	size_t n;
	const struct shot_row *shot; /* the detected shot: every point drawn is its */
	char capture[160];     /* where the samples came from */
	double rate_hz;
};

/* Histogram of x with the spec limits, the tolerance interval, the guard
 * band (acceptance zone inside the limits) and the mean. */
void plot_histogram(cairo_t *cr, double w, double h, const double *x, size_t n,
		    const struct measurement *m);

/* x in firing order with the same limits. */
void plot_run_chart(cairo_t *cr, double w, double h, const double *x, size_t n,
		    const struct measurement *m);

/* The raw shot with its detected onset, depth and volume marked. */
void plot_waveform(cairo_t *cr, double w, double h, const struct waveform *wf);

/* The values measurement m was judged from, in the order judged (the
 * step keeps them: step_keep_values); *x is malloc'd. Returns how many,
 * 0 when fewer than two were kept (nothing to plot). */
size_t plot_values(const struct step_record *s, const struct measurement *m, double **x);

/* The step's representative shot (the one nearest the median depth) read
 * from its capture under run_dir. 0, or an error (capture missing...). */
int plot_load_waveform(const char *run_dir, const struct step_record *s, struct waveform *wf);
void plot_waveform_release(struct waveform *wf);
/* A scan of the shot's capture as ms from its onset (the figure's x). */
double plot_scan_ms(const struct waveform *wf, double scan);

/* A Shewhart control chart across runs (rig trend): one point per run,
 * the centre line, control limits per point (they follow each run's n),
 * and the points that break a Western Electric rule. */
struct control_chart {
	const char *title, *xlabel, *ylabel;
	const double *y, *lcl, *ucl;  /* per point; a NAN limit is not drawn */
	double center;
	const unsigned char *flagged; /* non-zero: a rule is broken at this point */
	size_t n;
	const char *const *xnames;    /* per point, the x axis's tick names (NULL: 1..n) */
};

void plot_control_chart(cairo_t *cr, double w, double h, const struct control_chart *c);

/* Lines over categories 1..n, one per series, with a legend (a gauge
 * study's part x operator interaction). NAN values leave a gap. */
struct line_chart {
	const char *title, *xlabel, *ylabel;
	const char *const *series;
	size_t nseries, n;
	const double *y;              /* y[series * n + i] */
};

void plot_line_chart(cairo_t *cr, double w, double h, const struct line_chart *c);

/* Grouped bars from zero: per group one bar per series, with a legend (a
 * gauge study's components of variation). A NAN value draws no bar. */
struct bar_chart {
	const char *title, *ylabel;
	const char *const *groups, *const *series;
	size_t ngroups, nseries;
	const double *v;              /* v[group * nseries + series] */
};

void plot_bar_chart(cairo_t *cr, double w, double h, const struct bar_chart *c);

/* One plot to draw: its kind and data (borrowed). */
struct plot_job {
	enum { PLOT_HISTOGRAM, PLOT_RUN_CHART, PLOT_WAVEFORM, PLOT_CONTROL_CHART, PLOT_LINE_CHART,
	       PLOT_BAR_CHART } kind;
	const double *x;
	size_t n;
	const struct measurement *m;
	const struct waveform *wf;
	const struct control_chart *cc;
	const struct line_chart *lc;
	const struct bar_chart *bc;
	double w, h;           /* size in points */
};

void plot_draw(cairo_t *cr, const struct plot_job *job);

/* Write one plot into an HTML page as an <img> holding the SVG as a data
 * URI: each SVG keeps its own glyph ids, so a page can hold many. */
void plot_html_figure(FILE *f, const struct plot_job *job);

/* Render one plot into an SVG document in memory (malloc'd). */
int plot_svg(const struct plot_job *job, unsigned char **svg, size_t *len);

#endif
