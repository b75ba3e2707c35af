/*
 * report.pdf: report.html's content on A4 pages, drawn with cairo (the
 * plots by the same routines), with "page N of M" on every page and a
 * signature block at the end. Laid out twice: once to count the pages.
 */
#include <cairo-pdf.h>
#include <string.h>
#include <unistd.h>

#include "reports/content.h"
#include "reports/format.h"
#include "reports/reports.h"
#include "rig/error.h"
#include "rig/file.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 40.0
#define BOTTOM (PAGE_H - MARGIN - 14)
#define FONT "DejaVu Sans"

struct page {
	cairo_t *cr;
	const struct run_record *r;
	double y;
	int page, pages;   /* pages: the total, known on the second pass */
};

static void footer(struct page *p)
{
	char buf[160];

	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, 7);
	snprintf(buf, sizeof(buf), "%s %s   run %s   %s", p->r->uut.model, p->r->uut.serial,
		 p->r->id, verdict_name(p->r->verdict));
	cairo_move_to(p->cr, MARGIN, PAGE_H - MARGIN + 6);
	cairo_show_text(p->cr, buf);
	snprintf(buf, sizeof(buf), "page %d of %d", p->page, p->pages);
	cairo_move_to(p->cr, PAGE_W - MARGIN - 50, PAGE_H - MARGIN + 6);
	cairo_show_text(p->cr, buf);
}

static void need(struct page *p, double h)
{
	if (p->y + h <= BOTTOM)
		return;
	footer(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN;
}

/* One line of text at x, clipped to width (0: to the margin). */
static void line(struct page *p, double x, double width, double size, int bold, const char *s)
{
	cairo_save(p->cr);
	cairo_rectangle(p->cr, x, p->y - size, width > 0 ? width - 3 : PAGE_W - MARGIN - x,
			size * 1.6);
	cairo_clip(p->cr);
	cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
	cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
	cairo_move_to(p->cr, x, p->y);
	cairo_show_text(p->cr, s);
	cairo_restore(p->cr);
}

static void heading(struct page *p, const char *s)
{
	need(p, 40);
	p->y += 16;
	line(p, MARGIN, 0, 11, 1, s);
	p->y += 8;
}

static void header(struct page *p, const struct fixture *fx)
{
	struct fact facts[CONTENT_MAX_FACTS];
	struct instrument_row ins[FIXTURE_MAX_CHANNELS + 1];
	size_t n = content_facts(p->r, fx, facts);
	char buf[256];
	static const double col[] = { MARGIN, 110, 260, 380, 470 };

	p->y = MARGIN + 14;
	snprintf(buf, sizeof(buf), "Certification report: %s %s", p->r->uut.model,
		 p->r->uut.serial);
	line(p, MARGIN, 0, 15, 1, buf);
	p->y += 20;
	for (size_t i = 0; i < n; i++) {
		line(p, MARGIN, 100, 7.5, 1, facts[i].label);
		line(p, MARGIN + 100, 0, strstr(facts[i].value, "SHA-256") ? 6.3 : 7.5, 0,
		     facts[i].value);
		p->y += 11;
	}
	heading(p, "Instruments and calibration");
	n = content_instruments(fx, ins, sizeof(ins) / sizeof(ins[0]));
	line(p, col[0], 70, 7, 1, "channel");
	line(p, col[1], 150, 7, 1, "instrument");
	line(p, col[2], 120, 7, 1, "certificate");
	line(p, col[3], 90, 7, 1, "issuer");
	line(p, col[4], 0, 7, 1, "due");
	for (size_t i = 0; i < n; i++) {
		p->y += 10;
		line(p, col[0], 70, 7, 0, ins[i].channel);
		line(p, col[1], 150, 7, 0, ins[i].model);
		line(p, col[2], 120, 7, 0, ins[i].cert);
		line(p, col[3], 90, 7, 0, ins[i].issuer);
		line(p, col[4], 0, 7, 0, ins[i].due);
	}
	p->y += 10;
}

static void verdict_box(struct page *p)
{
	char buf[96];
	int good = p->r->verdict == VERDICT_PASS;

	need(p, 50);
	p->y += 8;
	cairo_set_source_rgb(p->cr, good ? 0.04 : 0.6, good ? 0.36 : 0.07, good ? 0.16 : 0.07);
	cairo_set_line_width(p->cr, 1.5);
	cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, 28);
	cairo_stroke(p->cr);
	p->y += 20;
	snprintf(buf, sizeof(buf), "Overall verdict: %s", verdict_name(p->r->verdict));
	line(p, MARGIN + 8, 0, 15, 1, buf);
	p->y += 18;
	if (p->r->error[0]) {
		line(p, MARGIN, 0, 7, 0, p->r->error);
		p->y += 10;
	}
}

static void table(struct page *p)
{
	static const double x[] = { MARGIN, 92, 135, 185, 203, 300, 395, 470, 520 };
	static const char *const head[] = { "requirement", "setting", "quantity", "n",
					    "measured", "limits", "Cpk (95% low)", "U (k=2)",
					    "verdict" };

	heading(p, "Requirements");
	for (size_t c = 0; c < 9; c++)
		line(p, x[c], c < 8 ? x[c + 1] - x[c] : 0, 6.5, 1, head[c]);
	for (size_t i = 0; i < p->r->nsteps; i++) {
		const struct step_record *s = &p->r->steps[i];

		for (size_t j = 0; j < s->nm; j++) {
			struct table_row row;
			char n[16];
			const char *cells[9];

			content_row(s, &s->m[j], &row);
			snprintf(n, sizeof(n), "%zu", row.n);
			cells[0] = row.requirement;
			cells[1] = row.setting;
			cells[2] = row.name;
			cells[3] = n;
			cells[4] = row.measured;
			cells[5] = row.limits;
			cells[6] = row.cpk;
			cells[7] = row.u;
			cells[8] = verdict_name(row.verdict);
			need(p, 20);
			p->y += 9;
			for (size_t c = 0; c < 9; c++)
				line(p, x[c], c < 8 ? x[c + 1] - x[c] : 0, 6.5, c == 8, cells[c]);
			if (row.verdict != VERDICT_PASS && row.reason[0]) {
				p->y += 8.5;
				line(p, x[1], 0, 6, 0, row.reason);
			}
		}
		if (s->error[0] || s->nm == 0) {
			need(p, 20);
			p->y += 9;
			line(p, x[0], x[1] - x[0], 6.5, 0, s->requirement);
			line(p, x[1], x[8] - x[1], 6.5, 0, s->error[0] ? s->error : "nothing judged");
			line(p, x[8], 0, 6.5, 1, verdict_name(s->verdict));
		}
	}
}

static void plot(struct page *p, const struct plot_job *job, double x, double w)
{
	double scale = w / job->w;

	cairo_save(p->cr);
	cairo_translate(p->cr, x, p->y);
	cairo_scale(p->cr, scale, scale);
	plot_draw(p->cr, job);
	cairo_restore(p->cr);
}

static void figures(struct page *p, const struct fixture *fx)
{
	const double w = (PAGE_W - 2 * MARGIN - 10) / 2;

	heading(p, "Measurements");
	for (size_t i = 0; i < p->r->nsteps; i++) {
		const struct step_record *s = &p->r->steps[i];
		struct step_figures fig;
		char buf[600];

		content_figures(p->r->out_dir, s, &fig);
		need(p, 60 + (fig.njobs ? w * 180 / 300 : 0));
		p->y += 14;
		snprintf(buf, sizeof(buf), "%s  %s: %s (%zu shots)", verdict_name(s->verdict), s->id,
			 s->label, s->nshots);
		line(p, MARGIN, 0, 9, 1, buf);
		for (size_t k = 0; k < fig.ntraced; k++) {
			char trace[512];

			format_traceability(fx, fig.traced[k], trace, sizeof(trace));
			snprintf(buf, sizeof(buf), "%s: %s", fig.traced[k]->name, trace);
			p->y += 9;
			line(p, MARGIN, 0, 6.5, 0, buf);
		}
		p->y += 6;
		for (size_t k = 0; k < fig.njobs; k++) {
			double h = w * fig.job[k].h / fig.job[k].w;

			if (k % 2 == 0)
				need(p, h + 4);
			plot(p, &fig.job[k], k % 2 ? MARGIN + w + 10 : MARGIN, w);
			if (k % 2 || k + 1 == fig.njobs)
				p->y += h + 4;
		}
		if (!fig.have_wf) {
			p->y += 9;
			line(p, MARGIN, 0, 6.5, 0, fig.wf_error);
		}
		content_figures_release(&fig);
	}
}

static void signatures(struct page *p)
{
	static const char *const roles[] = { "Tested by (operator)", "Reviewed by (QA)",
					     "Approved by" };

	heading(p, "Signatures");
	need(p, 150);
	line(p, MARGIN, 0, 7, 0, "Electronic signatures (21 CFR Part 11 11.50: name, date and time, "
				 "meaning) are recorded in signatures/ and bound to MANIFEST;");
	p->y += 9;
	line(p, MARGIN, 0, 7, 0, "check them and every artifact with: rig verify DIR (keys in "
				 "the trust store). Handwritten signatures, if the quality system asks "
				 "for them:");
	p->y += 14;
	for (size_t i = 0; i < 3; i++) {
		p->y += 26;
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		cairo_set_line_width(p->cr, 0.5);
		cairo_move_to(p->cr, MARGIN + 120, p->y);
		cairo_line_to(p->cr, MARGIN + 330, p->y);
		cairo_move_to(p->cr, MARGIN + 370, p->y);
		cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
		cairo_stroke(p->cr);
		line(p, MARGIN, 120, 8, 0, roles[i]);
		line(p, MARGIN + 340, 30, 8, 0, "Date");
	}
}

/* Lay the whole report out; returns the number of pages. */
static int layout(cairo_surface_t *surface, const struct run_record *r, const struct fixture *fx,
		  int pages)
{
	struct page p = { .cr = cairo_create(surface), .r = r, .page = 1, .pages = pages };

	header(&p, fx);
	verdict_box(&p);
	table(&p);
	figures(&p, fx);
	signatures(&p);
	footer(&p);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	return p.page;
}

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int len)
{
	(void)closure;
	(void)data;
	(void)len;
	return CAIRO_STATUS_SUCCESS;
}

int report_pdf(const struct run_record *r, const struct fixture *fx, const char *path)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H);
	cairo_status_t st;
	char title[160], part[4200];
	int pages = layout(s, r, fx, 0);

	cairo_surface_destroy(s);
	file_part_path(path, part, sizeof(part));
	s = cairo_pdf_surface_create(part, PAGE_W, PAGE_H);
	snprintf(title, sizeof(title), "Certification report %s %s, run %s", r->uut.model,
		 r->uut.serial, r->id);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "rig " RIG_VERSION);
	layout(s, r, fx, pages);
	cairo_surface_finish(s);
	st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		unlink(part);
		return rig_error(RIG_ERR_IO, "%s: cannot write PDF: %s", path,
				 cairo_status_to_string(st));
	}
	return file_replace_finish(path);
}
