#include "reports/plot.h"

#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

#define FONT "DejaVu Sans"
#define MARGIN_L 46.0
#define MARGIN_R 10.0
#define MARGIN_T 18.0
#define MARGIN_B 26.0
#define LEGEND_H 10.0   /* a row between the title and the frame */

struct rgba {
	double r, g, b, a;
};

static const struct rgba INK = { 0.15, 0.15, 0.15, 1 }, GRID = { 0.88, 0.88, 0.88, 1 },
			 DATA = { 0.20, 0.40, 0.70, 1 }, LIMIT = { 0.80, 0.10, 0.10, 1 },
			 GUARD = { 0.95, 0.60, 0.10, 0.25 }, TI = { 0.10, 0.55, 0.30, 1 },
			 MEAN = { 0.35, 0.15, 0.55, 1 }, TARGET = { 0.45, 0.45, 0.45, 1 };

/* Plot area in device units and the data range it shows. */
struct frame {
	double x0, y0, x1, y1;
	double xmin, xmax, ymin, ymax;
	const char *const *xnames;  /* non-NULL: x is 1..nx, ticks named so */
	size_t nx;
};

static void color(cairo_t *cr, struct rgba c)
{
	cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

static double px(const struct frame *f, double x)
{
	return f->x0 + (x - f->xmin) / (f->xmax - f->xmin) * (f->x1 - f->x0);
}

static double py(const struct frame *f, double y)
{
	return f->y1 - (y - f->ymin) / (f->ymax - f->ymin) * (f->y1 - f->y0);
}

static void text(cairo_t *cr, double x, double y, double size, double align, const char *s)
{
	cairo_text_extents_t e;

	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * e.x_advance, y);
	cairo_show_text(cr, s);
}

/* A round step giving about 5 ticks over span. */
static double tick_step(double span)
{
	double raw = span / 5, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

static void widen(double *lo, double *hi, double v)
{
	if (!isfinite(v))
		return;
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

static void pad(double *lo, double *hi, double frac)
{
	double span = *hi - *lo;

	if (!(span > 0))
		span = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1;
	*lo -= span * frac;
	*hi += span * frac;
}

/* Ticks at 1..nx named by xnames, every k-th one so that the names do not
 * collide (the first and the last always named when they fit). */
static void named_ticks(cairo_t *cr, const struct frame *f)
{
	double widest = 0;
	size_t every;
	cairo_text_extents_t e;

	cairo_set_font_size(cr, 7);
	for (size_t i = 0; i < f->nx; i++) {
		cairo_text_extents(cr, f->xnames[i], &e);
		if (e.x_advance > widest)
			widest = e.x_advance;
	}
	every = (size_t)ceil((widest + 6) / ((f->x1 - f->x0) / (double)(f->nx ? f->nx : 1)));
	if (every < 1)
		every = 1;
	for (size_t i = 0; i < f->nx; i += every) {
		double x = px(f, (double)i + 1);

		color(cr, GRID);
		cairo_move_to(cr, x, f->y0);
		cairo_line_to(cr, x, f->y1);
		cairo_stroke(cr);
		color(cr, INK);
		text(cr, x, f->y1 + 10, 7, 0.5, f->xnames[i]);
	}
}

static void axes(cairo_t *cr, const struct frame *f, const char *title, const char *xlabel,
		 const char *ylabel)
{
	char buf[32];
	double step;

	cairo_set_line_width(cr, 0.5);
	if (f->xnames) {
		named_ticks(cr, f);
		goto y_axis;
	}
	step = tick_step(f->xmax - f->xmin);
	for (double v = ceil(f->xmin / step) * step; v <= f->xmax + step * 1e-9; v += step) {
		color(cr, GRID);
		cairo_move_to(cr, px(f, v), f->y0);
		cairo_line_to(cr, px(f, v), f->y1);
		cairo_stroke(cr);
		color(cr, INK);
		snprintf(buf, sizeof(buf), "%.4g", fabs(v) < step * 1e-6 ? 0 : v);
		text(cr, px(f, v), f->y1 + 10, 7, 0.5, buf);
	}
y_axis:
	step = tick_step(f->ymax - f->ymin);
	for (double v = ceil(f->ymin / step) * step; v <= f->ymax + step * 1e-9; v += step) {
		color(cr, GRID);
		cairo_move_to(cr, f->x0, py(f, v));
		cairo_line_to(cr, f->x1, py(f, v));
		cairo_stroke(cr);
		color(cr, INK);
		snprintf(buf, sizeof(buf), "%.4g", fabs(v) < step * 1e-6 ? 0 : v);
		text(cr, f->x0 - 3, py(f, v) + 2.5, 7, 1, buf);
	}
	color(cr, INK);
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_stroke(cr);
	text(cr, f->x0, f->y0 - 6 - LEGEND_H, 8.5, 0, title);
	text(cr, (f->x0 + f->x1) / 2, f->y1 + 21, 7.5, 0.5, xlabel);
	cairo_save(cr);
	/* rotate about the label's place, not the plot's corner */
	cairo_translate(cr, f->x0 - 36, (f->y0 + f->y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	text(cr, 0, 0, 7.5, 0.5, ylabel);
	cairo_restore(cr);
}

static void clip_to(cairo_t *cr, const struct frame *f)
{
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_clip(cr);
}

/* A line across the frame at data value v: vertical (histogram) or horizontal (run chart). */
static void mark(cairo_t *cr, const struct frame *f, int vertical, double v, struct rgba c,
		 double dash, const char *label)
{
	if (!isfinite(v))
		return;
	color(cr, c);
	cairo_set_line_width(cr, 1.1);
	cairo_set_dash(cr, &dash, dash > 0, 0);
	if (vertical) {
		cairo_move_to(cr, px(f, v), f->y0);
		cairo_line_to(cr, px(f, v), f->y1);
	} else {
		cairo_move_to(cr, f->x0, py(f, v));
		cairo_line_to(cr, f->x1, py(f, v));
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	(void)label; /* named in the legend above the frame, where labels cannot collide */
}

/* One legend entry at *x on the baseline y: a line sample (or a swatch)
 * and its name; *x advances past it. */
static void legend_entry(cairo_t *cr, double *x, double y, struct rgba c, double dash, int swatch,
			 const char *name)
{
	cairo_text_extents_t e;

	color(cr, c);
	if (swatch) {
		cairo_rectangle(cr, *x, y - 5, 10, 5);
		cairo_fill(cr);
	} else {
		cairo_set_line_width(cr, 1.1);
		cairo_set_dash(cr, &dash, dash > 0, 0);
		cairo_move_to(cr, *x, y - 2.5);
		cairo_line_to(cr, *x + 10, y - 2.5);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	color(cr, INK);
	text(cr, *x + 12, y, 6, 0, name);
	cairo_text_extents(cr, name, &e);
	*x += 12 + e.x_advance + 6;
}

/* What each line of limits() is, for those the measurement has. */
static void legend(cairo_t *cr, const struct frame *f, const struct measurement *m)
{
	int ti = isfinite(m->ti_lo) || isfinite(m->ti_hi);
	double x = f->x0, y = f->y0 - 3;

	if (isfinite(m->lsl) || isfinite(m->usl))
		legend_entry(cr, &x, y, LIMIT, 0, 0, m->ti_method[0] ? "TI limit" : "limit");
	if (isfinite(m->mean_lo) || isfinite(m->mean_hi))
		legend_entry(cr, &x, y, LIMIT, 4, 0, "mean limit");
	if (m->guard_band > 0)
		legend_entry(cr, &x, y, GUARD, 0, 1, "guard band (U)");
	if (ti)
		legend_entry(cr, &x, y, TI, 3, 0, "TI");
	if (isfinite(m->mean))
		legend_entry(cr, &x, y, MEAN, 0, 0, "mean");
	if (isfinite(m->target))
		legend_entry(cr, &x, y, TARGET, 2, 0, "target");
}

/* The guard band: the strips just inside each limit where a result is INDETERMINATE. */
static void guard_band(cairo_t *cr, const struct frame *f, int vertical, const struct measurement *m)
{
	const double lim[2] = { m->lsl, m->usl }, dir[2] = { 1, -1 };

	if (!(m->guard_band > 0))
		return;
	color(cr, GUARD);
	for (int i = 0; i < 2; i++) {
		double a, b;

		if (!isfinite(lim[i]))
			continue;
		a = lim[i];
		b = lim[i] + dir[i] * m->guard_band;
		if (vertical)
			cairo_rectangle(cr, px(f, fmin(a, b)), f->y0, fabs(px(f, b) - px(f, a)),
					f->y1 - f->y0);
		else
			cairo_rectangle(cr, f->x0, py(f, fmax(a, b)), f->x1 - f->x0,
					fabs(py(f, b) - py(f, a)));
		cairo_fill(cr);
	}
}

static void limits(cairo_t *cr, const struct frame *f, int vertical, const struct measurement *m)
{
	int ti = isfinite(m->ti_lo) || isfinite(m->ti_hi);

	guard_band(cr, f, vertical, m);
	mark(cr, f, vertical, m->target, TARGET, 2, NULL);
	mark(cr, f, vertical, m->lsl, LIMIT, 0, ti ? "TI limit" : "LSL");
	mark(cr, f, vertical, m->usl, LIMIT, 0, ti ? "TI limit" : "USL");
	mark(cr, f, vertical, m->mean_lo, LIMIT, 4, "mean limit");
	mark(cr, f, vertical, m->mean_hi, LIMIT, 4, "mean limit");
	mark(cr, f, vertical, m->ti_lo, TI, 3, "TI");
	mark(cr, f, vertical, m->ti_hi, TI, 3, "TI");
	mark(cr, f, vertical, m->mean, MEAN, 0, NULL);
}

static void value_range(const double *x, size_t n, const struct measurement *m, double *lo,
			double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++)
		widen(lo, hi, x[i]);
	widen(lo, hi, m->lsl);
	widen(lo, hi, m->usl);
	widen(lo, hi, m->ti_lo);
	widen(lo, hi, m->ti_hi);
	widen(lo, hi, m->mean_lo);
	widen(lo, hi, m->mean_hi);
	pad(lo, hi, 0.06);
}

static void frame_in(struct frame *f, double w, double h)
{
	memset(f, 0, sizeof(*f));
	f->x0 = MARGIN_L;
	f->y0 = MARGIN_T + LEGEND_H;
	f->x1 = w - MARGIN_R;
	f->y1 = h - MARGIN_B;
}

static void background(cairo_t *cr, double w, double h)
{
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, 0, 0, w, h);
	cairo_fill(cr);
}

void plot_histogram(cairo_t *cr, double w, double h, const double *x, size_t n,
		    const struct measurement *m)
{
	size_t bins = (size_t)ceil(sqrt((double)n)), *count, top = 1;
	double dmin = INFINITY, dmax = -INFINITY, width;
	struct frame f;
	char title[96];

	if (bins < 5)
		bins = 5;
	if (bins > 30)
		bins = 30;
	count = calloc(bins, sizeof(*count));
	if (!count)
		return;
	for (size_t i = 0; i < n; i++)
		widen(&dmin, &dmax, x[i]);
	width = dmax > dmin ? (dmax - dmin) / (double)bins : 1;
	for (size_t i = 0; i < n; i++) {
		size_t b = (size_t)((x[i] - dmin) / width);

		count[b < bins ? b : bins - 1]++;
	}
	for (size_t b = 0; b < bins; b++)
		if (count[b] > top)
			top = count[b];
	background(cr, w, h);
	frame_in(&f, w, h);
	value_range(x, n, m, &f.xmin, &f.xmax);
	f.ymin = 0;
	f.ymax = (double)top * 1.15;
	snprintf(title, sizeof(title), "%s: distribution of %zu values", m->name, n);
	axes(cr, &f, title, m->unit, "shots");
	legend(cr, &f, m);
	cairo_save(cr);
	clip_to(cr, &f);
	limits(cr, &f, 1, m);
	color(cr, DATA);
	for (size_t b = 0; b < bins; b++) {
		double a = dmin + (double)b * width;

		cairo_rectangle(cr, px(&f, a), py(&f, (double)count[b]), px(&f, a + width) - px(&f, a),
				py(&f, 0) - py(&f, (double)count[b]));
	}
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
	cairo_restore(cr);
	free(count);
}

void plot_run_chart(cairo_t *cr, double w, double h, const double *x, size_t n,
		    const struct measurement *m)
{
	struct frame f;
	char title[96];

	background(cr, w, h);
	frame_in(&f, w, h);
	value_range(x, n, m, &f.ymin, &f.ymax);
	f.xmin = 0;
	f.xmax = (double)n + 1;
	snprintf(title, sizeof(title), "%s in firing order", m->name);
	axes(cr, &f, title, "shot", m->unit);
	legend(cr, &f, m);
	cairo_save(cr);
	clip_to(cr, &f);
	limits(cr, &f, 0, m);
	color(cr, DATA);
	cairo_set_line_width(cr, 0.6);
	cairo_new_path(cr);
	for (size_t i = 0; i < n; i++)
		cairo_line_to(cr, px(&f, (double)i + 1), py(&f, x[i]));
	cairo_stroke(cr);
	for (size_t i = 0; i < n; i++) {
		cairo_arc(cr, px(&f, (double)i + 1), py(&f, x[i]), 1.6, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	cairo_restore(cr);
}

static void trace(cairo_t *cr, const struct frame *f, const double *t, const double *y, size_t n)
{
	color(cr, DATA);
	cairo_set_line_width(cr, 0.8);
	cairo_new_path(cr); /* text leaves a current point behind */
	for (size_t i = 0; i < n; i++)
		cairo_line_to(cr, px(f, t[i]), py(f, y[i]));
	cairo_stroke(cr);
}

/* The level v held over scans [from, to) of the capture: a bar along the
 * samples a level of the shot record was averaged over. */
static void window_bar(cairo_t *cr, const struct frame *f, const struct waveform *wf, double from,
		       double to, double v, struct rgba c)
{
	if (!isfinite(from) || !isfinite(to) || !isfinite(v) || !(to > from))
		return;
	color(cr, c);
	cairo_set_line_width(cr, 3.5);
	cairo_new_path(cr);
	cairo_move_to(cr, px(f, plot_scan_ms(wf, from)), py(f, v));
	cairo_line_to(cr, px(f, plot_scan_ms(wf, to)), py(f, v));
	cairo_stroke(cr);
}

static void dot(cairo_t *cr, const struct frame *f, double x, double y, struct rgba c)
{
	if (!isfinite(x) || !isfinite(y))
		return;
	color(cr, c);
	cairo_new_path(cr);
	cairo_arc(cr, px(f, x), py(f, y), 3, 0, 2 * M_PI);
	cairo_fill(cr);
}

/* Every line and point on the samples is the shot record's (rig/base/record.h). */
void plot_waveform(cairo_t *cr, double w, double h, const struct waveform *wf)
{
	const struct shot_row *s = wf->shot;
	struct frame top, bottom;
	double split = wf->volume_ul ? h * 0.58 : h, lo = INFINITY, hi = -INFINITY;
	double crest = s->baseline_mm + s->depth_mm;
	char title[200], label[64];

	background(cr, w, h);
	frame_in(&top, w, split);
	top.xmin = wf->t_ms[0];
	top.xmax = wf->t_ms[wf->n - 1];
	for (size_t i = 0; i < wf->n; i++)
		widen(&lo, &hi, wf->depth_mm[i]);
	widen(&lo, &hi, s->baseline_mm);
	widen(&lo, &hi, crest);
	top.ymin = lo;
	top.ymax = hi;
	pad(&top.ymin, &top.ymax, 0.08);
	snprintf(title, sizeof(title), "shot %u (burst %u), raw from %s", s->shot, s->burst,
		 wf->capture);
	axes(cr, &top, title, "ms from onset", "extension, mm");
	cairo_save(cr);
	clip_to(cr, &top);
	mark(cr, &top, 0, s->baseline_mm, TARGET, 2, "baseline");
	snprintf(label, sizeof(label), "depth %.3f mm", s->depth_mm);
	mark(cr, &top, 0, crest, LIMIT, 3, label);
	mark(cr, &top, 1, 0, MEAN, 3, "onset (50 %)");
	trace(cr, &top, wf->t_ms, wf->depth_mm, wf->n);
	window_bar(cr, &top, wf, s->baseline_from, s->baseline_to, s->baseline_mm, TARGET);
	dot(cr, &top, 0, s->baseline_mm + s->depth_mm / 2, MEAN);
	dot(cr, &top, plot_scan_ms(wf, s->peak_scan), crest, LIMIT);
	cairo_restore(cr);
	if (!wf->volume_ul)
		return;
	cairo_save(cr);
	cairo_translate(cr, 0, split);
	frame_in(&bottom, w, h - split);
	bottom.xmin = top.xmin;
	bottom.xmax = top.xmax;
	lo = 0;
	hi = 0;
	for (size_t i = 0; i < wf->n; i++)
		widen(&lo, &hi, wf->volume_ul[i]);
	widen(&lo, &hi, s->volume_ul);
	bottom.ymin = lo;
	bottom.ymax = hi;
	pad(&bottom.ymin, &bottom.ymax, 0.1);
	axes(cr, &bottom, "plunger: volume dispensed", "ms from onset", "ul");
	clip_to(cr, &bottom);
	mark(cr, &bottom, 0, 0, TARGET, 2, "level before");
	snprintf(label, sizeof(label), "volume %.3f ul", s->volume_ul);
	mark(cr, &bottom, 0, s->volume_ul, LIMIT, 3, label);
	mark(cr, &bottom, 1, 0, MEAN, 3, NULL);
	trace(cr, &bottom, wf->t_ms, wf->volume_ul, wf->n);
	/* The settled levels, where they were averaged (the level after is
	 * the next shot's before: it may lie beyond the figure). */
	window_bar(cr, &bottom, wf, s->before_from, s->before_to, 0, TARGET);
	window_bar(cr, &bottom, wf, s->after_from, s->after_to,
		   s->level_after_ul - s->level_before_ul, LIMIT);
	cairo_restore(cr);
}

/* A per-point limit as a step line, so a change of n shows as a step. */
static void step_line(cairo_t *cr, const struct frame *f, const double *v, size_t n)
{
	cairo_new_path(cr);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			cairo_new_sub_path(cr);
			continue;
		}
		cairo_line_to(cr, px(f, (double)i + 0.5), py(f, v[i]));
		cairo_line_to(cr, px(f, (double)i + 1.5), py(f, v[i]));
	}
	cairo_stroke(cr);
}

void plot_control_chart(cairo_t *cr, double w, double h, const struct control_chart *c)
{
	static const double dash[] = { 3, 2 };
	struct frame f;

	background(cr, w, h);
	frame_in(&f, w, h);
	f.ymin = f.ymax = c->center;
	for (size_t i = 0; i < c->n; i++) {
		widen(&f.ymin, &f.ymax, c->y[i]);
		widen(&f.ymin, &f.ymax, c->lcl[i]);
		widen(&f.ymin, &f.ymax, c->ucl[i]);
	}
	pad(&f.ymin, &f.ymax, 0.08);
	f.xmin = 0.5;
	f.xmax = (double)c->n + 0.5;
	f.xnames = c->xnames;
	f.nx = c->n;
	axes(cr, &f, c->title, c->xlabel, c->ylabel);
	cairo_save(cr);
	clip_to(cr, &f);
	cairo_set_line_width(cr, 0.8);
	color(cr, MEAN);
	cairo_move_to(cr, f.x0, py(&f, c->center));
	cairo_line_to(cr, f.x1, py(&f, c->center));
	cairo_stroke(cr);
	color(cr, LIMIT);
	cairo_set_dash(cr, dash, 2, 0);
	step_line(cr, &f, c->lcl, c->n);
	step_line(cr, &f, c->ucl, c->n);
	cairo_set_dash(cr, NULL, 0, 0);
	color(cr, DATA);
	cairo_set_line_width(cr, 0.7);
	cairo_new_path(cr);
	for (size_t i = 0; i < c->n; i++)
		cairo_line_to(cr, px(&f, (double)i + 1), py(&f, c->y[i]));
	cairo_stroke(cr);
	for (size_t i = 0; i < c->n; i++) {
		color(cr, c->flagged[i] ? LIMIT : DATA);
		cairo_arc(cr, px(&f, (double)i + 1), py(&f, c->y[i]), c->flagged[i] ? 3.2 : 2.0, 0,
			  2 * M_PI);
		cairo_fill(cr);
	}
	cairo_restore(cr);
}

/* Series colours, in turn. */
static struct rgba series_color(size_t i)
{
	static const struct rgba c[] = { { 0.20, 0.40, 0.70, 1 }, { 0.85, 0.45, 0.10, 1 },
					 { 0.10, 0.55, 0.30, 1 }, { 0.55, 0.20, 0.60, 1 },
					 { 0.70, 0.15, 0.15, 1 }, { 0.40, 0.40, 0.40, 1 } };

	return c[i % (sizeof(c) / sizeof(c[0]))];
}

/* The series' names above the frame, each with its colour's swatch. */
static void series_legend(cairo_t *cr, const struct frame *f, const char *const *names, size_t n)
{
	double x = f->x0 + (f->x1 - f->x0) / 2;

	for (size_t i = 0; i < n; i++)
		legend_entry(cr, &x, f->y0 - 3, series_color(i), 0, 1, names[i]);
}

void plot_line_chart(cairo_t *cr, double w, double h, const struct line_chart *c)
{
	struct frame f;
	int first = 1;

	background(cr, w, h);
	frame_in(&f, w, h);
	for (size_t i = 0; i < c->nseries * c->n; i++) {
		if (!isfinite(c->y[i]))
			continue;
		if (first)
			f.ymin = f.ymax = c->y[i], first = 0;
		widen(&f.ymin, &f.ymax, c->y[i]);
	}
	if (first)
		f.ymin = 0, f.ymax = 1;
	pad(&f.ymin, &f.ymax, 0.08);
	f.xmin = 0.5;
	f.xmax = (double)c->n + 0.5;
	axes(cr, &f, c->title, c->xlabel, c->ylabel);
	series_legend(cr, &f, c->series, c->nseries);
	cairo_save(cr);
	clip_to(cr, &f);
	cairo_set_line_width(cr, 0.8);
	for (size_t s = 0; s < c->nseries; s++) {
		const double *y = c->y + s * c->n;

		color(cr, series_color(s));
		cairo_new_path(cr);
		for (size_t i = 0; i < c->n; i++) {
			if (!isfinite(y[i]))
				cairo_new_sub_path(cr);
			else
				cairo_line_to(cr, px(&f, (double)i + 1), py(&f, y[i]));
		}
		cairo_stroke(cr);
		for (size_t i = 0; i < c->n; i++)
			if (isfinite(y[i])) {
				cairo_arc(cr, px(&f, (double)i + 1), py(&f, y[i]), 2.0, 0, 2 * M_PI);
				cairo_fill(cr);
			}
	}
	cairo_restore(cr);
}

void plot_bar_chart(cairo_t *cr, double w, double h, const struct bar_chart *c)
{
	struct frame f;
	double slot, bar;

	background(cr, w, h);
	frame_in(&f, w, h);
	f.ymin = f.ymax = 0;
	for (size_t i = 0; i < c->ngroups * c->nseries; i++)
		widen(&f.ymin, &f.ymax, c->v[i]);
	if (!(f.ymax > 0))
		f.ymax = 1;
	f.ymax *= 1.08;
	f.xmin = 0.5;
	f.xmax = (double)c->ngroups + 0.5;
	/* the groups are the x axis's ticks (numbers covered in white would
	 * still be text in the PDF, under the names) */
	f.xnames = c->groups;
	f.nx = c->ngroups;
	axes(cr, &f, c->title, "", c->ylabel);
	series_legend(cr, &f, c->series, c->nseries);
	slot = (f.x1 - f.x0) / (double)c->ngroups;
	bar = slot * 0.8 / (double)(c->nseries ? c->nseries : 1);
	for (size_t g = 0; g < c->ngroups; g++) {
		double left = f.x0 + slot * ((double)g + 0.1);

		for (size_t s = 0; s < c->nseries; s++) {
			double v = c->v[g * c->nseries + s];

			if (!isfinite(v))
				continue;
			color(cr, series_color(s));
			cairo_rectangle(cr, left + bar * (double)s, py(&f, v), bar * 0.9,
					py(&f, 0) - py(&f, v));
			cairo_fill(cr);
		}
	}
}

/* The SVG text as cairo writes it. A plain buffer, not open_memstream():
 * under umockdev's preload (emulated-device tests) fclose() bypasses ASan's
 * interceptor, and a later memstream at a reused address trips ASan. */
struct svg_buffer {
	unsigned char *data;
	size_t len, cap;
};

static cairo_status_t to_buffer(void *closure, const unsigned char *data, unsigned int len)
{
	struct svg_buffer *b = closure;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *grown;

		while (cap < b->len + len)
			cap *= 2;
		if (!(grown = realloc(b->data, cap)))
			return CAIRO_STATUS_NO_MEMORY;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return CAIRO_STATUS_SUCCESS;
}

void plot_draw(cairo_t *cr, const struct plot_job *job)
{
	switch (job->kind) {
	case PLOT_HISTOGRAM: plot_histogram(cr, job->w, job->h, job->x, job->n, job->m); break;
	case PLOT_RUN_CHART: plot_run_chart(cr, job->w, job->h, job->x, job->n, job->m); break;
	case PLOT_WAVEFORM: plot_waveform(cr, job->w, job->h, job->wf); break;
	case PLOT_CONTROL_CHART: plot_control_chart(cr, job->w, job->h, job->cc); break;
	case PLOT_LINE_CHART: plot_line_chart(cr, job->w, job->h, job->lc); break;
	case PLOT_BAR_CHART: plot_bar_chart(cr, job->w, job->h, job->bc); break;
	}
}

int plot_svg(const struct plot_job *job, unsigned char **svg, size_t *len)
{
	struct svg_buffer b = { NULL, 0, 0 };
	cairo_surface_t *s = cairo_svg_surface_create_for_stream(to_buffer, &b, job->w, job->h);
	cairo_t *cr = cairo_create(s);
	cairo_status_t st;

	plot_draw(cr, job);
	st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		free(b.data);
		return rig_error(st == CAIRO_STATUS_NO_MEMORY ? RIG_ERR_NOMEM : RIG_ERR_IO, "plot: %s",
				 cairo_status_to_string(st));
	}
	*svg = b.data;
	*len = b.len;
	return 0;
}
