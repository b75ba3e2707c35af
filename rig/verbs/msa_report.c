/*
 * A gauge study's own report: taken from the run's record, analysed, and
 * made a report section (reports/supplement.h) that report.pdf prints and
 * msa.html holds. The charts are drawn by reports/plot.c, like the
 * certification report's.
 */
#include "rig/verbs/msa_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/msa_values.h"
#include "reports/plot.h"
#include "reports/supplement.h"
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

/* ---- the study as a report section (report.pdf, msa.html) ---- */

static void num_text(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%.6g", v);
	else
		buf[0] = '\0';
}

static void anova_rows(struct report_supplement *sup, const char *title,
		       const struct anova_row *const rows[], const char *const names[], size_t n)
{
	static const char *const head[] = { "Source", "DF", "SS", "MS", "F", "P" };
	static const double width[] = { 0.25, 0.07, 0.17, 0.17, 0.17, 0.17 };

	supplement_heading(sup, "%s", title);
	supplement_table(sup, 6, head, width);
	for (size_t i = 0; i < n; i++) {
		char cell[5][32];
		const char *cells[6] = { names[i], cell[0], cell[1], cell[2], cell[3], cell[4] };

		snprintf(cell[0], sizeof(cell[0]), "%.0f", rows[i]->df);
		num_text(cell[1], sizeof(cell[1]), rows[i]->ss);
		num_text(cell[2], sizeof(cell[2]), rows[i]->ms);
		num_text(cell[3], sizeof(cell[3]), rows[i]->f);
		num_text(cell[4], sizeof(cell[4]), rows[i]->p);
		supplement_row(sup, cells);
	}
}

/* A figure whose chart and data live as long as the supplement. */
static double *kept_doubles(struct report_supplement *sup, size_t n)
{
	return supplement_keep(sup, calloc(n ? n : 1, sizeof(double)));
}

/* X-bar and R by operator: one subgroup per part and operator (its trials),
 * operator after operator; limits from R-bar and the range constants. */
static void xbar_r(struct report_supplement *sup, const struct msa_study *s)
{
	size_t cells = s->parts * s->operators, k = 0;
	double *mean = kept_doubles(sup, cells), *range = kept_doubles(sup, cells);
	double *lo = kept_doubles(sup, cells), *hi = kept_doubles(sup, cells);
	double *rlo = kept_doubles(sup, cells), *rhi = kept_doubles(sup, cells);
	unsigned char *flag = supplement_keep(sup, calloc(cells ? cells : 1, 1));
	struct control_chart *xc = supplement_keep(sup, calloc(2, sizeof(*xc)));
	double grand = 0, rbar = 0, d2, d3;

	if (!mean || !range || !lo || !hi || !rlo || !rhi || !flag || !xc ||
	    stats_range_constants(s->trials, &d2, &d3) != 0)
		return;
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
	xc[0] = (struct control_chart){ "X-bar by operator", "part, operator after operator",
					s->unit, mean, lo, hi, grand, flag, cells, NULL };
	xc[1] = (struct control_chart){ "R by operator", "part, operator after operator",
					s->unit, range, rlo, rhi, rbar, flag, cells, NULL };
	supplement_figure(sup, &(struct plot_job){ .kind = PLOT_CONTROL_CHART, .cc = &xc[0],
						   .w = 520, .h = 200 },
			  "Each point is a part's mean over its trials, one operator after the "
			  "other. Limits from the ranges: a capable gauge puts most points outside "
			  "them (it sees the parts differ), and the operators' patterns agree.");
	supplement_figure(sup, &(struct plot_job){ .kind = PLOT_CONTROL_CHART, .cc = &xc[1],
						   .w = 520, .h = 200 },
			  "Each point is the range of a part's trials: all inside the limit "
			  "and alike between operators means consistent repeatability.");
}

static void interaction(struct report_supplement *sup, const struct msa_study *s)
{
	double *y = kept_doubles(sup, s->operators * s->parts);
	char (*names)[32] = supplement_keep(sup, calloc(s->operators, sizeof(*names)));
	const char **series = supplement_keep(sup, calloc(s->operators, sizeof(*series)));
	struct line_chart *lc = supplement_keep(sup, calloc(1, sizeof(*lc)));

	if (!y || !names || !series || !lc)
		return;
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
	*lc = (struct line_chart){ "Part x operator interaction", "part", s->unit, series,
				   s->operators, s->parts, y };
	supplement_figure(sup, &(struct plot_job){ .kind = PLOT_LINE_CHART, .lc = lc, .w = 520,
						   .h = 220 },
			  "Each operator's mean per part: parallel lines, no interaction; "
			  "crossing lines, the operators measure some parts differently.");
}

static void components(struct report_supplement *sup, const struct msa_study *s)
{
	static const enum grr_source order[] = { GRR_TOTAL_GRR, GRR_REPEATABILITY,
						 GRR_REPRODUCIBILITY, GRR_OPERATOR,
						 GRR_INTERACTION, GRR_PART, GRR_TOTAL };
	static const char *const groups[] = { "Gage R&R", "Repeat", "Reprod", "Part-to-Part" };
	static const enum grr_source bars[] = { GRR_TOTAL_GRR, GRR_REPEATABILITY,
						GRR_REPRODUCIBILITY, GRR_PART };
	static const char *const series[] = { "% Contribution", "% Study Var", "% Tolerance" };
	static const double width[] = { 0.22, 0.13, 0.13, 0.13, 0.13, 0.13, 0.13 };
	const struct grr_result *g = &s->g;
	double *v = kept_doubles(sup, 4 * 3);
	struct bar_chart *bc = supplement_keep(sup, calloc(1, sizeof(*bc)));
	char study[48];
	const char *head[] = { "Source", "VarComp", "%Contribution", "StdDev", study,
			       "%Study Var", "%Tolerance" };

	snprintf(study, sizeof(study), "Study Var (%gσ)", s->opt.k_sigma);
	supplement_heading(sup, "Variance components");
	supplement_table(sup, 7, head, width);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct grr_component *c = &g->c[order[i]];
		const double row[] = { c->var, c->contribution, c->sd, c->study_var, c->pct_study,
				       c->pct_tol };
		char cell[6][32];
		const char *cells[7] = { grr_source_name(order[i]), cell[0], cell[1], cell[2],
					 cell[3], cell[4], cell[5] };

		if (order[i] == GRR_INTERACTION && g->pooled)
			continue;
		for (size_t k = 0; k < 6; k++)
			num_text(cell[k], sizeof(cell[k]), row[k]);
		supplement_row(sup, cells);
	}
	if (!v || !bc)
		return;
	for (size_t i = 0; i < 4; i++) {
		v[i * 3] = g->c[bars[i]].contribution;
		v[i * 3 + 1] = g->c[bars[i]].pct_study;
		v[i * 3 + 2] = g->c[bars[i]].pct_tol;
	}
	*bc = (struct bar_chart){ "Components of variation", "%", groups, series, 4, 3, v };
	supplement_figure(sup, &(struct plot_job){ .kind = PLOT_BAR_CHART, .bc = bc, .w = 520,
						   .h = 220 },
			  "A capable measurement system's variation is mostly part-to-part.");
}

static void grr_section(struct report_supplement *sup, const struct msa_study *s)
{
	const struct grr_result *g = &s->g;
	const struct anova_row *full[] = { &g->part, &g->oper, &g->inter, &g->repeat, &g->total };
	const struct anova_row *red[] = { &g->part_r, &g->oper_r, &g->repeat_r, &g->total };
	static const char *const fn[] = { "Part", "Operator", "Part × Operator", "Repeatability",
					  "Total" };
	static const char *const rn[] = { "Part", "Operator", "Repeatability", "Total" };

	supplement_verdict(sup, grr_verdict_name(g->verdict), "%%GRR %.2f %% · ndc %d · %s",
			   g->pct_grr, g->ndc, grr_verdict_name(g->verdict));
	supplement_text(sup, "%zu parts × %zu operators × %zu trials; tolerance %g %s; %%GRR < 10 %% "
			"acceptable, 10–30 %% conditional, > 30 %% or ndc < 5 unacceptable "
			"(AIAG MSA 4th ed.).", g->parts, g->operators, g->trials, s->tolerance,
			s->unit);
	anova_rows(sup, "Two-way ANOVA with interaction", full, fn, 5);
	supplement_text(sup, "Part and Operator are tested against Part × Operator (random "
			"effects). Interaction p %.4g %s α = %g: %s.", g->inter.p,
			g->pooled ? "≥" : "<", s->opt.alpha_interaction,
			g->pooled ? "pooled into repeatability" : "kept");
	if (g->pooled)
		anova_rows(sup, "Two-way ANOVA without interaction", red, rn, 4);
	components(sup, s);
	supplement_heading(sup, "Charts by operator");
	xbar_r(sup, s);
	interaction(sup, s);
}

static void type1_section(struct report_supplement *sup, const struct msa_study *s)
{
	static const char *const head[] = { "n", "reference", "mean", "sd", "bias", "t", "p",
					    "tolerance", "convention" };
	static const double width[] = { 0.05, 0.09, 0.09, 0.09, 0.09, 0.08, 0.08, 0.09, 0.34 };
	const struct type1_result *t = &s->t1;
	const double row[] = { t->reference, t->mean, t->sd, t->bias, t->t, t->p, t->tolerance };
	struct measurement *m = supplement_keep(sup, malloc(sizeof(*m)));
	double *x = kept_doubles(sup, s->n);
	char cell[9][80];
	const char *cells[9];

	supplement_verdict(sup, t->capable ? "acceptable" : "unacceptable",
			   "Cg %.3f · Cgk %.3f · %s", t->cg, t->cgk,
			   t->capable ? "capable" : "not capable");
	snprintf(cell[0], sizeof(cell[0]), "%zu", t->n);
	for (size_t k = 0; k < 7; k++)
		num_text(cell[k + 1], sizeof(cell[k + 1]), row[k]);
	snprintf(cell[8], sizeof(cell[8]), "Cg = 0.2 T / (%d s), Cgk = (0.1 T − |bias|) / (%d s)",
		 t->sigmas, t->sigmas / 2);
	for (size_t k = 0; k < 9; k++)
		cells[k] = cell[k];
	supplement_table(sup, 9, head, width);
	supplement_row(sup, cells);
	if (!m || !x)
		return;
	memcpy(x, s->y, s->n * sizeof(*x));
	measurement_init(m);
	snprintf(m->name, sizeof(m->name), "%s", s->requirement);
	snprintf(m->unit, sizeof(m->unit), "%s", s->unit);
	m->target = t->reference;
	m->mean = t->mean;
	m->lsl = t->reference - t->percent / 200 * t->tolerance;
	m->usl = t->reference + t->percent / 200 * t->tolerance;
	supplement_figure(sup, &(struct plot_job){ .kind = PLOT_RUN_CHART, .x = x, .n = s->n,
						   .m = m, .w = 520, .h = 200 },
			  "Type 1 run chart: every trial in order, the reference (grey), the mean, "
			  "and the reference ± 10 % of the tolerance (red).");
}

int msa_report_supplement(const struct msa_study *s, struct report_supplement *sup)
{
	char title[128];

	snprintf(title, sizeof(title), "%s study: %s",
		 s->grr ? "Gauge R&R (ANOVA method)" : "Type 1 gauge", s->requirement);
	supplement_init(sup, title);
	if (s->grr)
		grr_section(sup, s);
	else
		type1_section(sup, s);
	if (sup->failed) {
		supplement_release(sup);
		return rig_error(RIG_ERR_NOMEM, "out of memory writing the study's report");
	}
	return 0;
}

int msa_report_html(const char *path, const struct report_supplement *sup,
		    const struct run_record *r)
{
	char intro[1024];

	snprintf(intro, sizeof(intro), "Station %s, run %s, started %s, operator %s. The values "
		 "are the means of the study's bursts in result.json; docs/msa.md explains every "
		 "figure.", r->station, r->id, r->started, r->operator_name);
	return supplement_write_html(sup, intro, path);
}
