/*
 * msa.html: a gauge study's own report in its run directory. The charts
 * are drawn by reports/plot.c, like the certification report's.
 */
#include "rig/verbs/msa_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"
#include "reports/msa_values.h"
#include "reports/plot.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

static double recorded(const struct run_record *r, const char *name)
{
	for (size_t i = 0; i < r->nsteps; i++)
		for (size_t k = 0; k < r->steps[i].nm; k++)
			if (!strcmp(r->steps[i].m[k].name, name) &&
			    !strncmp(r->steps[i].requirement, "MSA-", 4))
				return r->steps[i].m[k].mean;
	return NAN;
}

int msa_study_from_record(const struct run_record *r, struct msa_study *s)
{
	struct msa_values v;
	int rc;

	s->y = NULL;
	s->parts = s->operators = s->trials = s->n = 0;
	if ((rc = msa_values_from_record(r, &v)) != 0)
		return rc;
	if (v.grr != s->grr) {
		msa_values_release(&v);
		return rig_error(RIG_ERR_INVALID, "run %s holds no %s study", r->id,
				 s->grr ? "gauge R&R" : "Type 1");
	}
	if (v.missing) {
		msa_values_release(&v);
		return rig_error(RIG_ERR_INVALID, "run %s: %zu of the study's %zu measurements are "
				 "missing", r->id, v.missing, v.n);
	}
	snprintf(s->requirement, sizeof(s->requirement), "%s", v.requirement);
	snprintf(s->unit, sizeof(s->unit), "%s", v.m[0]->unit);
	s->parts = v.parts;
	s->operators = v.operators;
	s->trials = v.trials;
	s->n = v.n;
	if (!(s->y = malloc(s->n * sizeof(*s->y)))) {
		msa_values_release(&v);
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->n; i++)
		s->y[i] = msa_value(&v, i);
	msa_values_release(&v);
	s->tolerance = recorded(r, "tolerance");
	if (s->grr) {
		s->opt.tolerance = s->tolerance > 0 ? s->tolerance : NAN;
		return grr_anova(s->y, s->parts, s->operators, s->trials, &s->opt, &s->g);
	}
	return type1_study(s->y, s->n, s->reference, s->tolerance, s->sigmas, &s->t1);
}

void msa_study_release(struct msa_study *s)
{
	free(s->y);
	s->y = NULL;
}

/* ---- the page ---- */

static void num_cell(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "<td>%.6g</td>", v);
	else
		fputs("<td></td>", f);
}

static void num_cells(FILE *f, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		num_cell(f, v[i]);
}

static void anova_rows(FILE *f, const char *title, const struct anova_row *const rows[],
		       const char *const names[], size_t n)
{
	fprintf(f, "<h2>%s</h2>\n<table><tr><th>Source</th><th>DF</th><th>SS</th><th>MS</th>"
		   "<th>F</th><th>P</th></tr>\n", title);
	for (size_t i = 0; i < n; i++) {
		const double row[] = { rows[i]->ss, rows[i]->ms, rows[i]->f, rows[i]->p };

		fprintf(f, "<tr><td>%s</td><td>%.0f</td>", names[i], rows[i]->df);
		num_cells(f, row, 4);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void figure(FILE *f, const struct plot_job *job, const char *caption)
{
	fputs("<figure>", f);
	plot_html_figure(f, job);
	fprintf(f, "<figcaption>%s</figcaption></figure>\n", caption);
}

/* X-bar and R by operator: one subgroup per part and operator (its trials),
 * operator after operator; limits from R-bar and the range constants. */
static void xbar_r(FILE *f, const struct msa_study *s)
{
	size_t cells = s->parts * s->operators, k = 0;
	double *mean = calloc(cells, sizeof(double)), *range = calloc(cells, sizeof(double));
	double *lo = calloc(cells, sizeof(double)), *hi = calloc(cells, sizeof(double));
	double *rlo = calloc(cells, sizeof(double)), *rhi = calloc(cells, sizeof(double));
	unsigned char *flag = calloc(cells, 1);
	double grand = 0, rbar = 0, d2, d3;

	if (!mean || !range || !lo || !hi || !rlo || !rhi || !flag ||
	    stats_range_constants(s->trials, &d2, &d3) != 0)
		goto out;
	for (size_t o = 0; o < s->operators; o++)
		for (size_t p = 0; p < s->parts; p++, k++) {
			const double *y = s->y + (p * s->operators + o) * s->trials;
			double mn = y[0], mx = y[0], sum = 0;

			for (size_t t = 0; t < s->trials; t++) {
				sum += y[t];
				mn = fmin(mn, y[t]);
				mx = fmax(mx, y[t]);
			}
			mean[k] = sum / (double)s->trials;
			range[k] = mx - mn;
			grand += mean[k];
			rbar += range[k];
		}
	grand /= (double)cells;
	rbar /= (double)cells;
	for (k = 0; k < cells; k++) {
		double a2 = 3 / (d2 * sqrt((double)s->trials));

		lo[k] = grand - a2 * rbar;
		hi[k] = grand + a2 * rbar;
		rlo[k] = fmax(0, 1 - 3 * d3 / d2) * rbar;
		rhi[k] = (1 + 3 * d3 / d2) * rbar;
	}
	{
		struct control_chart xc = { "X-bar by operator", "part, operator after operator",
					    s->unit, mean, lo, hi, grand, flag, cells, NULL };
		struct control_chart rc = { "R by operator", "part, operator after operator",
					    s->unit, range, rlo, rhi, rbar, flag, cells, NULL };
		struct plot_job xj = { .kind = PLOT_CONTROL_CHART, .cc = &xc, .w = 520, .h = 200 };
		struct plot_job rj = { .kind = PLOT_CONTROL_CHART, .cc = &rc, .w = 520, .h = 200 };

		figure(f, &xj, "Each point is a part's mean over its trials, one operator after the "
			  "other. Limits from the ranges: a capable gauge puts most points outside "
			  "them (it sees the parts differ), and the operators' patterns agree.");
		figure(f, &rj, "Each point is the range of a part's trials: all inside the limit "
			  "and alike between operators means consistent repeatability.");
	}
out:
	free(mean);
	free(range);
	free(lo);
	free(hi);
	free(rlo);
	free(rhi);
	free(flag);
}

static void interaction(FILE *f, const struct msa_study *s)
{
	double *y = calloc(s->operators * s->parts, sizeof(double));
	char (*names)[32] = calloc(s->operators, sizeof(*names));
	const char **series = calloc(s->operators, sizeof(*series));

	if (y && names && series) {
		for (size_t o = 0; o < s->operators; o++) {
			snprintf(names[o], sizeof(names[o]), "operator %zu", o + 1);
			series[o] = names[o];
			for (size_t p = 0; p < s->parts; p++) {
				const double *c = s->y + (p * s->operators + o) * s->trials;
				double sum = 0;

				for (size_t t = 0; t < s->trials; t++)
					sum += c[t];
				y[o * s->parts + p] = sum / (double)s->trials;
			}
		}
		struct line_chart lc = { "Part x operator interaction", "part", s->unit, series,
					 s->operators, s->parts, y };
		struct plot_job j = { .kind = PLOT_LINE_CHART, .lc = &lc, .w = 520, .h = 220 };

		figure(f, &j, "Each operator's mean per part: parallel lines, no interaction; "
			  "crossing lines, the operators measure some parts differently.");
	}
	free(y);
	free(names);
	free(series);
}

static void components(FILE *f, const struct msa_study *s)
{
	static const enum grr_source order[] = { GRR_TOTAL_GRR, GRR_REPEATABILITY,
						 GRR_REPRODUCIBILITY, GRR_OPERATOR,
						 GRR_INTERACTION, GRR_PART, GRR_TOTAL };
	static const char *const groups[] = { "Gage R&R", "Repeat", "Reprod", "Part-to-Part" };
	static const enum grr_source bars[] = { GRR_TOTAL_GRR, GRR_REPEATABILITY,
						GRR_REPRODUCIBILITY, GRR_PART };
	static const char *const series[] = { "% Contribution", "% Study Var", "% Tolerance" };
	const struct grr_result *g = &s->g;
	double v[4 * 3];

	fprintf(f, "<h2>Variance components</h2>\n<table><tr><th>Source</th><th>VarComp</th>"
		   "<th>%%Contribution</th><th>StdDev</th><th>Study Var (%gσ)</th>"
		   "<th>%%Study Var</th><th>%%Tolerance</th></tr>\n", s->opt.k_sigma);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct grr_component *c = &g->c[order[i]];

		if (order[i] == GRR_INTERACTION && g->pooled)
			continue;
		const double row[] = { c->var, c->contribution, c->sd, c->study_var, c->pct_study,
				       c->pct_tol };

		fprintf(f, "<tr><td>%s</td>", grr_source_name(order[i]));
		num_cells(f, row, sizeof(row) / sizeof(row[0]));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	for (size_t i = 0; i < 4; i++) {
		v[i * 3] = g->c[bars[i]].contribution;
		v[i * 3 + 1] = g->c[bars[i]].pct_study;
		v[i * 3 + 2] = g->c[bars[i]].pct_tol;
	}
	struct bar_chart bc = { "Components of variation", "%", groups, series, 4, 3, v };
	struct plot_job j = { .kind = PLOT_BAR_CHART, .bc = &bc, .w = 520, .h = 220 };

	figure(f, &j, "A capable measurement system's variation is mostly part-to-part.");
}

static void grr_page(FILE *f, const struct msa_study *s)
{
	const struct grr_result *g = &s->g;
	const struct anova_row *full[] = { &g->part, &g->oper, &g->inter, &g->repeat, &g->total };
	const struct anova_row *red[] = { &g->part_r, &g->oper_r, &g->repeat_r, &g->total };
	static const char *const fn[] = { "Part", "Operator", "Part × Operator", "Repeatability",
					  "Total" };
	static const char *const rn[] = { "Part", "Operator", "Repeatability", "Total" };

	fprintf(f, "<p class=\"verdict %s\">%%GRR %.2f %% · ndc %d · %s</p>\n",
		grr_verdict_name(g->verdict), g->pct_grr, g->ndc, grr_verdict_name(g->verdict));
	fprintf(f, "<p>%zu parts × %zu operators × %zu trials; tolerance %g %s; %%GRR &lt; 10 %% "
		   "acceptable, 10–30 %% conditional, &gt; 30 %% or ndc &lt; 5 unacceptable "
		   "(AIAG MSA 4th ed.).</p>\n", g->parts, g->operators, g->trials, s->tolerance,
		s->unit);
	anova_rows(f, "Two-way ANOVA with interaction", full, fn, 5);
	fprintf(f, "<p>Part and Operator are tested against Part × Operator (random effects). "
		   "Interaction p %.4g %s α = %g: %s.</p>\n", g->inter.p,
		g->pooled ? "≥" : "<", s->opt.alpha_interaction,
		g->pooled ? "pooled into repeatability" : "kept");
	if (g->pooled)
		anova_rows(f, "Two-way ANOVA without interaction", red, rn, 4);
	components(f, s);
	xbar_r(f, s);
	interaction(f, s);
}

static void type1_page(FILE *f, const struct msa_study *s)
{
	const struct type1_result *t = &s->t1;
	struct measurement m;
	struct plot_job j = { .kind = PLOT_RUN_CHART, .x = s->y, .n = s->n, .m = &m,
			      .w = 520, .h = 200 };

	fprintf(f, "<p class=\"verdict %s\">Cg %.3f · Cgk %.3f · %s</p>\n",
		t->capable ? "acceptable" : "unacceptable", t->cg, t->cgk,
		t->capable ? "capable" : "not capable");
	fprintf(f, "<table><tr><th>n</th><th>reference</th><th>mean</th><th>sd</th><th>bias</th>"
		   "<th>t</th><th>p</th><th>tolerance</th><th>convention</th></tr>\n<tr>"
		   "<td>%zu</td>", t->n);
	const double row[] = { t->reference, t->mean, t->sd, t->bias, t->t, t->p, t->tolerance };

	num_cells(f, row, sizeof(row) / sizeof(row[0]));
	fprintf(f, "<td>Cg = 0.2 T / (%d s), Cgk = (0.1 T − |bias|) / (%d s)</td></tr></table>\n",
		t->sigmas, t->sigmas / 2);
	measurement_init(&m);
	snprintf(m.name, sizeof(m.name), "%s", s->requirement);
	snprintf(m.unit, sizeof(m.unit), "%s", s->unit);
	m.target = t->reference;
	m.mean = t->mean;
	m.lsl = t->reference - t->percent / 200 * t->tolerance;
	m.usl = t->reference + t->percent / 200 * t->tolerance;
	figure(f, &j, "Type 1 run chart: every trial in order, the reference (grey), the mean, "
		  "and the reference ± 10 % of the tolerance (red).");
}

int msa_report_html(const char *path, const struct msa_study *s, const struct run_record *r)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>", f);
	markup_printf(f, "%s study %s", s->grr ? "Gauge R&R" : "Type 1", r->id);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
	      "padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
	      ".verdict{font-size:1.3em;font-weight:bold}.acceptable{color:#176}"
	      ".conditional{color:#a60}.unacceptable{color:#b11}figure{margin:1em 0}"
	      "</style></head><body>\n<h1>", f);
	markup_printf(f, "%s study: %s", s->grr ? "Gauge R&R (ANOVA method)" : "Type 1 gauge",
		      s->requirement);
	fputs("</h1>\n<p>", f);
	markup_printf(f, "Station %s, run %s, started %s, operator %s. The values are the means of "
		      "the study's bursts in result.json; docs/msa.md explains every figure.",
		      r->station, r->id, r->started, r->operator_name);
	fputs("</p>\n", f);
	if (s->grr)
		grr_page(f, s);
	else
		type1_page(f, s);
	fputs("</body></html>\n", f);
	if (ferror(f)) {
		file_replace_abandon(f, path);
		return rig_error(RIG_ERR_IO, "%s: write failed", path);
	}
	return file_replace_commit(f, path);
}
