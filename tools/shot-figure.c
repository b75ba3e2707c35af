/*
 * Draw one measured shot of a raw capture with what the extractor found on
 * it, as SVG: the figure of docs/measurement.md (tools/make-figure makes
 * it from a sim run).
 *   shot-figure CAPTURE SHOT OUT.svg|OUT.png
 * Top left: the displacement, its baseline window, threshold and release
 * levels, onset, peak and end. Top right: the peak, sample by sample, the
 * highest sample against the fitted peak. Bottom: the plunger and the two
 * level windows whose difference is the shot's volume.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/measure/capture.h"

#define W 960
#define H 600

struct pick {
	unsigned want;
	struct shot shot, next;
	int have, have_next;
};

static void pick(void *ctx, const struct shot *s)
{
	struct pick *p = ctx;

	if (s->index == p->want) {
		p->shot = *s;
		p->have = 1;
	} else if (s->index == p->want + 1) {
		p->next = *s;
		p->have_next = 1;
	}
}

struct capture {
	struct rcap_header h;
	uint16_t *codes;
	size_t scans;
	int d, p;
};

static int load(const char *path, struct capture *c)
{
	struct rcap_reader r;
	size_t got;

	if (rcap_open(&r, path))
		return -1;
	rcap_take_header(&r, &c->h);
	c->codes = malloc((size_t)r.scans * r.h.nchannels * sizeof(*c->codes));
	if (!c->codes || rcap_read(&r, c->codes, (size_t)r.scans, &got)) {
		rcap_close_reader(&r);
		return -1;
	}
	c->scans = got;
	c->d = c->p = -1;
	for (size_t i = 0; i < c->h.nchannels; i++) {
		if (!strcmp(c->h.channels[i].name, "displacement"))
			c->d = (int)i;
		if (!strcmp(c->h.channels[i].name, "plunger"))
			c->p = (int)i;
	}
	rcap_close_reader(&r);
	return c->d < 0 || c->p < 0 ? -1 : 0;
}

static double value(const struct capture *c, int ch, size_t k)
{
	return calibration_apply(&c->h.channels[ch].cal, c->codes[k * c->h.nchannels + (size_t)ch]);
}

/* A plot area: data (x0..x1, y0..y1) onto the box (bx, by, bw, bh). */
struct area {
	double bx, by, bw, bh, x0, x1, y0, y1;
};

static double px(const struct area *a, double x)
{
	return a->bx + (x - a->x0) / (a->x1 - a->x0) * a->bw;
}

static double py(const struct area *a, double y)
{
	return a->by + a->bh - (y - a->y0) / (a->y1 - a->y0) * a->bh;
}

static void text(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void frame(cairo_t *cr, const struct area *a, const char *title, const char *xlabel,
		  const char *ylabel, double xstep, double ystep)
{
	char buf[32];

	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, a->bx, a->by, a->bw, a->bh);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	for (double x = ceil(a->x0 / xstep) * xstep; x <= a->x1 + 1e-9; x += xstep) {
		snprintf(buf, sizeof(buf), "%g", fabs(x) < 1e-9 ? 0 : x);
		text(cr, px(a, x) - 8, a->by + a->bh + 13, 10, buf);
	}
	for (double y = ceil(a->y0 / ystep) * ystep; y <= a->y1 + 1e-9; y += ystep) {
		snprintf(buf, sizeof(buf), "%g", fabs(y) < 1e-9 ? 0 : y);
		text(cr, a->bx - 38, py(a, y) + 3, 10, buf);
	}
	text(cr, a->bx, a->by - 8, 13, title);
	text(cr, a->bx + a->bw - 160, a->by + a->bh + 28, 11, xlabel);
	cairo_save(cr);
	cairo_move_to(cr, a->bx - 46, a->by + a->bh / 2 + 30);
	cairo_rotate(cr, -M_PI / 2);
	cairo_set_font_size(cr, 11);
	cairo_show_text(cr, ylabel);
	cairo_restore(cr);
}

static void hline(cairo_t *cr, const struct area *a, double y, double r, double g, double b,
		  const char *label)
{
	static const double dash[] = { 5, 3 };

	cairo_set_source_rgb(cr, r, g, b);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, a->bx, py(a, y));
	cairo_line_to(cr, a->bx + a->bw, py(a, y));
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	if (label)
		text(cr, a->bx + a->bw - 150, py(a, y) - 3, 10, label);
}

static void band(cairo_t *cr, const struct area *a, double x0, double x1, double r, double g,
		 double b)
{
	cairo_set_source_rgba(cr, r, g, b, 0.15);
	cairo_rectangle(cr, px(a, x0), a->by, px(a, x1) - px(a, x0), a->bh);
	cairo_fill(cr);
}

static void mark(cairo_t *cr, const struct area *a, double x, double y, double r, double g,
		 double b, const char *label, double dy)
{
	cairo_set_source_rgb(cr, r, g, b);
	cairo_arc(cr, px(a, x), py(a, y), 4.5, 0, 2 * M_PI);
	cairo_fill(cr);
	text(cr, px(a, x) + 7, py(a, y) + 4 + dy, 11, label);
}

/* Samples of channel ch from scan k0 to k1, times in ms from t_ref; where
 * several fall on one pixel column, their range (the file stays small). */
static void trace(cairo_t *cr, const struct area *a, const struct capture *c, int ch, size_t k0,
		  size_t k1, double t_ref, double base, int dots)
{
	double rate = c->h.rate_hz, col = -1, lo = 0, hi = 0;

	cairo_save(cr);
	cairo_rectangle(cr, a->bx, a->by, a->bw, a->bh);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 0.15, 0.3, 0.6);
	cairo_set_line_width(cr, 1);
	for (size_t k = k0; k <= k1 && k < c->scans; k++) {
		double x = floor(px(a, ((double)k / rate - t_ref) * 1000));
		double y = py(a, value(c, ch, k) - base);

		if (x == col) {
			lo = fmin(lo, y);
			hi = fmax(hi, y);
			continue;
		}
		if (col >= 0) {
			cairo_line_to(cr, col, lo);
			cairo_line_to(cr, col, hi);
		}
		if (k == k0)
			cairo_move_to(cr, x, y);
		col = x;
		lo = hi = y;
	}
	cairo_line_to(cr, col, lo);
	cairo_line_to(cr, col, hi);
	cairo_stroke(cr);
	for (size_t k = k0; dots && k <= k1 && k < c->scans; k++) {
		cairo_arc(cr, px(a, ((double)k / rate - t_ref) * 1000), py(a, value(c, ch, k) - base),
			  2, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	cairo_restore(cr);
}

static size_t scan_at(const struct capture *c, double t)
{
	double k = floor(t * c->h.rate_hz);

	return k < 0 ? 0 : (size_t)k >= c->scans ? c->scans - 1 : (size_t)k;
}

/* First scan from k with displacement above level, as the extractor's
 * threshold crossing. */
static size_t crossing(const struct capture *c, size_t k, double level)
{
	while (k + 1 < c->scans && value(c, c->d, k) <= level)
		k++;
	return k;
}

static void draw(cairo_t *cr, const struct capture *c, const struct shot *s, const struct shot *nx)
{
	double rate = c->h.rate_hz, on = s->t_s, b = s->baseline_mm, d = s->depth_mm;
	double cross = (double)crossing(c, scan_at(c, on - 0.02), b + MEASURE_THRESHOLD_MM) / rate;
	double done = s->end_s + MEASURE_MIN_GAP_MS / 1000;
	struct area top = { 70, 40, 560, 300, (cross - on) * 1000 - 14, (done - on) * 1000 + 6,
			    -0.4, d + 0.6 };
	struct area zoom = { 700, 40, 230, 300, (s->peak_s - on) * 1000 - 0.7,
			     (s->peak_s - on) * 1000 + 0.7, d - 0.035, d + 0.025 };
	double next_cross = nx ? (double)crossing(c, scan_at(c, nx->t_s - 0.02),
					      nx->baseline_mm + MEASURE_THRESHOLD_MM) / rate
			       : (double)c->scans / rate;
	struct area low = { 70, 420, 860, 130, (cross - on) * 1000 - 45,
			    (next_cross - on) * 1000 + 10, 0, 0 };
	double v0 = 0, v1 = 0, hi_y = -1e9, hi_t = 0;
	size_t n0 = 0, n1 = 0;
	char buf[160];

	/* the plunger levels: the extractor's windows before each crossing */
	for (size_t k = scan_at(c, cross - MEASURE_LEVEL_S); k < scan_at(c, cross); k++, n0++)
		v0 += value(c, c->p, k);
	for (size_t k = scan_at(c, next_cross - MEASURE_LEVEL_S); k < scan_at(c, next_cross);
	     k++, n1++)
		v1 += value(c, c->p, k);
	v0 /= (double)n0;
	v1 /= (double)n1;
	low.y0 = v0 - 0.15 * (v1 - v0);
	low.y1 = v1 + 0.25 * (v1 - v0);

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

	/* the shot */
	band(cr, &top, (cross - MEASURE_GUARD_S - MEASURE_BASELINE_S - on) * 1000,
	     (cross - MEASURE_GUARD_S - on) * 1000, 0.2, 0.6, 0.2);
	band(cr, &top, (s->end_s - on) * 1000, (done - on) * 1000, 0.8, 0.4, 0.1);
	frame(cr, &top, "needle extension above the baseline", "ms from onset", "mm", 5, 1);
	trace(cr, &top, c, c->d, scan_at(c, top.x0 / 1000 + on), scan_at(c, top.x1 / 1000 + on),
	      on, b, 0);
	hline(cr, &top, 0, 0.2, 0.6, 0.2, NULL);
	hline(cr, &top, MEASURE_THRESHOLD_MM, 0.7, 0.2, 0.2, NULL);
	hline(cr, &top, MEASURE_RELEASE_MM, 0.8, 0.4, 0.1, NULL);
	hline(cr, &top, d / 2, 0.5, 0.5, 0.5, NULL);
	mark(cr, &top, 0, d / 2, 0.1, 0.1, 0.1, "onset: 50 % of depth", 0);
	mark(cr, &top, (s->peak_s - on) * 1000, d, 0.75, 0.1, 0.1, "peak = depth", 0);
	mark(cr, &top, (s->end_s - on) * 1000, MEASURE_RELEASE_MM, 0.8, 0.4, 0.1, "home", -14);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	snprintf(buf, sizeof(buf), "shot %u: depth %.4f mm, onset %.6f s, rise 10-90 %% %.2f ms",
		 s->index, d, c->h.t0_s + on, s->rise_ms);
	text(cr, top.bx + 12, top.by + 18, 11, buf);
	/* the legend, where the dwell leaves room */
	text(cr, px(&top, 4), py(&top, 1.4), 10, "green: baseline window, ending 2 ms before the");
	text(cr, px(&top, 4), py(&top, 1.4) + 13, 10, "      threshold crossing (the rise's foot kept out)");
	text(cr, px(&top, 4), py(&top, 1.4) + 26, 10, "orange: below release for the debounce gap");
	text(cr, px(&top, 4), py(&top, 1.4) + 39, 10, "dashed: baseline, release 0.08 mm,");
	text(cr, px(&top, 4), py(&top, 1.4) + 52, 10, "      threshold 0.15 mm, half depth");

	/* the peak, sample by sample */
	frame(cr, &zoom, "the peak", "ms from onset", "mm", 0.5, 0.01);
	cairo_save(cr);
	cairo_rectangle(cr, zoom.bx, zoom.by, zoom.bw, zoom.bh);
	cairo_clip(cr);
	trace(cr, &zoom, c, c->d, scan_at(c, zoom.x0 / 1000 + on), scan_at(c, zoom.x1 / 1000 + on),
	      on, b, 1);
	for (size_t k = scan_at(c, s->peak_s - 0.001); k <= scan_at(c, s->peak_s + 0.001); k++)
		if (value(c, c->d, k) - b > hi_y) {
			hi_y = value(c, c->d, k) - b;
			hi_t = ((double)k / rate - on) * 1000;
		}
	hline(cr, &zoom, d, 0.75, 0.1, 0.1, NULL);
	mark(cr, &zoom, hi_t, hi_y, 0.55, 0.55, 0.55, "highest sample", -8);
	mark(cr, &zoom, (s->peak_s - on) * 1000, d, 0.75, 0.1, 0.1, "fitted peak", 12);
	cairo_restore(cr);

	/* the plunger */
	band(cr, &low, (cross - MEASURE_LEVEL_S - on) * 1000, (cross - on) * 1000, 0.2, 0.4, 0.8);
	band(cr, &low, (next_cross - MEASURE_LEVEL_S - on) * 1000, (next_cross - on) * 1000, 0.2,
	     0.4, 0.8);
	frame(cr, &low, "plunger: volume = level before the next shot - level before this one",
	      "ms from onset", "ul", 50, 10);
	trace(cr, &low, c, c->p, scan_at(c, low.x0 / 1000 + on), scan_at(c, low.x1 / 1000 + on), on,
	      0, 0);
	hline(cr, &low, v0, 0.2, 0.4, 0.8, NULL);
	hline(cr, &low, v1, 0.2, 0.4, 0.8, NULL);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	snprintf(buf, sizeof(buf), "volume %.3f ul (blue: the level windows)", s->volume_ul);
	text(cr, px(&low, (next_cross - on) * 1000 * 0.5), py(&low, v1) - 6, 11, buf);
}

int main(int argc, char **argv)
{
	struct capture c;
	struct pick p = { 0 };
	cairo_surface_t *out;
	cairo_t *cr;
	int png;

	if (argc != 4) {
		fprintf(stderr, "usage: shot-figure CAPTURE SHOT OUT.svg|OUT.png\n");
		return 2;
	}
	p.want = (unsigned)atoi(argv[2]);
	if (measure_capture(argv[1], 0, pick, &p, NULL) || load(argv[1], &c)) {
		fprintf(stderr, "shot-figure: %s\n", rig_last_error());
		return 2;
	}
	if (!p.have) {
		fprintf(stderr, "shot-figure: %s has no shot %u\n", argv[1], p.want);
		return 2;
	}
	png = strlen(argv[3]) > 4 && !strcmp(argv[3] + strlen(argv[3]) - 4, ".png");
	out = png ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H)
		  : cairo_svg_surface_create(argv[3], W, H);
	cr = cairo_create(out);
	draw(cr, &c, &p.shot, p.have_next ? &p.next : NULL);
	cairo_destroy(cr);
	if (png)
		cairo_surface_write_to_png(out, argv[3]);
	cairo_surface_finish(out);
	if (cairo_surface_status(out) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "shot-figure: %s: %s\n", argv[3],
			cairo_status_to_string(cairo_surface_status(out)));
		return 2;
	}
	cairo_surface_destroy(out);
	free(c.codes);
	return 0;
}
