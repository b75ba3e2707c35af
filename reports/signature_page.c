#include "reports/signature_page.h"

#include <cairo-pdf.h>
#include <stdio.h>
#include <unistd.h>

#include "reports/approval.h"
#include "reports/markup.h"
#include "reports/pdf_file.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 40.0
#define FONT "DejaVu Sans"

static int write_html(const char *path, const struct approval_record *r, size_t n)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
	markup_printf(f, "Electronic signatures, run %s", r[0].run);
	fputs("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
	      "collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style>\n"
	      "</head><body>\n<h1>", f);
	markup_printf(f, "Electronic signatures, run %s", r[0].run);
	fputs("</h1>\n<p>Each signature below is an Ed25519 signature by the signer's personal "
	      "key of its record in this folder (docs/reports.md), bound to the run's MANIFEST "
	      "(SHA-256 ", f);
	markup_text(f, r[0].manifest);
	fputs(").</p>\n<table>\n<tr><th>#</th><th>Printed name</th><th>Date and time (UTC)"
	      "</th><th>Meaning</th><th>Key ID</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<tr><td>%ld</td><td>", r[i].seq);
		markup_text(f, r[i].name);
		fputs("</td><td>", f);
		markup_text(f, r[i].time);
		fputs("</td><td>", f);
		markup_text(f, r[i].meaning);
		fputs("</td><td>", f);
		markup_text(f, r[i].key_id);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
	return file_replace_commit(f, path);
}

static void text_at(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static int write_pdf(const char *path, const struct approval_record *r, size_t n)
{
	static const double col[] = { MARGIN, MARGIN + 22, MARGIN + 200, MARGIN + 320,
				      MARGIN + 390 };
	char part[4200], buf[160];
	cairo_surface_t *s;
	cairo_t *cr;
	double y = MARGIN + 20;

	if (file_part_path(path, part, sizeof(part)) != 0)
		return RIG_ERR_INVALID;
	s = cairo_pdf_surface_create(part, PAGE_W, PAGE_H);
	snprintf(buf, sizeof(buf), "Electronic signatures, run %s", r[0].run);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, buf);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "rig " RIG_VERSION);
	/* A fixed date: the page's bytes depend only on the signatures. */
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	text_at(cr, MARGIN, y, 14, 1, buf);
	y += 20;
	snprintf(buf, sizeof(buf), "bound to MANIFEST SHA-256 %s", r[0].manifest);
	text_at(cr, MARGIN, y, 7, 0, buf);
	y += 24;
	for (size_t i = 0; i <= n; i++) {
		const char *cells[5];
		char seq[24];

		if (y > PAGE_H - MARGIN) {
			cairo_show_page(cr);
			y = MARGIN + 20;
		}
		snprintf(seq, sizeof(seq), "%ld", i ? r[i - 1].seq : 0);
		cells[0] = i ? seq : "#";
		cells[1] = i ? r[i - 1].name : "Printed name";
		cells[2] = i ? r[i - 1].time : "Date and time (UTC)";
		cells[3] = i ? r[i - 1].meaning : "Meaning";
		cells[4] = i ? r[i - 1].key_id : "Key ID";
		for (int c = 0; c < 5; c++)
			text_at(cr, col[c], y, 9, i == 0, cells[c]);
		y += 16;
	}
	cairo_destroy(cr);
	return pdf_file_finish(s, path, part);
}

int signature_page_write(const char *dir, const struct approval_record *r, size_t n,
			 char html_sha256[65], char pdf_sha256[65])
{
	char html[4400], pdf[4400];
	int rc;

	if (path_join(html, sizeof(html), dir, "page.html") != 0 ||
	    path_join(pdf, sizeof(pdf), dir, "page.pdf") != 0)
		return RIG_ERR_INVALID;
	if ((rc = write_html(html, r, n)) == 0 && (rc = write_pdf(pdf, r, n)) == 0 &&
	    (rc = file_sha256_hex(html, html_sha256)) == 0)
		rc = file_sha256_hex(pdf, pdf_sha256);
	return rc;
}
