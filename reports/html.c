/*
 * report.html: one self-contained file (no network, no scripts), readable
 * offline and printable. Plots are SVG documents drawn by reports/plot.c,
 * embedded as data: URIs so the ids inside each stay private to it.
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "reports/budget_rows.h"
#include "reports/content.h"
#include "reports/format.h"
#include "reports/markup.h"
#include "reports/reports.h"
#include "reports/supplement.h"
#include "rig/base/audit.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

static const char style[] =
	"<style>\n"
	"@page { size: A4; margin: 14mm; }\n"
	"body { font: 10pt 'DejaVu Sans', sans-serif; color: #222; max-width: 190mm; margin: auto; }\n"
	"h1 { font-size: 15pt; margin-bottom: 2pt; } h2 { font-size: 12pt; border-bottom: 1px solid #999; }\n"
	"h3 { font-size: 10.5pt; margin: 10pt 0 2pt; page-break-after: avoid; }\n"
	"table { border-collapse: collapse; width: 100%; margin: 4pt 0; }\n"
	"th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; font-size: 8.5pt; }\n"
	"th { background: #eee; } td.num { text-align: right; white-space: nowrap; }\n"
	"table.facts th { width: 28%; } .hash { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; word-break: break-all; }\n"
	".verdict { font-size: 18pt; font-weight: bold; padding: 6pt 10pt; margin: 8pt 0; border: 2px solid; }\n"
	".PASS { color: #0a5c2a; border-color: #0a5c2a; background: #e6f4ea; }\n"
	".FAIL, .ERROR, .ABORTED { color: #9b1111; border-color: #9b1111; background: #fbe9e9; }\n"
	".INDETERMINATE, .NONE { color: #8a5300; border-color: #8a5300; background: #fdf3e1; }\n"
	"td.PASS, td.FAIL, td.ERROR, td.ABORTED, td.INDETERMINATE, td.NONE { font-weight: bold; }\n"
	".figures { display: flex; flex-wrap: wrap; gap: 4pt; page-break-inside: avoid; }\n"
	".figures img { width: 92mm; border: 1px solid #ddd; }\n"
	".trace { font-size: 8pt; color: #444; margin: 1pt 0; }\n"
	".step { page-break-inside: avoid; }\n"
	"footer { margin-top: 14pt; font-size: 8pt; color: #555; border-top: 1px solid #999; }\n"
	".INCOMPLETE { color: #8a5300; border-color: #8a5300; background: #fdf3e1; }\n"
	"td.INCOMPLETE, td.SHORT, td.MISSING { font-weight: bold; color: #8a5300; }\n"
	".sim { position: fixed; top: 0; left: 0; right: 0; text-align: center; font-weight: bold; "
	"color: #fff; background: #b35900; padding: 2pt; font-size: 9pt; z-index: 9; }\n"
	"body.simrun { padding-top: 18pt; }\n"
	"nav ol { columns: 2; font-size: 8.5pt; margin: 2pt 0; } .rule p { font-size: 8.5pt; margin: 3pt 0; }\n"
	"table.decision th { width: 22%; font-weight: normal; } .flag { color: #9b1111; font-weight: bold; }\n"
	"</style>\n";

static void cell(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	markup_text(f, text);
	fputs("</td>", f);
}

/* Each quantity's GUM budget, when the fixture combines its U from one
 * (docs/msa.md): the guard band's derivation, component by component. */
static void uncertainty_budgets(FILE *f, const struct fixture *fx)
{
	for (size_t i = 0; i < fx->nuncertainties; i++) {
		const struct fixture_budget *b = &fx->uncertainties[i].budget;
		char sum[300];

		if (!b->n)
			continue;
		fputs("<h2>Uncertainty budget: ", f);
		markup_text(f, fx->uncertainties[i].quantity);
		fputs("</h2>\n<table>\n<tr>", f);
		for (size_t c = 0; c < BUDGET_COLUMNS; c++) {
			fputs("<th>", f);
			markup_text(f, budget_columns[c]);
			fputs("</th>", f);
		}
		fputs("</tr>\n", f);
		for (size_t j = 0; j < b->n; j++) {
			struct budget_row row;

			budget_row(b, j, &row);
			fputs("<tr>", f);
			for (size_t c = 0; c < BUDGET_COLUMNS; c++)
				cell(f, NULL, row.cell[c]);
			fputs("</tr>\n", f);
		}
		budget_summary(b, sum, sizeof(sum));
		fputs("</table>\n<p>", f);
		markup_text(f, sum);
		fputs("</p>\n", f);
	}
}

static void header(FILE *f, const struct run_record *r, const struct fixture *fx)
{
	struct fact facts[CONTENT_MAX_FACTS];
	struct instrument_row ins[FIXTURE_MAX_CHANNELS + 1];
	size_t n = content_facts(r, fx, facts);

	fputs("<h2 id=\"run\">Run, unit and station</h2>\n<table class=\"facts\">\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><th>", f);
		markup_text(f, facts[i].label);
		fputs("</th>", f);
		cell(f, strstr(facts[i].value, "SHA-256") ? "hash" : NULL, facts[i].value);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2 id=\"instruments\">Instruments and calibration</h2>\n<table>\n<tr><th>channel</th>"
	      "<th>unit</th><th>instrument</th><th>certificate</th><th>issuer</th><th>calibrated</th>"
	      "<th>due</th></tr>\n",
	      f);
	n = content_instruments(fx, ins, sizeof(ins) / sizeof(ins[0]));
	for (size_t i = 0; i < n; i++) {
		fputs("<tr>", f);
		cell(f, NULL, ins[i].channel);
		cell(f, NULL, ins[i].unit);
		cell(f, NULL, ins[i].model);
		cell(f, NULL, ins[i].cert);
		cell(f, NULL, ins[i].issuer);
		cell(f, NULL, ins[i].calibrated);
		cell(f, NULL, ins[i].due);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	uncertainty_budgets(f, fx);
}

static void verdict_banner(FILE *f, const struct run_record *r)
{
	fprintf(f, "<div class=\"verdict %s\">Overall verdict: %s", verdict_name(r->verdict),
		verdict_name(r->verdict));
	if (r->error[0] || r->verdict == VERDICT_INCOMPLETE) {
		fputs("<div style=\"font-size:9pt;font-weight:normal\">", f);
		if (r->error[0])
			markup_text(f, r->error);
		else
			markup_printf(f, "every judgement passed, but the run did not cover spec %s: "
				      "see Coverage and Deviations", r->spec.name);
		fputs("</div>", f);
	}
	fputs("</div>\n", f);
}

static void requirement_table(FILE *f, const struct run_record *r)
{
	fputs("<h2 id=\"requirements\">Requirements in detail</h2>\n<table>\n<tr><th>requirement</th><th>setting</th>"
	      "<th>quantity</th><th>n</th><th>measured</th><th>limits</th><th>tolerance interval"
	      "</th><th>Cpk (95 % lower)</th><th>U</th><th>verdict</th></tr>\n", f);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *s = &r->steps[i];

		for (size_t j = 0; j < s->nm; j++) {
			struct table_row row;
			char n[24];

			content_row(s, &s->m[j], &row);
			snprintf(n, sizeof(n), "%zu", row.n);
			fputs("<tr>", f);
			cell(f, NULL, row.requirement);
			cell(f, NULL, row.setting);
			cell(f, NULL, row.name);
			cell(f, "num", n);
			cell(f, NULL, row.measured);
			cell(f, NULL, row.limits);
			cell(f, NULL, row.ti);
			cell(f, "num", row.cpk);
			cell(f, "num", row.u);
			cell(f, verdict_name(row.verdict), verdict_name(row.verdict));
			fputs("</tr>\n", f);
			if (row.verdict != VERDICT_PASS && row.reason[0]) {
				fputs("<tr><td></td><td colspan=\"9\">", f);
				markup_text(f, row.reason);
				fputs("</td></tr>\n", f);
			}
		}
		if (s->error[0] || s->nm == 0) {
			fputs("<tr>", f);
			cell(f, NULL, s->requirement);
			cell(f, NULL, s->label);
			fputs("<td colspan=\"7\">", f);
			markup_text(f, s->error[0] ? s->error : "nothing judged");
			fputs("</td>", f);
			cell(f, verdict_name(s->verdict), verdict_name(s->verdict));
			fputs("</tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

static const char *figure_name(const struct plot_job *job)
{
	return job->kind == PLOT_HISTOGRAM	   ? "histogram"
	       : job->kind == PLOT_RUN_CHART	   ? "run chart"
	       : job->kind == PLOT_CONTROL_CHART ? "control chart"
	       : job->kind == PLOT_LINE_CHART	   ? "line chart"
	       : job->kind == PLOT_BAR_CHART	   ? "bar chart"
						   : "raw shot waveform";
}

/* A figure that cannot be drawn leaves its reason where it would have been:
 * a reader sees that something is missing and why, never a silent gap. */
void plot_html_figure(FILE *f, const struct plot_job *job)
{
	unsigned char *svg = NULL;
	size_t len;
	char *b64 = NULL;
	size_t b64len;

	if (plot_svg(job, &svg, &len) == 0) {
		b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
		b64 = malloc(b64len);
		if (!b64)
			rig_error(RIG_ERR_NOMEM, "out of memory");
	}
	if (b64) {
		sodium_bin2base64(b64, b64len, svg, len, sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "<img alt=\"%s\" src=\"data:image/svg+xml;base64,%s\">\n",
			figure_name(job), b64);
		free(b64);
	} else {
		fputs("<p class=\"trace\">", f);
		markup_printf(f, "The %s could not be drawn: %s", figure_name(job),
			      rig_last_error());
		fputs("</p>\n", f);
	}
	free(svg);
}

/* Rows of label and value under a title spanning both columns. */
static void fact_table(FILE *f, const char *title, const struct fact *rows, size_t n)
{
	fputs("<table class=\"decision\">\n<tr><th colspan=\"2\"><b>", f);
	markup_text(f, title);
	fputs("</b></th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><th>", f);
		markup_text(f, rows[i].label);
		fputs("</th>", f);
		cell(f, NULL, rows[i].value);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void decision_table(FILE *f, const struct measurement *m)
{
	struct decision_row d;

	content_decision(m, &d);
	fact_table(f, d.title, d.row, CONTENT_DECISION_ROWS);
}

static void grav_table(FILE *f, const struct step_record *s, const struct fixture *fx)
{
	struct fact g[CONTENT_MAX_GRAV];
	size_t n = content_gravimetric(s, fx, g);

	if (n)
		fact_table(f, "Gravimetric volume (ISO 8655-6)", g, n);
}

/* Per capture, what the sensors were like (content_signal_row). */
static void signal_table(FILE *f, const struct step_record *s)
{
	struct signal_row row;
	int any = 0;

	for (size_t i = 0; i < s->ncaptures; i++) {
		if (!content_signal_row(&s->captures[i], &row))
			continue;
		if (!any++) {
			fputs("<table class=\"signal\">\n<tr><th colspan=\"8\"><b>Signal quality</b>"
			      "</th></tr>\n<tr>", f);
			for (size_t c = 0; c < CONTENT_SIGNAL_COLS; c++) {
				fputs("<th>", f);
				markup_text(f, content_signal_head[c]);
				fputs("</th>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("<tr>", f);
		for (size_t c = 0; c < CONTENT_SIGNAL_COLS; c++)
			cell(f, c + 1 == CONTENT_SIGNAL_COLS && row.flag ? "flag" : "num", row.cell[c]);
		fputs("</tr>\n", f);
	}
	if (any) {
		fputs("</table>\n<p class=\"trace\">", f);
		markup_text(f, content_signal_note);
		fputs("</p>\n", f);
	}
}

static void summary_first(FILE *f, const struct run_record *r)
{
	struct requirement_line lines[32];
	size_t n = content_requirement_lines(r, lines, 32);

	fputs("<h2 id=\"summary\">Requirement summary</h2>\n<table>\n<tr><th>requirement</th>"
	      "<th>verdict</th><th>worst margin</th><th>judgements</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		char k[24];

		snprintf(k, sizeof(k), "%zu", lines[i].measurements);
		fputs("<tr>", f);
		cell(f, NULL, lines[i].id);
		cell(f, verdict_name(lines[i].verdict), lines[i].measurements || lines[i].verdict
								? verdict_name(lines[i].verdict) : "NOT RUN");
		cell(f, NULL, lines[i].margin);
		cell(f, "num", k);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void toc(FILE *f, const struct run_record *r)
{
	static const char *const parts[][2] = {
		{ "summary", "Requirement summary" }, { "rule", "Decision rule" },
		{ "coverage", "Coverage of the specification" }, { "deviations", "Deviations" },
		{ "run", "Run, unit and station" }, { "instruments", "Instruments and calibration" },
		{ "requirements", "Requirements in detail" }, { "measurements", "Measurements" },
	};

	fputs("<nav><h2>Contents</h2><ol>\n", f);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		fprintf(f, "<li><a href=\"#%s\">%s</a></li>\n", parts[i][0], parts[i][1]);
	for (size_t i = 0; i < r->nsteps; i++) {
		fprintf(f, "<li><a href=\"#step-%zu\">", i + 1);
		markup_printf(f, "%s %s", r->steps[i].id, verdict_name(r->steps[i].verdict));
		fputs("</a></li>\n", f);
	}
	fputs("</ol></nav>\n", f);
}

static void decision_rule(FILE *f)
{
	fputs("<h2 id=\"rule\">Decision rule</h2>\n<div class=\"rule\">\n", f);
	for (size_t i = 0; content_decision_rule[i]; i++) {
		fputs("<p>", f);
		markup_text(f, content_decision_rule[i]);
		fputs("</p>\n", f);
	}
	fputs("</div>\n", f);
}

static void coverage(FILE *f, const struct run_record *r)
{
	struct coverage_row rows[SPEC_MAX_REQUIREMENTS * SPEC_MAX_VALUES];
	size_t n = audit_coverage(r, rows, sizeof(rows) / sizeof(rows[0]));

	fputs("<h2 id=\"coverage\">Coverage of the specification</h2>\n", f);
	if (!r->spec.name[0]) {
		fputs("<p class=\"flag\">", f);
		markup_text(f, content_no_spec);
		fputs("</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>requirement</th><th>setting</th><th>shots required</th>"
	      "<th>shots measured</th><th>status</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		char req[32], got[48];

		content_coverage_cells(&rows[i], req, got);
		fputs("<tr>", f);
		cell(f, NULL, rows[i].requirement);
		cell(f, NULL, rows[i].setting);
		cell(f, "num", req);
		cell(f, "num", got);
		cell(f, coverage_status_name(rows[i].status), coverage_status_name(rows[i].status));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void deviations(FILE *f, const struct run_record *r)
{
	struct deviation d[64];
	size_t n = audit_deviations(r, d, 64);

	fputs("<h2 id=\"deviations\">Deviations</h2>\n", f);
	if (!n) {
		fputs("<p>", f);
		markup_text(f, content_no_deviations);
		fputs("</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>kind</th><th>step</th><th>what</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr>", f);
		cell(f, NULL, d[i].kind);
		cell(f, NULL, d[i].step);
		cell(f, NULL, d[i].text);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void steps(FILE *f, const struct run_record *r, const struct fixture *fx)
{
	fputs("<h2 id=\"measurements\">Measurements</h2>\n", f);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *s = &r->steps[i];
		struct step_figures fig;
		char trace[512];

		content_figures(r->out_dir, s, &fig);
		fprintf(f, "<div class=\"step\"><h3 id=\"step-%zu\">%s ", i + 1, verdict_name(s->verdict));
		markup_printf(f, "%s: %s (%s to %s, %zu shots)", s->id, s->label, s->started,
			      s->ended, s->nshots);
		fputs("</h3>\n", f);
		for (size_t k = 0; k < fig.ntraced; k++) {
			format_traceability(fx, fig.traced[k], trace, sizeof(trace));
			decision_table(f, fig.traced[k]);
			fprintf(f, "<p class=\"trace%s\">", strstr(trace, "NOT TRACEABLE") ? " flag" : "");
			markup_printf(f, "%s: %s", fig.traced[k]->name, trace);
			fputs("</p>\n", f);
		}
		grav_table(f, s, fx);
		/* Under the step's decisions and before its plots. */
		signal_table(f, s);
		fputs("<div class=\"figures\">\n", f);
		for (size_t k = 0; k < fig.njobs; k++)
			plot_html_figure(f, &fig.job[k]);
		fputs("</div>\n", f);
		if (!fig.have_wf) {
			fputs("<p class=\"trace\">", f);
			markup_text(f, fig.wf_error);
			fputs("</p>\n", f);
		}
		fputs("</div>\n", f);
		content_figures_release(&fig);
	}
}

/* A procedure's own section (a gauge study: reports/supplement.h). */
static void supplement(FILE *f, const struct report_supplement *sup)
{
	if (!sup || !sup->n)
		return;
	fputs("<h2 id=\"study\">", f);
	markup_text(f, sup->title);
	fputs("</h2>\n", f);
	supplement_html_blocks(f, sup, 3);
}

int report_html(const struct run_record *r, const struct fixture *fx, const char *path)
{
	return report_html_supplemented(r, fx, NULL, path);
}

int report_html_supplemented(const struct run_record *r, const struct fixture *fx,
			     const struct report_supplement *sup, const char *path)
{
	FILE *f;
	char sim[160];
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	markup_printf(f, "%s %s %s: %s", r->uut.model, r->uut.serial, r->id,
		      verdict_name(r->verdict));
	fputs("</title>\n", f);
	fputs(style, f);
	content_sim_banner(r, sim, sizeof(sim));
	fprintf(f, "</head>\n<body%s>\n", sim[0] ? " class=\"simrun\"" : "");
	if (sim[0]) { /* position: fixed repeats it on every printed page */
		fputs("<div class=\"sim\">", f);
		markup_text(f, sim);
		fputs("</div>\n", f);
	}
	fputs("<h1>Certification report: ", f);
	markup_printf(f, "%s %s", r->uut.model, r->uut.serial);
	fputs("</h1>\n", f);
	verdict_banner(f, r);
	summary_first(f, r);
	toc(f, r);
	decision_rule(f);
	coverage(f, r);
	deviations(f, r);
	header(f, r, fx);
	requirement_table(f, r);
	steps(f, r, fx);
	supplement(f, sup);
	fputs("<footer>This report is one artifact of the run directory. MANIFEST lists the "
	      "SHA-256 of every artifact (this file, the journal, the raw captures) and "
	      "MANIFEST.sig is the station's Ed25519 signature of it; electronic signatures of "
	      "review and approval are in signatures/ (their page: signatures/page.pdf). Check "
	      "all of it with <code>rig verify DIR</code> (the station's key trusted: rig "
	      "trust add); re-measure any step with <code>rig measure "
	      "captures/FILE.rcap</code>.</footer>\n</body>\n</html>\n", f);
	return file_replace_commit(f, path);
}
