#include "reports/supplement.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

void supplement_init(struct report_supplement *s, const char *title)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->title, sizeof(s->title), "%s", title);
}

void supplement_release(struct report_supplement *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct supplement_block *b = &s->block[i];

		free(b->text);
		for (size_t c = 0; c < b->ncol; c++)
			free(b->head[c]);
		for (size_t c = 0; c < b->nrow * b->ncol; c++)
			free(b->cell[c]);
		free(b->cell);
	}
	for (size_t i = 0; i < s->nkept; i++)
		free(s->kept[i]);
	free(s->block);
	free(s->kept);
	memset(s, 0, sizeof(*s));
}

void *supplement_keep(struct report_supplement *s, void *p)
{
	if (!p) {
		s->failed = 1;
		return NULL;
	}
	if (s->nkept == s->keptcap) {
		size_t cap = s->keptcap ? 2 * s->keptcap : 16;
		void **k = realloc(s->kept, cap * sizeof(*k));

		if (!k) {
			free(p);
			s->failed = 1;
			return NULL;
		}
		s->kept = k;
		s->keptcap = cap;
	}
	return s->kept[s->nkept++] = p;
}

static struct supplement_block *add(struct report_supplement *s, int kind)
{
	struct supplement_block *b;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		if (!(b = realloc(s->block, cap * sizeof(*b)))) {
			s->failed = 1;
			return NULL;
		}
		s->block = b;
		s->cap = cap;
	}
	b = &s->block[s->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

static void text_block(struct report_supplement *s, int kind, const char *cls, const char *fmt,
		       va_list ap)
{
	struct supplement_block *b = add(s, kind);

	if (!b)
		return;
	if (vasprintf(&b->text, fmt, ap) < 0) {
		b->text = NULL;
		s->n--;
		s->failed = 1;
		return;
	}
	snprintf(b->verdict_class, sizeof(b->verdict_class), "%s", cls ? cls : "");
}

void supplement_heading(struct report_supplement *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_block(s, SUPPLEMENT_HEADING, NULL, fmt, ap);
	va_end(ap);
}

void supplement_text(struct report_supplement *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_block(s, SUPPLEMENT_TEXT, NULL, fmt, ap);
	va_end(ap);
}

void supplement_verdict(struct report_supplement *s, const char *cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_block(s, SUPPLEMENT_VERDICT, cls, fmt, ap);
	va_end(ap);
}

void supplement_table(struct report_supplement *s, size_t ncol, const char *const *head,
		      const double *width)
{
	struct supplement_block *b;

	if (ncol == 0 || ncol > SUPPLEMENT_MAX_COLUMNS || !(b = add(s, SUPPLEMENT_TABLE))) {
		s->failed = 1;
		return;
	}
	b->ncol = ncol;
	for (size_t c = 0; c < ncol; c++) {
		b->width[c] = width ? width[c] : 1.0 / (double)ncol;
		if (!(b->head[c] = strdup(head[c])))
			s->failed = 1;
	}
}

void supplement_row(struct report_supplement *s, const char *const *cells)
{
	struct supplement_block *b = s->n ? &s->block[s->n - 1] : NULL;
	char **grown;

	if (!b || b->kind != SUPPLEMENT_TABLE) {
		s->failed = 1;
		return;
	}
	if (!(grown = realloc(b->cell, (b->nrow + 1) * b->ncol * sizeof(*grown)))) {
		s->failed = 1;
		return;
	}
	b->cell = grown;
	for (size_t c = 0; c < b->ncol; c++)
		if (!(grown[b->nrow * b->ncol + c] = strdup(cells[c] ? cells[c] : "")))
			s->failed = 1;
	b->nrow++;
}

void supplement_figure(struct report_supplement *s, const struct plot_job *job,
		       const char *caption)
{
	struct supplement_block *b = add(s, SUPPLEMENT_FIGURE);

	if (!b)
		return;
	b->job = *job;
	if (!(b->text = strdup(caption)))
		s->failed = 1;
}

void supplement_html_blocks(FILE *f, const struct report_supplement *s, int level)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct supplement_block *b = &s->block[i];

		switch (b->kind) {
		case SUPPLEMENT_HEADING:
			fprintf(f, "<h%d>", level);
			markup_text(f, b->text);
			fprintf(f, "</h%d>\n", level);
			break;
		case SUPPLEMENT_TEXT:
		case SUPPLEMENT_VERDICT:
			if (b->kind == SUPPLEMENT_VERDICT)
				fprintf(f, "<p class=\"verdict %s\">", b->verdict_class); /* ours: a word */
			else
				fputs("<p>", f);
			markup_text(f, b->text);
			fputs("</p>\n", f);
			break;
		case SUPPLEMENT_TABLE:
			fputs("<table><tr>", f);
			for (size_t c = 0; c < b->ncol; c++) {
				fputs("<th>", f);
				markup_text(f, b->head[c]);
				fputs("</th>", f);
			}
			fputs("</tr>\n", f);
			for (size_t r = 0; r < b->nrow; r++) {
				fputs("<tr>", f);
				for (size_t c = 0; c < b->ncol; c++) {
					fputs("<td>", f);
					markup_text(f, b->cell[r * b->ncol + c]);
					fputs("</td>", f);
				}
				fputs("</tr>\n", f);
			}
			fputs("</table>\n", f);
			break;
		case SUPPLEMENT_FIGURE:
			fputs("<figure>", f);
			plot_html_figure(f, &b->job);
			fputs("<figcaption>", f);
			markup_text(f, b->text);
			fputs("</figcaption></figure>\n", f);
			break;
		}
	}
}

int supplement_write_html(const struct report_supplement *s, const char *intro, const char *path)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>", f);
	markup_text(f, s->title);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
	      "padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
	      ".verdict{font-size:1.3em;font-weight:bold}.acceptable{color:#176}"
	      ".conditional{color:#a60}.unacceptable{color:#b11}figure{margin:1em 0}"
	      "</style></head><body>\n<h1>", f);
	markup_text(f, s->title);
	fputs("</h1>\n<p>", f);
	markup_text(f, intro);
	fputs("</p>\n", f);
	supplement_html_blocks(f, s, 2);
	fputs("</body></html>\n", f);
	if (ferror(f)) {
		file_replace_abandon(f, path);
		return rig_error(RIG_ERR_IO, "%s: write failed", path);
	}
	return file_replace_commit(f, path);
}
