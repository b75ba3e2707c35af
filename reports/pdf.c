/*
 * report.pdf: report.html's content on A4 pages. Text is laid out with
 * Pango (measured, wrapped inside its cell, never clipped or cut short);
 * tables grow rows to their tallest cell and repeat their header after a
 * page break; a heading never ends a page. The plots are drawn by the same
 * routines as the HTML's. "page N of M" needs the page count: the report
 * is laid out twice, once to count.
 *
 * With RIG_PDF_LAYOUT_LOG=FILE set, every text box is logged with its cell
 * and the ink Pango measured for it (tests/scenario/reports.sh checks that
 * no text leaves its cell or the page).
 */
#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/budget_rows.h"
#include "reports/content.h"
#include "reports/format.h"
#include "reports/pdf_file.h"
#include "reports/reports.h"
#include "reports/supplement.h"
#include "rig/base/audit.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 40.0
#define TOP (MARGIN + 14)              /* below the simulation band */
#define BOTTOM (PAGE_H - MARGIN - 12)  /* above the footer */
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define PAD 2.0                        /* inside a table cell */
#define FONT "DejaVu Sans"

struct page {
	cairo_t *cr;
	const struct report_supplement *sup; /* a procedure's own section, or NULL */
	PangoContext *pc;  /* from the report's own font map, released with it */
	const struct run_record *r;
	const struct fixture *fx;
	double y;
	int page, pages;   /* pages: the total, known on the second pass */
	char sim[200];
	FILE *check;       /* layout log, or NULL */
};

struct column {
	const char *head;
	double w;
};

struct table {
	const struct column *col;
	size_t ncol;
	double size;
};

static PangoLayout *layout(struct page *p, double w, double size, int bold, const char *s)
{
	PangoLayout *l = pango_layout_new(p->pc);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, s, -1);
	return l;
}

static double text_height(struct page *p, double w, double size, int bold, const char *s)
{
	PangoLayout *l = layout(p, w, size, bold, s);
	PangoRectangle logical;

	pango_layout_get_extents(l, NULL, &logical);
	g_object_unref(l);
	return (double)logical.height / PANGO_SCALE;
}

/* Text wrapped into the box at (x, y), w wide; returns its height. */
static double text(struct page *p, double x, double y, double w, double size, int bold,
		   const char *s)
{
	PangoLayout *l = layout(p, w, size, bold, s);
	PangoRectangle ink, logical;

	pango_layout_get_extents(l, &ink, &logical);
	cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
	if (p->check && s[0])
		fprintf(p->check, "%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", p->page,
			x, y, w, (double)logical.height / PANGO_SCALE,
			x + (double)ink.x / PANGO_SCALE, y + (double)ink.y / PANGO_SCALE,
			(double)ink.width / PANGO_SCALE, (double)ink.height / PANGO_SCALE, s);
	g_object_unref(l);
	return (double)logical.height / PANGO_SCALE;
}

static void band(struct page *p)
{
	if (!p->sim[0])
		return;
	cairo_set_source_rgb(p->cr, 0.70, 0.35, 0.0);
	cairo_rectangle(p->cr, MARGIN, MARGIN - 8, CONTENT_W, 14);
	cairo_fill(p->cr);
	{
		PangoLayout *l = layout(p, CONTENT_W - 8, 7.5, 1, p->sim);
		PangoRectangle ink, logical;

		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		pango_layout_get_extents(l, &ink, &logical);
		cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_move_to(p->cr, MARGIN + 4, MARGIN - 7);
		pango_cairo_show_layout(p->cr, l);
		if (p->check)
			fprintf(p->check, "%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n",
				p->page, MARGIN + 4, MARGIN - 7, CONTENT_W - 8,
				(double)logical.height / PANGO_SCALE,
				MARGIN + 4 + (double)ink.x / PANGO_SCALE,
				MARGIN - 7 + (double)ink.y / PANGO_SCALE, (double)ink.width / PANGO_SCALE,
				(double)ink.height / PANGO_SCALE, p->sim);
		g_object_unref(l);
	}
}

static void footer(struct page *p)
{
	char buf[200];

	snprintf(buf, sizeof(buf), "%s%s %s, run %s: %s", p->sim[0] ? "SIMULATION  " : "",
		 p->r->uut.model, p->r->uut.serial, p->r->id, verdict_name(p->r->verdict));
	text(p, MARGIN, PAGE_H - MARGIN - 6, CONTENT_W - 80, 7, 0, buf);
	snprintf(buf, sizeof(buf), "page %d of %d", p->page, p->pages);
	text(p, PAGE_W - MARGIN - 70, PAGE_H - MARGIN - 6, 70, 7, 0, buf);
}

static void new_page(struct page *p)
{
	footer(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = TOP;
	band(p);
}

/* Room for h more points on this page, else a new page. */
static void need(struct page *p, double h)
{
	if (p->y + h > BOTTOM && p->y > TOP)
		new_page(p);
}

/* A heading, kept on the page with at least keep points of what follows. */
static void heading(struct page *p, const char *s, double keep)
{
	double h = text_height(p, CONTENT_W, 11, 1, s);

	need(p, 10 + h + 4 + keep);
	p->y += 10;
	p->y += text(p, MARGIN, p->y, CONTENT_W, 11, 1, s);
	cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(p->cr, 0.5);
	cairo_move_to(p->cr, MARGIN, p->y + 1);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y + 1);
	cairo_stroke(p->cr);
	p->y += 4;
}

static void para(struct page *p, double size, const char *s)
{
	double h = text_height(p, CONTENT_W, size, 0, s);

	need(p, h);
	p->y += text(p, MARGIN, p->y, CONTENT_W, size, 0, s) + 2;
}

static double row_height(struct page *p, const struct table *t, const char *const *cells,
			 int bold)
{
	double h = 0;

	for (size_t c = 0; c < t->ncol; c++) {
		double ch = text_height(p, t->col[c].w - 2 * PAD, t->size, bold, cells[c]);

		h = ch > h ? ch : h;
	}
	return h + 2 * PAD;
}

static void draw_row(struct page *p, const struct table *t, const char *const *cells, int bold,
		     double h, const double *shade)
{
	double x = MARGIN;

	for (size_t c = 0; c < t->ncol; c++) {
		if (shade) {
			cairo_set_source_rgb(p->cr, shade[0], shade[1], shade[2]);
			cairo_rectangle(p->cr, x, p->y, t->col[c].w, h);
			cairo_fill(p->cr);
		}
		cairo_set_source_rgb(p->cr, 0.73, 0.73, 0.73);
		cairo_set_line_width(p->cr, 0.4);
		cairo_rectangle(p->cr, x, p->y, t->col[c].w, h);
		cairo_stroke(p->cr);
		text(p, x + PAD, p->y + PAD, t->col[c].w - 2 * PAD, t->size, bold, cells[c]);
		x += t->col[c].w;
	}
	p->y += h;
}

static void table_head(struct page *p, const struct table *t)
{
	const char *cells[16];
	static const double grey[3] = { 0.93, 0.93, 0.93 };

	for (size_t c = 0; c < t->ncol; c++)
		cells[c] = t->col[c].head;
	draw_row(p, t, cells, 1, row_height(p, t, cells, 1), grey);
}

/* A row; after a page break the header is repeated. */
static void table_row(struct page *p, const struct table *t, const char *const *cells, int bold)
{
	double h = row_height(p, t, cells, bold);

	if (p->y + h > BOTTOM) {
		new_page(p);
		table_head(p, t);
	}
	draw_row(p, t, cells, bold, h, NULL);
}

/* A table under a heading: the heading stays with the header and a row. */
static void table_begin(struct page *p, const char *title, const struct table *t)
{
	const char *cells[16];

	for (size_t c = 0; c < t->ncol; c++)
		cells[c] = t->col[c].head;
	if (title)
		heading(p, title, 2 * row_height(p, t, cells, 1) + 4);
	else
		need(p, 2 * row_height(p, t, cells, 1) + 4);
	table_head(p, t);
}

static void title_and_verdict(struct page *p)
{
	char buf[256];
	int good = p->r->verdict == VERDICT_PASS;
	double h;

	snprintf(buf, sizeof(buf), "Certification report: %s %s", p->r->uut.model,
		 p->r->uut.serial);
	p->y += text(p, MARGIN, p->y, CONTENT_W, 15, 1, buf) + 6;
	snprintf(buf, sizeof(buf), "Overall verdict: %s", verdict_name(p->r->verdict));
	h = text_height(p, CONTENT_W - 16, 15, 1, buf) + 10;
	cairo_set_source_rgb(p->cr, good ? 0.04 : 0.6, good ? 0.36 : 0.07, good ? 0.16 : 0.07);
	cairo_set_line_width(p->cr, 1.5);
	cairo_rectangle(p->cr, MARGIN, p->y, CONTENT_W, h);
	cairo_stroke(p->cr);
	text(p, MARGIN + 8, p->y + 5, CONTENT_W - 16, 15, 1, buf);
	p->y += h + 4;
	if (p->r->error[0])
		para(p, 7.5, p->r->error);
	else if (p->r->verdict == VERDICT_INCOMPLETE) {
		snprintf(buf, sizeof(buf), "Every judgement passed, but the run did not cover spec "
			 "%s: see Coverage and Deviations.", p->r->spec.name);
		para(p, 7.5, buf);
	}
}

static void requirement_summary(struct page *p)
{
	static const struct column col[] = {
		{ "requirement", 75 }, { "verdict", 65 }, { "worst margin", 320 },
		{ "judgements", 55.276 },
	};
	const struct table t = { col, 4, 7.5 };
	struct requirement_line lines[32];
	size_t n = content_requirement_lines(p->r, lines, 32);

	table_begin(p, "Requirement summary", &t);
	for (size_t i = 0; i < n; i++) {
		char k[24];
		const char *cells[4];

		snprintf(k, sizeof(k), "%zu", lines[i].measurements);
		cells[0] = lines[i].id;
		cells[1] = lines[i].measurements || lines[i].verdict ? verdict_name(lines[i].verdict)
								     : "NOT RUN";
		cells[2] = lines[i].margin;
		cells[3] = k;
		table_row(p, &t, cells, 0);
	}
}

static void decision_rule(struct page *p)
{
	heading(p, "Decision rule", 30);
	for (size_t i = 0; content_decision_rule[i]; i++)
		para(p, 7.5, content_decision_rule[i]);
}

static void coverage(struct page *p)
{
	static const struct column col[] = {
		{ "requirement", 80 }, { "setting", 130 }, { "shots required", 90 },
		{ "shots measured", 130 }, { "status", 85.276 },
	};
	const struct table t = { col, 5, 7 };
	struct coverage_row rows[SPEC_MAX_REQUIREMENTS * SPEC_MAX_VALUES];
	size_t n = audit_coverage(p->r, rows, sizeof(rows) / sizeof(rows[0]));

	if (!p->r->spec.name[0]) {
		heading(p, "Coverage of the specification", 20);
		para(p, 7.5, content_no_spec);
		return;
	}
	table_begin(p, "Coverage of the specification", &t);
	for (size_t i = 0; i < n; i++) {
		char req[32], got[48];
		const char *cells[5];

		content_coverage_cells(&rows[i], req, got);
		cells[0] = rows[i].requirement;
		cells[1] = rows[i].setting;
		cells[2] = req;
		cells[3] = got;
		cells[4] = coverage_status_name(rows[i].status);
		table_row(p, &t, cells, 0);
	}
}

static void deviations(struct page *p)
{
	static const struct column col[] = { { "kind", 70 }, { "step", 100 }, { "what", 345.276 } };
	const struct table t = { col, 3, 7 };
	struct deviation d[64];
	size_t n = audit_deviations(p->r, d, 64);

	if (!n) {
		heading(p, "Deviations", 20);
		para(p, 7.5, content_no_deviations);
		return;
	}
	table_begin(p, "Deviations", &t);
	for (size_t i = 0; i < n; i++) {
		const char *cells[3] = { d[i].kind, d[i].step, d[i].text };

		table_row(p, &t, cells, 0);
	}
}

static void facts(struct page *p)
{
	static const struct column col[] = { { "", 95 }, { "", 420.276 } };
	const struct table t = { col, 2, 7 };
	struct fact f[CONTENT_MAX_FACTS];
	size_t n = content_facts(p->r, p->fx, f);
	static const struct column icol[] = {
		{ "channel", 55 }, { "unit", 25 }, { "instrument", 130 }, { "certificate", 95 },
		{ "issuer", 80 }, { "calibrated", 65 }, { "due", 65.276 },
	};
	const struct table it = { icol, 7, 7 };
	struct instrument_row ins[FIXTURE_MAX_CHANNELS + 2];

	heading(p, "Run, unit and station", 40);
	for (size_t i = 0; i < n; i++) {
		const char *cells[2] = { f[i].label, f[i].value };

		table_row(p, &t, cells, 0);
	}
	table_begin(p, "Instruments and calibration", &it);
	n = content_instruments(p->fx, ins, sizeof(ins) / sizeof(ins[0]));
	for (size_t i = 0; i < n; i++) {
		const char *cells[7] = { ins[i].channel, ins[i].unit, ins[i].model, ins[i].cert,
					 ins[i].issuer, ins[i].calibrated, ins[i].due };

		table_row(p, &it, cells, 0);
	}
}

/* Each quantity's GUM budget (docs/msa.md), as report.html prints it. */
static void uncertainty_budgets(struct page *p)
{
	const struct column col[BUDGET_COLUMNS] = {
		{ budget_columns[0], 130 }, { budget_columns[1], 60 }, { budget_columns[2], 50 },
		{ budget_columns[3], 35 }, { budget_columns[4], 50 }, { budget_columns[5], 60 },
		{ budget_columns[6], 70 }, { budget_columns[7], 60.276 },
	};
	const struct table t = { col, BUDGET_COLUMNS, 7 };

	for (size_t i = 0; i < p->fx->nuncertainties; i++) {
		const struct fixture_budget *b = &p->fx->uncertainties[i].budget;
		char title[80], sum[300];

		if (!b->n)
			continue;
		snprintf(title, sizeof(title), "Uncertainty budget: %s",
			 p->fx->uncertainties[i].quantity);
		table_begin(p, title, &t);
		for (size_t j = 0; j < b->n; j++) {
			struct budget_row row;
			const char *cells[BUDGET_COLUMNS];

			budget_row(b, j, &row);
			for (size_t c = 0; c < BUDGET_COLUMNS; c++)
				cells[c] = row.cell[c];
			table_row(p, &t, cells, 0);
		}
		budget_summary(b, sum, sizeof(sum));
		p->y += 2;
		para(p, 7, sum);
	}
}

static void detail_table(struct page *p)
{
	static const struct column col[] = {
		{ "requirement", 55 }, { "setting", 45 }, { "quantity", 55 }, { "n", 20 },
		{ "measured", 80 }, { "limits", 72 }, { "tolerance interval", 66 },
		{ "Cpk (95% low)", 45 }, { "U", 25 }, { "verdict", 52.276 },
	};
	const struct table t = { col, 10, 6.5 };
	static const struct column why[] = { { "", 55 }, { "", 460.276 } };
	const struct table wt = { why, 2, 6.5 };

	table_begin(p, "Requirements in detail", &t);
	for (size_t i = 0; i < p->r->nsteps; i++) {
		const struct step_record *s = &p->r->steps[i];

		for (size_t j = 0; j < s->nm; j++) {
			struct table_row row;
			char n[16];

			content_row(s, &s->m[j], &row);
			snprintf(n, sizeof(n), "%zu", row.n);
			{
				const char *cells[10] = { row.requirement, row.setting, row.name, n,
							  row.measured, row.limits, row.ti, row.cpk,
							  row.u, verdict_name(row.verdict) };

				table_row(p, &t, cells, 0);
			}
			if (row.verdict != VERDICT_PASS && row.reason[0]) {
				const char *cells[2] = { "why", row.reason };

				table_row(p, &wt, cells, 0);
			}
		}
		if (s->error[0] || s->nm == 0) {
			const char *cells[2] = { s->requirement,
						 s->error[0] ? s->error : "nothing judged" };

			table_row(p, &wt, cells, 0);
		}
	}
}

/* One cell across the page: a heading row of the tables below. */
static const struct column whole_col[] = { { "", CONTENT_W } };
static const struct table whole = { whole_col, 1, 6.5 };

/* Rows of label and value under a title across the page, kept together
 * when they fit on one page. */
static void fact_table(struct page *p, const char *title, const struct fact *rows, size_t n)
{
	static const struct column col[] = { { "", 110 }, { "", 405.276 } };
	const struct table t = { col, 2, 6.5 };
	const char *head[1] = { title };

	need(p, (double)(n + 1) * row_height(p, &whole, head, 1));
	table_row(p, &whole, head, 1);
	for (size_t i = 0; i < n; i++) {
		const char *cells[2] = { rows[i].label, rows[i].value };

		table_row(p, &t, cells, 0);
	}
}

static void decision(struct page *p, const struct measurement *m)
{
	struct decision_row d;

	content_decision(m, &d);
	fact_table(p, d.title, d.row, CONTENT_DECISION_ROWS);
}

static void gravimetric(struct page *p, const struct step_record *s)
{
	struct fact g[CONTENT_MAX_GRAV];
	size_t n = content_gravimetric(s, p->fx, g);

	if (n)
		fact_table(p, "Gravimetric volume (ISO 8655-6)", g, n);
}

/* Per capture, what the sensors were like (content_signal_row). */
static void signal_quality(struct page *p, const struct step_record *s)
{
	static const struct column col[CONTENT_SIGNAL_COLS] = {
		{ NULL, 35 }, { NULL, 60 }, { NULL, 75 }, { NULL, 65 },
		{ NULL, 55 }, { NULL, 65 }, { NULL, 65 }, { NULL, 95.276 },
	};
	struct column named[CONTENT_SIGNAL_COLS];
	const struct table t = { named, CONTENT_SIGNAL_COLS, 6.5 };
	const char *head[1] = { "Signal quality" };
	struct signal_row row;
	int any = 0;

	for (size_t c = 0; c < CONTENT_SIGNAL_COLS; c++) {
		named[c] = col[c];
		named[c].head = content_signal_head[c];
	}
	for (size_t i = 0; i < s->ncaptures; i++) {
		const char *cells[CONTENT_SIGNAL_COLS];

		if (!content_signal_row(&s->captures[i], &row))
			continue;
		if (!any++) {
			need(p, row_height(p, &whole, head, 1) + 3 * row_height(p, &t,
									     content_signal_head, 1));
			table_row(p, &whole, head, 1);
			table_head(p, &t);
		}
		for (size_t c = 0; c < CONTENT_SIGNAL_COLS; c++)
			cells[c] = row.cell[c];
		table_row(p, &t, cells, 0);
	}
	if (any) {
		p->y += 2;
		para(p, 6.5, content_signal_note);
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

static void figures(struct page *p)
{
	const double w = (CONTENT_W - 10) / 2;

	heading(p, "Measurements", 80);
	for (size_t i = 0; i < p->r->nsteps; i++) {
		const struct step_record *s = &p->r->steps[i];
		struct step_figures fig;
		char buf[600];
		double h;

		content_figures(p->r->out_dir, s, &fig);
		snprintf(buf, sizeof(buf), "%s  %s: %s (%zu shots, %s to %s)", verdict_name(s->verdict),
			 s->id, s->label, s->nshots, s->started, s->ended);
		/* the step's heading stays with its first decision table */
		h = text_height(p, CONTENT_W, 9, 1, buf);
		need(p, 8 + h + 80);
		p->y += 8;
		p->y += text(p, MARGIN, p->y, CONTENT_W, 9, 1, buf) + 3;
		for (size_t k = 0; k < fig.ntraced; k++) {
			char trace[512];

			decision(p, fig.traced[k]);
			format_traceability(p->fx, fig.traced[k], trace, sizeof(trace));
			snprintf(buf, sizeof(buf), "%s: %s", fig.traced[k]->name, trace);
			p->y += 2;
			para(p, 6.5, buf);
		}
		gravimetric(p, s);
		signal_quality(p, s);
		p->y += 4;
		for (size_t k = 0; k < fig.njobs; k++) {
			double ph = w * fig.job[k].h / fig.job[k].w;

			if (k % 2 == 0)
				need(p, ph + 4);
			plot(p, &fig.job[k], k % 2 ? MARGIN + w + 10 : MARGIN, w);
			if (k % 2 || k + 1 == fig.njobs)
				p->y += ph + 4;
		}
		if (!fig.have_wf)
			para(p, 6.5, fig.wf_error);
		content_figures_release(&fig);
	}
}

/* A procedure's own section (a gauge study: reports/supplement.h): its
 * tables across the page and its figures at the page's width. */
static void supplement(struct page *p)
{
	const struct report_supplement *sup = p->sup;

	if (!sup || !sup->n)
		return;
	heading(p, sup->title, 60);
	for (size_t i = 0; i < sup->n; i++) {
		const struct supplement_block *b = &sup->block[i];
		struct column col[SUPPLEMENT_MAX_COLUMNS];
		const struct table t = { col, b->ncol, 7 };
		double h;

		switch (b->kind) {
		case SUPPLEMENT_HEADING:
			h = text_height(p, CONTENT_W, 9, 1, b->text);
			need(p, 8 + h + 40);
			p->y += 8;
			p->y += text(p, MARGIN, p->y, CONTENT_W, 9, 1, b->text) + 3;
			break;
		case SUPPLEMENT_VERDICT:
			h = text_height(p, CONTENT_W, 11, 1, b->text);
			need(p, h + 4);
			p->y += text(p, MARGIN, p->y, CONTENT_W, 11, 1, b->text) + 4;
			break;
		case SUPPLEMENT_TEXT:
			para(p, 7.5, b->text);
			break;
		case SUPPLEMENT_TABLE:
			for (size_t c = 0; c < b->ncol; c++)
				col[c] = (struct column){ b->head[c], b->width[c] * CONTENT_W };
			table_begin(p, NULL, &t);
			for (size_t r = 0; r < b->nrow; r++)
				table_row(p, &t, (const char *const *)&b->cell[r * b->ncol], 0);
			p->y += 4;
			break;
		case SUPPLEMENT_FIGURE:
			h = CONTENT_W * b->job.h / b->job.w;
			need(p, h + 4 + text_height(p, CONTENT_W, 6.5, 0, b->text));
			plot(p, &b->job, MARGIN, CONTENT_W);
			p->y += h + 2;
			para(p, 6.5, b->text);
			p->y += 4;
			break;
		}
	}
}

static void signatures(struct page *p)
{
	static const char *const roles[] = { "Tested by (operator)", "Reviewed by (QA)",
					     "Approved by" };

	heading(p, "Signatures", 150);
	para(p, 7, "Electronic signatures (21 CFR Part 11 11.50: name, date and time, meaning) "
		   "are recorded in signatures/ and bound to MANIFEST; check them and every "
		   "artifact with: rig verify DIR (keys in the trust store). Handwritten signatures, if "
		   "the quality system asks for them:");
	p->y += 6;
	for (size_t i = 0; i < 3; i++) {
		p->y += 24;
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		cairo_set_line_width(p->cr, 0.5);
		cairo_move_to(p->cr, MARGIN + 120, p->y);
		cairo_line_to(p->cr, MARGIN + 330, p->y);
		cairo_move_to(p->cr, MARGIN + 370, p->y);
		cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
		cairo_stroke(p->cr);
		text(p, MARGIN, p->y - 10, 115, 8, 0, roles[i]);
		text(p, MARGIN + 340, p->y - 10, 28, 8, 0, "Date");
	}
}

/* Lay the whole report out; returns the number of pages. */
static int layout_report(cairo_surface_t *surface, PangoFontMap *fm, const struct run_record *r,
			 const struct fixture *fx, const struct report_supplement *sup, int pages,
			 FILE *check)
{
	struct page p = { .cr = cairo_create(surface), .r = r, .fx = fx, .sup = sup, .page = 1,
			  .pages = pages, .check = check };

	p.pc = pango_font_map_create_context(fm);
	/* Font sizes in points on a surface whose unit is the point. */
	pango_cairo_context_set_resolution(p.pc, 72);
	pango_cairo_update_context(p.cr, p.pc);
	content_sim_banner(r, p.sim, sizeof(p.sim));
	p.y = TOP;
	band(&p);
	title_and_verdict(&p);
	requirement_summary(&p);
	decision_rule(&p);
	coverage(&p);
	deviations(&p);
	facts(&p);
	uncertainty_budgets(&p);
	detail_table(&p);
	figures(&p);
	supplement(&p);
	signatures(&p);
	footer(&p);
	cairo_show_page(p.cr);
	g_object_unref(p.pc);
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
	return report_pdf_supplemented(r, fx, NULL, path);
}

int report_pdf_supplemented(const struct run_record *r, const struct fixture *fx,
			    const struct report_supplement *sup, const char *path)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H);
	char title[200], part[4200];
	const char *log = getenv("RIG_PDF_LAYOUT_LOG");
	FILE *check = log && log[0] ? fopen(log, "w") : NULL;
	/* A font map of the report's own, dropped with it: Pango's default
	 * one would keep the report's cairo fonts to exit. */
	PangoFontMap *fm = pango_cairo_font_map_new();
	int pages = layout_report(s, fm, r, fx, sup, 0, NULL);

	cairo_surface_destroy(s);
	if (file_part_path(path, part, sizeof(part)) != 0) {
		if (check)
			fclose(check);
		g_object_unref(fm);
		return RIG_ERR_INVALID;
	}
	s = cairo_pdf_surface_create(part, PAGE_W, PAGE_H);
	snprintf(title, sizeof(title), "Certification report %s%s %s, run %s",
		 r->sim ? "(SIMULATION) " : "", r->uut.model, r->uut.serial, r->id);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "rig " RIG_VERSION);
	layout_report(s, fm, r, fx, sup, pages, check);
	if (check)
		fclose(check);
	cairo_surface_finish(s);
	g_object_unref(fm);
	return pdf_file_finish(s, path, part);
}
