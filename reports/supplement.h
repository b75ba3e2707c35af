#ifndef RIG_REPORTS_SUPPLEMENT_H
#define RIG_REPORTS_SUPPLEMENT_H

/*
 * A procedure's own analysis as a report section: headings, text, tables
 * of text cells and plots, in order. The verb that analysed the run (rig
 * msa: a gauge study's ANOVA, variance components and charts, docs/msa.md)
 * fills one; report.pdf prints it after the measurements, and the same
 * blocks make a page of their own (msa.html). The reports know nothing of
 * the analysis, only how to print what it found.
 */
#include <stddef.h>
#include <stdio.h>

#include "reports/plot.h"

#define SUPPLEMENT_MAX_COLUMNS 12

struct supplement_block {
	enum { SUPPLEMENT_HEADING, SUPPLEMENT_TEXT, SUPPLEMENT_VERDICT, SUPPLEMENT_TABLE,
	       SUPPLEMENT_FIGURE } kind;
	char *text;              /* heading, text, verdict; a figure's caption */
	char verdict_class[16];  /* verdict: acceptable, conditional, unacceptable */
	size_t ncol, nrow;       /* table */
	char *head[SUPPLEMENT_MAX_COLUMNS];
	double width[SUPPLEMENT_MAX_COLUMNS]; /* fractions of the page's width */
	char **cell;             /* nrow * ncol */
	struct plot_job job;     /* figure; what it points at is kept by the supplement */
};

struct report_supplement {
	char title[128];         /* the section's heading in report.pdf, the page's <h1> */
	struct supplement_block *block;
	size_t n, cap;
	void **kept;             /* memory the figures point into */
	size_t nkept, keptcap;
	int failed;              /* out of memory: some blocks are missing */
};

void supplement_init(struct report_supplement *s, const char *title);
void supplement_release(struct report_supplement *s);

/* Keep p (malloc'd) until the supplement is released; returns p. NULL
 * (a failed allocation) marks the supplement failed. */
void *supplement_keep(struct report_supplement *s, void *p);

void supplement_heading(struct report_supplement *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void supplement_text(struct report_supplement *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void supplement_verdict(struct report_supplement *s, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A table of ncol columns (at most SUPPLEMENT_MAX_COLUMNS) with these
 * headings and widths (fractions summing to 1; NULL: equal). */
void supplement_table(struct report_supplement *s, size_t ncol, const char *const *head,
		      const double *width);
/* A row of the last table: ncol cells. */
void supplement_row(struct report_supplement *s, const char *const *cells);
/* A plot; job is copied, the data it points at must be kept (supplement_keep). */
void supplement_figure(struct report_supplement *s, const struct plot_job *job,
		       const char *caption);

/* The blocks into an HTML page, headings at <hLEVEL>. */
void supplement_html_blocks(FILE *f, const struct report_supplement *s, int level);

/* The blocks as a page of their own (atomically at path), intro under the title. */
int supplement_write_html(const struct report_supplement *s, const char *intro, const char *path);

#endif
