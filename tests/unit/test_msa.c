/*
 * Measurement-system analysis against independent references:
 *
 * - the gauge R&R ANOVA against R's aov() (r-base-core, run by the test on
 *   the same data, its figures read back at 17 digits) on generated studies
 *   and on the AIAG MSA 4th-edition worked example, to 1e-9;
 * - the AIAG example also against the figures the manual prints;
 * - the Type 1 study against a hand computation and R's t.test();
 * - the GUM budget against JCGM 100:2008 H.1 (end-gauge calibration) and
 *   the coverage factors of its Table G.2;
 * - a study's design and values read from a run's record (result.json's
 *   msa), and a budget's JSON read back as written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/msa_values.h"
#include "rig/base/error.h"
#include "rig/base/record_json.h"
#include "rig/station/fixture_load.h"
#include "rig/stats/msa.h"
#include "tests/lib/testutil.h"

/*
 * AIAG, Measurement Systems Analysis, 4th ed. (2010), the gauge study of
 * ch. III-B (data sheet of Figure III-B 15, ANOVA in Tables III-B 5 and 6):
 * appraisers A, B, C, three trials each, parts 1..10. Reproduced in
 * McNeese, "Three Ways to Analyze a Gage R&R Study", SPC for Excel (2015).
 */
static const double aiag[3][3][10] = {
	{ { 0.29, -0.56, 1.34, 0.47, -0.80, 0.02, 0.59, -0.31, 2.26, -1.36 },
	  { 0.41, -0.68, 1.17, 0.50, -0.92, -0.11, 0.75, -0.20, 1.99, -1.25 },
	  { 0.64, -0.58, 1.27, 0.64, -0.84, -0.21, 0.66, -0.17, 2.01, -1.31 } },
	{ { 0.08, -0.47, 1.19, 0.01, -0.56, -0.20, 0.47, -0.63, 1.80, -1.68 },
	  { 0.25, -1.22, 0.94, 1.03, -1.20, 0.22, 0.55, 0.08, 2.12, -1.62 },
	  { 0.07, -0.68, 1.34, 0.20, -1.28, 0.06, 0.83, -0.34, 2.19, -1.50 } },
	{ { 0.04, -1.38, 0.88, 0.14, -1.46, -0.29, 0.02, -0.46, 1.77, -1.49 },
	  { -0.11, -1.13, 1.09, 0.20, -1.07, -0.67, 0.01, -0.56, 1.45, -1.77 },
	  { -0.15, -0.96, 0.67, 0.11, -1.45, -0.49, 0.21, -0.49, 1.87, -2.16 } },
};

/* y in rig's layout: [(part * operators + operator) * trials + trial]. */
static double *aiag_layout(void)
{
	double *y = malloc(90 * sizeof(*y));

	ck_assert_ptr_nonnull(y);
	for (int p = 0; p < 10; p++)
		for (int o = 0; o < 3; o++)
			for (int t = 0; t < 3; t++)
				y[(p * 3 + o) * 3 + t] = aiag[o][t][p];
	return y;
}

/* R's figures for one study, in the order the script below prints them. */
enum {
	R_DF, R_SS = 4, R_MS = 8,           /* part, oper, part:oper, residual */
	R_F_INTER = 12, R_P_INTER,          /* interaction vs residual */
	R_F_PART, R_P_PART, R_F_OPER, R_P_OPER, /* random effects: vs part:oper */
	R_RED_SS = 18, R_RED_MS = 21,       /* reduced model: part, oper, residual */
	R_RED_F = 24, R_RED_P = 26,         /* part, oper vs pooled residual */
	R_TOTAL = 28,
};

/*
 * Write the study as CSV and have R fit it. The full model's F for Part
 * and Operator use the interaction mean square (random effects): R's aov()
 * tests fixed effects against the residual, so those two ratios are formed
 * from its mean squares and their p-values come from R's pf().
 */
static void r_anova(const double *y, size_t np, size_t no, size_t nr, double out[R_TOTAL])
{
	const char *dir = test_tmpdir();
	char csv[4200], cmd[8600];
	FILE *f, *pipe;
	size_t got = 0;

	snprintf(csv, sizeof(csv), "%s/study.csv", dir);
	f = fopen(csv, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "part,oper,y\n");
	for (size_t p = 0; p < np; p++)
		for (size_t o = 0; o < no; o++)
			for (size_t t = 0; t < nr; t++)
				fprintf(f, "P%zu,O%zu,%.17g\n", p, o, y[(p * no + o) * nr + t]);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "Rscript --vanilla -e '"
		 "d <- read.csv(\"%s\", stringsAsFactors = TRUE);"
		 "a <- summary(aov(y ~ part * oper, data = d))[[1]];"
		 "b <- summary(aov(y ~ part + oper, data = d))[[1]];"
		 "ms <- a[[\"Mean Sq\"]]; df <- a[[\"Df\"]];"
		 "fp <- ms[1] / ms[3]; fo <- ms[2] / ms[3];"
		 "v <- c(df, a[[\"Sum Sq\"]], ms, a[[\"F value\"]][3], a[[\"Pr(>F)\"]][3],"
		 "  fp, pf(fp, df[1], df[3], lower.tail = FALSE),"
		 "  fo, pf(fo, df[2], df[3], lower.tail = FALSE),"
		 "  b[[\"Sum Sq\"]], b[[\"Mean Sq\"]], b[[\"F value\"]][1:2], b[[\"Pr(>F)\"]][1:2]);"
		 "cat(sprintf(\"%%.17g\", v), sep = \"\\n\")' 2>&1",
		 csv);
	pipe = popen(cmd, "r");
	ck_assert_ptr_nonnull(pipe);
	while (got < R_TOTAL && fscanf(pipe, "%lf", &out[got]) == 1)
		got++;
	ck_assert_int_eq(pclose(pipe), 0);
	ck_assert_msg(got == R_TOTAL, "R printed %zu of %d figures", got, R_TOTAL);
}

/* Agreement to 1e-9, relative to the figure (absolute below 1). */
static void agree(const char *what, double ours, double theirs)
{
	double tol = 1e-9 * fmax(1, fabs(theirs));

	ck_assert_msg(fabs(ours - theirs) <= tol, "%s: rig %.17g, R %.17g", what, ours, theirs);
}

/* p-values can be tiny: relative agreement to 1e-9. */
static void agree_p(const char *what, double ours, double theirs)
{
	ck_assert_msg(fabs(ours - theirs) <= 1e-9 * theirs + 1e-300, "%s: rig %.17g, R %.17g",
		      what, ours, theirs);
}

static void compare_with_r(const double *y, size_t np, size_t no, size_t nr,
			   const struct grr_result *g)
{
	double r[R_TOTAL];
	const struct anova_row *full[] = { &g->part, &g->oper, &g->inter, &g->repeat };
	const struct anova_row *red[] = { &g->part_r, &g->oper_r, &g->repeat_r };
	static const char *const names[] = { "part", "operator", "interaction", "repeatability" };

	r_anova(y, np, no, nr, r);
	for (int i = 0; i < 4; i++) {
		agree(names[i], full[i]->df, r[R_DF + i]);
		agree(names[i], full[i]->ss, r[R_SS + i]);
		agree(names[i], full[i]->ms, r[R_MS + i]);
	}
	agree("F interaction", g->inter.f, r[R_F_INTER]);
	agree_p("p interaction", g->inter.p, r[R_P_INTER]);
	agree("F part", g->part.f, r[R_F_PART]);
	agree_p("p part", g->part.p, r[R_P_PART]);
	agree("F operator", g->oper.f, r[R_F_OPER]);
	agree_p("p operator", g->oper.p, r[R_P_OPER]);
	for (int i = 0; i < 3; i++) {
		agree(names[i == 2 ? 3 : i], red[i]->ss, r[R_RED_SS + i]);
		agree(names[i == 2 ? 3 : i], red[i]->ms, r[R_RED_MS + i]);
	}
	agree("F part (reduced)", g->part_r.f, r[R_RED_F]);
	agree("F operator (reduced)", g->oper_r.f, r[R_RED_F + 1]);
	agree_p("p part (reduced)", g->part_r.p, r[R_RED_P]);
	agree_p("p operator (reduced)", g->oper_r.p, r[R_RED_P + 1]);
	agree("total SS", g->total.ss, r[R_SS] + r[R_SS + 1] + r[R_SS + 2] + r[R_SS + 3]);
}

/* The AIAG study analysed with the default options; y is returned (free it). */
static double *aiag_study(struct grr_result *g)
{
	double *y = aiag_layout();
	struct grr_options o;

	grr_options_default(&o);
	ck_assert_int_eq(grr_anova(y, 10, 3, 3, &o, g), 0);
	return y;
}

START_TEST(aiag_example_printed_figures)
{
	struct grr_result g;
	double *y = aiag_study(&g);

	/* Table III-B 5, to the digits printed. */
	ck_assert_double_eq_tol(g.oper.ss, 3.1673, 5e-5);
	ck_assert_double_eq_tol(g.part.ss, 88.3619, 5e-5);
	ck_assert_double_eq_tol(g.inter.ss, 0.3590, 5e-5);
	ck_assert_double_eq_tol(g.repeat.ss, 2.7589, 5e-5);
	ck_assert_double_eq_tol(g.total.ss, 94.6471, 5e-5);
	ck_assert_double_eq_tol(g.oper.ms, 1.58363, 5e-6);
	ck_assert_double_eq_tol(g.part.ms, 9.81799, 5e-6);
	ck_assert_double_eq_tol(g.inter.ms, 0.01994, 5e-6);
	ck_assert_double_eq_tol(g.repeat.ms, 0.04598, 5e-6);
	ck_assert_double_eq(g.part.df, 9);
	ck_assert_double_eq(g.oper.df, 2);
	ck_assert_double_eq(g.inter.df, 18);
	ck_assert_double_eq(g.repeat.df, 60);
	/* The manual's F for the interaction, 0.434: not significant, pooled. */
	ck_assert_double_eq_tol(g.inter.f, 0.434, 5e-4);
	ck_assert(g.pooled);
	/* Table III-B 6: variance components with the interaction pooled. */
	ck_assert_double_eq_tol(g.c[GRR_REPEATABILITY].var, 0.039973, 5e-7);
	ck_assert_double_eq_tol(g.c[GRR_OPERATOR].var, 0.051455, 5e-7);
	ck_assert_double_eq(g.c[GRR_INTERACTION].var, 0);
	ck_assert_double_eq_tol(g.c[GRR_PART].var, 1.086447, 5e-7);
	/* printed 1.177876: the sum of the rounded components is 1.177875 */
	ck_assert_double_eq_tol(g.c[GRR_TOTAL].var, 1.177876, 1.5e-6);
	/* EV 0.200, AV 0.227, GRR 0.302, PV 1.042, TV 1.085 (standard deviations). */
	ck_assert_double_eq_tol(g.c[GRR_REPEATABILITY].sd, 0.200, 5e-4);
	ck_assert_double_eq_tol(g.c[GRR_REPRODUCIBILITY].sd, 0.227, 5e-4);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].sd, 0.302, 5e-4);
	ck_assert_double_eq_tol(g.c[GRR_PART].sd, 1.042, 5e-4);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL].sd, 1.085, 5e-4);
	/* % of total variation: EV 18.4, AV 20.9, GRR 27.9, PV 96.0; ndc 4. */
	ck_assert_double_eq_tol(g.c[GRR_REPEATABILITY].pct_study, 18.4, 0.05);
	ck_assert_double_eq_tol(g.c[GRR_REPRODUCIBILITY].pct_study, 20.9, 0.05);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].pct_study, 27.9, 0.05);
	ck_assert_double_eq_tol(g.c[GRR_PART].pct_study, 96.0, 0.05);
	ck_assert_int_eq(g.ndc, 4);
	/* 10 % < %GRR < 30 % would be conditional, but ndc < 5. */
	ck_assert_int_eq(g.verdict, GRR_UNACCEPTABLE);
	/* Contributions add up; study variation is 6 sd. */
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].contribution + g.c[GRR_PART].contribution, 100,
				1e-12);
	ck_assert_double_eq_tol(g.c[GRR_PART].study_var, 6 * g.c[GRR_PART].sd, 1e-15);
	ck_assert(isnan(g.c[GRR_PART].pct_tol));
	free(y);
}
END_TEST

START_TEST(aiag_example_against_r)
{
	struct grr_result g;
	double *y = aiag_study(&g);

	compare_with_r(y, 10, 3, 3, &g);
	free(y);
}
END_TEST

/* splitmix64 and Box-Muller: the generated studies are the same every run. */
static uint64_t rng_state;

static double uniform(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* A depth study: parts around 4 mm, each operator's offset, an optional
 * part x operator effect, repeatability noise. */
static double *generate(size_t np, size_t no, size_t nr, double sd_part, double sd_oper,
			double sd_inter, double sd_rep)
{
	double *y = malloc(np * no * nr * sizeof(*y)), *op = malloc(no * sizeof(*op));

	ck_assert(y && op);
	for (size_t o = 0; o < no; o++)
		op[o] = sd_oper * normal();
	for (size_t p = 0; p < np; p++) {
		double part = 4 + sd_part * normal();

		for (size_t o = 0; o < no; o++) {
			double cell = part + op[o] + sd_inter * normal();

			for (size_t t = 0; t < nr; t++)
				y[(p * no + o) * nr + t] = cell + sd_rep * normal();
		}
	}
	free(op);
	return y;
}

START_TEST(generated_studies_against_r)
{
	static const struct {
		size_t p, o, r;
		double part, oper, inter, rep;
		int pooled;
	} cases[] = {
		{ 10, 3, 3, 0.05, 0.002, 0, 0.003, 1 },      /* a good station */
		{ 10, 3, 3, 0.05, 0.01, 0.02, 0.003, 0 },    /* strong interaction */
		{ 5, 2, 4, 0.02, 0.005, 0.0, 0.02, -1 },     /* poor repeatability */
		{ 8, 4, 2, 0.1, 0.0, 0.01, 0.01, -1 },
		{ 30, 5, 5, 0.03, 0.003, 0.001, 0.004, -1 },
	};

	rng_state = 20261207;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double *y = generate(cases[i].p, cases[i].o, cases[i].r, cases[i].part,
				     cases[i].oper, cases[i].inter, cases[i].rep);
		struct grr_options o;
		struct grr_result g;

		grr_options_default(&o);
		ck_assert_int_eq(grr_anova(y, cases[i].p, cases[i].o, cases[i].r, &o, &g), 0);
		compare_with_r(y, cases[i].p, cases[i].o, cases[i].r, &g);
		if (cases[i].pooled >= 0)
			ck_assert_int_eq(g.pooled, cases[i].pooled);
		/* The pooling rule: at alpha 0.25 never pooled more often. */
		o.alpha_interaction = 0.25;
		ck_assert_int_eq(grr_anova(y, cases[i].p, cases[i].o, cases[i].r, &o, &g), 0);
		if (!(g.inter.p >= 0.25))
			ck_assert(!g.pooled);
		free(y);
	}
}
END_TEST

START_TEST(components_without_pooling)
{
	/* The random-effects estimates by hand from the mean squares, when
	 * the interaction is kept: designed so every term is known. */
	double y[3 * 3 * 2];
	static const int inter[3][3] = { { 4, -4, 0 }, { -4, 0, 4 }, { 0, 4, -4 } };
	static const double part[3] = { 10, 20, 30 }, oper[3] = { 0, 5, -5 };
	struct grr_options o;
	struct grr_result g;

	for (int p = 0; p < 3; p++)
		for (int op = 0; op < 3; op++)
			for (int t = 0; t < 2; t++)
				y[(p * 3 + op) * 2 + t] = part[p] + oper[op] + inter[op][p] +
							  (t ? 1 : -1);
	grr_options_default(&o);
	o.tolerance = 100;
	ck_assert_int_eq(grr_anova(y, 3, 3, 2, &o, &g), 0);
	/* SS: part 2*3*200 = 1200, operator 2*3*50 = 300, interaction
	 * 2*96 = 192, repeatability 18; MS 600, 150, 48, 2. */
	ck_assert_double_eq_tol(g.part.ms, 600, 1e-10);
	ck_assert_double_eq_tol(g.oper.ms, 150, 1e-10);
	ck_assert_double_eq_tol(g.inter.ms, 48, 1e-10);
	ck_assert_double_eq_tol(g.repeat.ms, 2, 1e-10);
	ck_assert(!g.pooled);
	ck_assert_double_eq_tol(g.c[GRR_REPEATABILITY].var, 2, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_INTERACTION].var, (48 - 2) / 2.0, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_OPERATOR].var, (150 - 48) / 6.0, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_PART].var, (600 - 48) / 6.0, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].var, 42, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL].var, 134, 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].pct_tol, 100 * 6 * sqrt(42) / 100, 1e-10);
	ck_assert_int_eq(g.ndc, (int)floor(1.41 * sqrt(92.0 / 42)));
	ck_assert_int_eq(g.verdict, GRR_UNACCEPTABLE);
	/* 5.15 sigma scales study variation, not the percentages of it. */
	o.k_sigma = 5.15;
	ck_assert_int_eq(grr_anova(y, 3, 3, 2, &o, &g), 0);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].study_var, 5.15 * sqrt(42), 1e-10);
	ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].pct_study, 100 * sqrt(42.0 / 134), 1e-10);
}
END_TEST

START_TEST(verdict_bands)
{
	/* A study with %GRR (of study variation) below 10 %, one between 10
	 * and 30 % and one above, each with ndc >= 5 where it can be. */
	static const struct {
		double part, rep;
		enum grr_verdict v;
	} cases[] = {
		{ 0.05, 0.002, GRR_ACCEPTABLE },
		{ 0.05, 0.008, GRR_CONDITIONAL },
		{ 0.05, 0.05, GRR_UNACCEPTABLE },
	};

	rng_state = 7;
	for (size_t i = 0; i < 3; i++) {
		double *y = generate(10, 3, 3, cases[i].part, 0, 0, cases[i].rep);
		struct grr_options o;
		struct grr_result g;

		grr_options_default(&o);
		ck_assert_int_eq(grr_anova(y, 10, 3, 3, &o, &g), 0);
		ck_assert_msg(g.verdict == cases[i].v, "case %zu: %%GRR %.2f ndc %d verdict %s", i,
			      g.pct_grr, g.ndc, grr_verdict_name(g.verdict));
		/* A tolerance the gauge spends most of makes it worse, never better. */
		o.tolerance = 6 * g.c[GRR_TOTAL_GRR].sd * 2;  /* %Tol = 50 % */
		ck_assert_int_eq(grr_anova(y, 10, 3, 3, &o, &g), 0);
		ck_assert_double_eq_tol(g.c[GRR_TOTAL_GRR].pct_tol, 50, 1e-9);
		ck_assert_double_eq_tol(g.pct_grr, fmax(50, g.c[GRR_TOTAL_GRR].pct_study), 1e-9);
		ck_assert_int_eq(g.verdict, GRR_UNACCEPTABLE);
		free(y);
	}
}
END_TEST

START_TEST(grr_refuses_bad_input)
{
	double y[2 * 2 * 2] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct grr_options o;
	struct grr_result g;

	grr_options_default(&o);
	ck_assert_int_eq(grr_anova(y, 2, 2, 2, &o, &g), 0);
	ck_assert_int_ne(grr_anova(y, 1, 2, 4, &o, &g), 0);
	ck_assert_int_ne(grr_anova(y, 2, 1, 4, &o, &g), 0);
	ck_assert_int_ne(grr_anova(y, 4, 2, 1, &o, &g), 0);
	y[5] = NAN;
	ck_assert_int_ne(grr_anova(y, 2, 2, 2, &o, &g), 0);
	y[5] = 6;
	o.tolerance = -1;
	ck_assert_int_ne(grr_anova(y, 2, 2, 2, &o, &g), 0);
	o.tolerance = NAN;
	o.k_sigma = 0;
	ck_assert_int_ne(grr_anova(y, 2, 2, 2, &o, &g), 0);
	/* Every value equal: no variation at all distinguishes no part. */
	for (int i = 0; i < 8; i++)
		y[i] = 4;
	grr_options_default(&o);
	ck_assert_int_eq(grr_anova(y, 2, 2, 2, &o, &g), 0);
	ck_assert_int_eq(g.ndc, 0);
	ck_assert_int_eq(g.verdict, GRR_UNACCEPTABLE);
	/* A perfect gauge on different parts: infinitely significant parts. */
	for (int i = 0; i < 8; i++)
		y[i] = i < 4 ? 4 : 4.5;
	ck_assert_int_eq(grr_anova(y, 2, 2, 2, &o, &g), 0);
	ck_assert(g.pooled);
	ck_assert(isinf(g.part_r.f));
	ck_assert_double_eq(g.part_r.p, 0);
	ck_assert_int_eq(g.verdict, GRR_ACCEPTABLE);
}
END_TEST

START_TEST(type1_by_hand)
{
	/* 10 readings of a 4.000 mm reference, tolerance 0.5 mm (4.0 ± 0.25).
	 * By hand: deviations from 4 in µm: 2 -1 1 3 0 -2 2 1 0 4, sum 10,
	 * mean 4.001, bias 0.001. Squared deviations from the mean (µm):
	 * 1 4 0 4 1 9 1 0 1 9 = 30, s = sqrt(30/9) µm = 1.825742 µm.
	 * Cg = 0.2 * 500 / (6 * 1.825742) = 9.128709,
	 * Cgk = (0.1 * 500 - 1) / (3 * 1.825742) = 8.946135;
	 * with 4 sigma: Cg = 100 / 7.302967 = 13.693064,
	 * Cgk = 49 / 3.651484 = 13.419203.
	 * t = 1 / (1.825742 / sqrt 10) = 1.732051 (= sqrt 3), 9 df. */
	static const double x[] = { 4.002, 3.999, 4.001, 4.003, 4.000,
				    3.998, 4.002, 4.001, 4.000, 4.004 };
	double s = sqrt(30.0 / 9) * 1e-3;
	struct type1_result r;

	ck_assert_int_eq(type1_study(x, 10, 4.000, 0.5, TYPE1_6SIGMA, &r), 0);
	ck_assert_double_eq_tol(r.mean, 4.001, 1e-12);
	ck_assert_double_eq_tol(r.bias, 0.001, 1e-12);
	ck_assert_double_eq_tol(r.sd, s, 1e-12);
	ck_assert_double_eq_tol(r.cg, 0.1 / (6 * s), 1e-6);
	ck_assert_double_eq_tol(r.cg, 9.128709, 1e-6);
	ck_assert_double_eq_tol(r.cgk, 8.946135, 1e-6);
	ck_assert_double_eq_tol(r.t, sqrt(3), 1e-8);
	ck_assert_double_eq(r.df, 9);
	/* Two-sided p of t = sqrt 3 with 9 df: R's 2 * pt(-sqrt(3), 9). */
	ck_assert_double_eq_tol(r.p, 0.1173068030, 1e-10);
	ck_assert_double_eq_tol(r.pct_repeat, 20 / r.cg, 1e-12);
	ck_assert(r.capable);
	ck_assert_int_eq(type1_study(x, 10, 4.000, 0.5, TYPE1_4SIGMA, &r), 0);
	ck_assert_double_eq_tol(r.cg, 13.693064, 1e-6);
	ck_assert_double_eq_tol(r.cgk, 13.419203, 1e-6);
	/* Tolerance 0.01 mm: 0.2 * 10 µm / (6 * 1.83 µm) = 0.18, not capable;
	 * and the bias of 1 µm is all of the 1 µm half share: Cgk = 0. */
	ck_assert_int_eq(type1_study(x, 10, 4.000, 0.01, TYPE1_6SIGMA, &r), 0);
	ck_assert_double_eq_tol(r.cg, 0.002 / (6 * s), 1e-9);
	ck_assert_double_eq_tol(r.cgk, 0, 1e-9);
	ck_assert(!r.capable);
	ck_assert_int_ne(type1_study(x, 1, 4.000, 0.5, TYPE1_6SIGMA, &r), 0);
	ck_assert_int_ne(type1_study(x, 10, 4.000, 0, TYPE1_6SIGMA, &r), 0);
	ck_assert_int_ne(type1_study(x, 10, 4.000, 0.5, 5, &r), 0);
}
END_TEST

START_TEST(type1_p_against_r)
{
	/* 50 generated readings; bias t-test p against R's t.test. */
	double x[50], p_r;
	struct type1_result r;
	char cmd[2048] = "Rscript --vanilla -e 'cat(sprintf(\"%.17g\", t.test(c(";
	FILE *pipe;

	rng_state = 99;
	for (int i = 0; i < 50; i++) {
		char v[32];

		x[i] = 4.0004 + 0.001 * normal();
		snprintf(v, sizeof(v), "%s%.17g", i ? "," : "", x[i]);
		strcat(cmd, v);
	}
	strcat(cmd, "), mu = 4)$p.value))'");
	pipe = popen(cmd, "r");
	ck_assert_ptr_nonnull(pipe);
	ck_assert_int_eq(fscanf(pipe, "%lf", &p_r), 1);
	ck_assert_int_eq(pclose(pipe), 0);
	ck_assert_int_eq(type1_study(x, 50, 4.0, 0.1, TYPE1_6SIGMA, &r), 0);
	agree_p("Type 1 bias p", r.p, p_r);
}
END_TEST

START_TEST(gum_end_gauge_h1)
{
	/* JCGM 100:2008 H.1, calibration of a 50 mm end gauge, Table H.1
	 * (contributions u_i(l) in nm): the standard's certificate 25 nm
	 * (ν 18), the measured difference 9.7 nm (ν 25.6), the expansion
	 * coefficients' difference 2.9 nm (ν 50), the gauges' temperature
	 * difference 16.6 nm (ν 2), thermal expansion of the standard and
	 * the bed temperature 0 (sensitivity 0 at θ's expectation).
	 * Published: u_c = 32 nm, ν_eff = 16.7 -> 16, t_99(16) = 2.92,
	 * U_99 = 93 nm; at 95 %, t = 2.12, U = 67 nm. */
	struct gum_component c[] = {
		/* the certificate states U = 75 nm at k = 3 */
		{ .name = "l_s", .dist = GUM_NORMAL, .value = 75, .k = 3, .sensitivity = 1, .dof = 18 },
		{ .name = "d", .dist = GUM_NORMAL, .value = 9.7, .k = 1, .sensitivity = 1, .dof = 25.6 },
		/* u(α_s) 1.2e-6 /°C, c = -l_s θ = 0 at θ = 0 */
		{ .name = "alpha_s", .dist = GUM_NORMAL, .value = 1.2e-6, .k = 1, .sensitivity = 0,
		  .dof = INFINITY },
		/* δα: rectangular ±1e-6 /°C (u 0.58e-6), c = -l_s θ = 5 mm·°C = 5e6 nm·°C */
		{ .name = "delta_alpha", .dist = GUM_RECTANGULAR, .value = 1e-6, .sensitivity = 5e6,
		  .dof = 50 },
		/* δθ: rectangular ±0.05 °C (u 0.029 °C), c = -l_s α_s = 575 nm/°C */
		{ .name = "delta_theta", .dist = GUM_RECTANGULAR, .value = 0.05, .sensitivity = -575,
		  .dof = 2 },
	};
	struct gum_budget b;

	ck_assert_int_eq(gum_combine(c, 5, 0.99, &b), 0);
	ck_assert_double_eq_tol(c[0].u, 25, 1e-12);
	ck_assert_double_eq_tol(c[3].contribution, 2.9, 0.05);
	ck_assert_double_eq_tol(c[4].contribution, 16.6, 0.05);
	ck_assert_double_eq(c[2].contribution, 0);
	ck_assert_double_eq_tol(b.uc, 32, 0.5);
	ck_assert_double_eq_tol(b.dof_eff, 16.7, 0.1);
	ck_assert_double_eq(b.dof_used, 16);
	ck_assert_double_eq_tol(b.k, 2.92, 0.005);
	/* The GUM multiplies its rounded 32 nm: 2.92 x 32 = 93; unrounded 92.5. */
	ck_assert_double_eq_tol(b.expanded, 93, 1);
	ck_assert_double_eq_tol(b.expanded, b.k * b.uc, 1e-12);
	ck_assert_int_eq(gum_combine(c, 5, 0.95, &b), 0);
	ck_assert_double_eq_tol(b.k, 2.12, 0.005);
	ck_assert_double_eq_tol(b.expanded, 67, 0.5);
	/* Shares of u_c^2 add to 100 %. */
	ck_assert_double_eq_tol(c[0].share + c[1].share + c[2].share + c[3].share + c[4].share,
				100, 1e-9);
}
END_TEST

START_TEST(gum_nested_difference)
{
	/* H.1.3.2: u(d) from repeated observations 5.8 nm (ν 24), random
	 * comparator effects 3.9 nm (ν 5), systematic ones 6.7 nm (ν 8):
	 * u(d) = 9.7 nm, ν_eff = 25.6 (the GUM rounds u(d) first). */
	struct gum_component c[] = {
		{ .name = "d_bar", .dist = GUM_NORMAL, .value = 5.8, .k = 1, .sensitivity = 1, .dof = 24 },
		{ .name = "d1", .dist = GUM_NORMAL, .value = 3.9, .k = 1, .sensitivity = 1, .dof = 5 },
		{ .name = "d2", .dist = GUM_NORMAL, .value = 6.7, .k = 1, .sensitivity = 1, .dof = 8 },
	};
	struct gum_budget b;

	ck_assert_int_eq(gum_combine(c, 3, GUM_P_DEFAULT, &b), 0);
	ck_assert_double_eq_tol(b.uc, 9.7, 0.05);
	ck_assert_double_eq_tol(b.dof_eff, 25.6, 0.2);
}
END_TEST

START_TEST(gum_distributions_and_table_g2)
{
	/* A resolution of 1 µm: rectangular half-width 0.5 µm, u = 1/sqrt 12. */
	struct gum_component c[] = {
		{ .name = "resolution", .dist = GUM_RECTANGULAR, .value = 0.5, .sensitivity = 1,
		  .dof = INFINITY },
		{ .name = "tri", .dist = GUM_TRIANGULAR, .value = 0.6, .sensitivity = 1, .dof = INFINITY },
		{ .name = "temp", .dist = GUM_U_SHAPED, .value = 2, .sensitivity = 0.5, .dof = INFINITY },
		{ .name = "cert", .dist = GUM_NORMAL, .value = 2, .k = 2, .sensitivity = -1,
		  .dof = INFINITY },
	};
	/* Table G.2, p = 95.45 %: t for ν = 1, 2, 3, 10, 16, 20, 50. */
	static const struct {
		double dof, t;
	} g2[] = { { 1, 13.97 }, { 2, 4.53 }, { 3, 3.31 }, { 10, 2.28 },
		   { 16, 2.17 }, { 20, 2.13 }, { 50, 2.05 } };
	enum gum_dist d;
	struct gum_budget b;

	ck_assert_int_eq(gum_combine(c, 4, GUM_P_DEFAULT, &b), 0);
	ck_assert_double_eq_tol(c[0].u, 1 / sqrt(12), 1e-15);
	ck_assert_double_eq_tol(c[1].u, 0.6 / sqrt(6), 1e-15);
	ck_assert_double_eq_tol(c[2].u, 2 / sqrt(2), 1e-15);
	ck_assert_double_eq_tol(c[2].contribution, 0.5 * sqrt(2), 1e-15);
	ck_assert_double_eq_tol(c[3].contribution, 1, 1e-15);
	ck_assert_double_eq_tol(b.uc, sqrt(1.0 / 12 + 0.06 + 0.5 + 1), 1e-14);
	ck_assert(isinf(b.dof_eff));
	/* ν = ∞: k = 2.000 at 95.45 % (the normal quantile 2.0000) */
	ck_assert_double_eq_tol(b.k, 2.0, 5e-4);
	for (size_t i = 0; i < sizeof(g2) / sizeof(g2[0]); i++) {
		struct gum_component one = { .name = "x", .dist = GUM_NORMAL, .value = 1, .k = 1,
					     .sensitivity = 1, .dof = g2[i].dof };

		ck_assert_int_eq(gum_combine(&one, 1, GUM_P_DEFAULT, &b), 0);
		ck_assert_double_eq(b.dof_eff, g2[i].dof);
		ck_assert_msg(fabs(b.k - g2[i].t) <= 0.005, "ν %g: k %.4f, Table G.2 %.2f",
			      g2[i].dof, b.k, g2[i].t);
	}
	ck_assert_int_eq(gum_dist_parse("u-shaped", &d), 0);
	ck_assert_int_eq(d, GUM_U_SHAPED);
	ck_assert_int_ne(gum_dist_parse("gaussian", &d), 0);
	c[3].k = 0;
	ck_assert_int_ne(gum_combine(c, 4, GUM_P_DEFAULT, &b), 0);
	c[3].k = 2;
	c[0].dof = 0;
	ck_assert_int_ne(gum_combine(c, 4, GUM_P_DEFAULT, &b), 0);
	c[0].dof = INFINITY;
	c[1].value = NAN;
	ck_assert_int_ne(gum_combine(c, 4, GUM_P_DEFAULT, &b), 0);
	ck_assert_int_ne(gum_combine(c, 0, GUM_P_DEFAULT, &b), 0);
}
END_TEST

START_TEST(range_chart_constants)
{
	/* The X-bar and R chart factors derived from d2, d3 against the ones
	 * Montgomery prints (Introduction to SQC, Appendix VI), n = 2 .. 10, to
	 * the 0.002 that d2 and d3 rounded to three decimals allow (D4(2):
	 * 3.2686 from them, 3.267 printed). */
	static const double a2[] = { 1.880, 1.023, 0.729, 0.577, 0.483, 0.419, 0.373, 0.337, 0.308 };
	static const double d3f[] = { 0, 0, 0, 0, 0, 0.076, 0.136, 0.184, 0.223 };
	static const double d4f[] = { 3.267, 2.574, 2.282, 2.114, 2.004, 1.924, 1.864, 1.816, 1.777 };
	double d2, d3;

	for (size_t n = 2; n <= 10; n++) {
		ck_assert_int_eq(stats_range_constants(n, &d2, &d3), 0);
		ck_assert_double_eq_tol(3 / (d2 * sqrt((double)n)), a2[n - 2], 0.002);
		ck_assert_double_eq_tol(fmax(0, 1 - 3 * d3 / d2), d3f[n - 2], 0.002);
		ck_assert_double_eq_tol(1 + 3 * d3 / d2, d4f[n - 2], 0.002);
	}
	ck_assert_int_ne(stats_range_constants(1, &d2, &d3), 0);
	ck_assert_int_ne(stats_range_constants(21, &d2, &d3), 0);
}
END_TEST

/* A study step as scripts/msa.lua makes it: requirement MSA-DEPTH-ACC, the
 * loading's label, a SAFE-DEPTH and the study's own depth measurement of
 * the shots x[0..n-1] (kept with the step, as judging keeps them). */
static void loading_step(struct run_record *r, const char *req, const char *label,
			 const double *x, size_t n)
{
	struct step_record *st = run_record_add_step(r);
	const char *reqs[2] = { "SAFE-DEPTH", req };

	ck_assert_ptr_nonnull(st);
	snprintf(st->requirement, sizeof(st->requirement), "%s", req);
	snprintf(st->label, sizeof(st->label), "%s", label);
	snprintf(st->id, sizeof(st->id), "%s@%s", req, label);
	for (size_t k = 0; k < 2; k++) {
		struct measurement *m = step_add_measurement(st);
		double sum = 0;

		ck_assert_ptr_nonnull(m);
		measurement_init(m);
		snprintf(m->name, sizeof(m->name), "depth_mm");
		snprintf(m->unit, sizeof(m->unit), "mm");
		snprintf(m->requirement, sizeof(m->requirement), "%s", reqs[k]);
		for (size_t i = 0; i < n; i++)
			sum += x[i];
		/* SAFE-DEPTH's mean is not the loading's: it must not be taken */
		m->mean = k ? sum / (double)n : -1;
		m->n = n;
		ck_assert_int_eq(step_keep_values(st, m, x, n), 0);
	}
}

START_TEST(study_values_from_record)
{
	struct run_record r;
	struct msa_values v;
	double x[2];
	char label[32];
	json_t *j, *l;

	run_record_init(&r);
	/* not study loadings: a certification step with a study-like label,
	 * the study's verdict step, a part beyond rig msa's 100 */
	x[0] = x[1] = 99;
	loading_step(&r, "DEPTH-ACC", "P01 O1 T1", x, 2);
	loading_step(&r, "MSA-GRR", "study", x, 2);
	loading_step(&r, "MSA-DEPTH-ACC", "P101 O1 T1", x, 2);
	/* 3 parts x 2 operators x 2 trials in a shuffled order; value
	 * 100 p + 10 o + t, shots value +- 0.5 */
	for (unsigned i = 0; i < 12; i++) {
		unsigned k = (i * 5) % 12, p = k / 4 + 1, o = (k / 2) % 2 + 1, t = k % 2 + 1;

		x[0] = 100 * p + 10 * o + t - 0.5;
		x[1] = x[0] + 1;
		snprintf(label, sizeof(label), "P%02u O%u T%u", p, o, t);
		loading_step(&r, "MSA-DEPTH-ACC", label, x, 2);
	}
	ck_assert_int_eq(msa_values_from_record(&r, &v), 0);
	ck_assert_int_eq(v.grr, 1);
	ck_assert_str_eq(v.requirement, "DEPTH-ACC");
	ck_assert_uint_eq(v.parts, 3);
	ck_assert_uint_eq(v.operators, 2);
	ck_assert_uint_eq(v.trials, 2);
	ck_assert_uint_eq(v.missing, 0);
	for (unsigned p = 1, i = 0; p <= 3; p++)
		for (unsigned o = 1; o <= 2; o++)
			for (unsigned t = 1; t <= 2; t++, i++)
				ck_assert_double_eq(msa_value(&v, i), 100 * p + 10 * o + t);
	/* result.json's msa: design order, each loading's shots */
	j = msa_values_to_json(&v);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "loadings")), 12);
	l = json_array_get(json_object_get(j, "loadings"), 7); /* part 2, operator 2, trial 2 */
	ck_assert_int_eq(json_integer_value(json_object_get(l, "part")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "operator")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "trial")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(l, "step")), "MSA-DEPTH-ACC@P02 O2 T2");
	ck_assert_double_eq(json_real_value(json_object_get(l, "value")), 222);
	ck_assert_double_eq(json_real_value(json_array_get(json_object_get(l, "shots"), 0)), 221.5);
	ck_assert_double_eq(json_real_value(json_array_get(json_object_get(l, "shots"), 1)), 222.5);
	ck_assert_str_eq(json_string_value(json_object_get(j, "quantity")), "depth_mm");
	json_decref(j);
	msa_values_release(&v);
	/* a loading measured again: the last one counts */
	x[0] = x[1] = 7;
	loading_step(&r, "MSA-DEPTH-ACC", "P01 O1 T1", x, 2);
	ck_assert_int_eq(msa_values_from_record(&r, &v), 0);
	ck_assert_double_eq(msa_value(&v, 0), 7);
	msa_values_release(&v);
	/* a larger design than measured: the rest is missing */
	loading_step(&r, "MSA-DEPTH-ACC", "P04 O1 T1", x, 2);
	ck_assert_int_eq(msa_values_from_record(&r, &v), 0);
	ck_assert_uint_eq(v.parts, 4);
	ck_assert_uint_eq(v.missing, 3);
	ck_assert(isnan(msa_value(&v, 13)));
	j = msa_values_to_json(&v);
	l = json_array_get(json_object_get(j, "loadings"), 13);
	ck_assert(json_is_null(json_object_get(l, "step")));
	ck_assert(json_is_null(json_object_get(l, "value")));
	ck_assert_uint_eq(json_array_size(json_object_get(l, "shots")), 0);
	json_decref(j);
	msa_values_release(&v);
	/* a Type 1 loading among them: refused */
	loading_step(&r, "MSA-DEPTH-ACC", "ref T1", x, 2);
	ck_assert_int_eq(msa_values_from_record(&r, &v), RIG_ERR_INVALID);
	run_record_release(&r);
	/* no study at all */
	run_record_init(&r);
	loading_step(&r, "DEPTH-ACC", "4 mm", x, 2);
	ck_assert_int_eq(msa_values_from_record(&r, &v), RIG_ERR_INVALID);
	run_record_release(&r);
	/* a Type 1 study: one part, one operator */
	run_record_init(&r);
	for (unsigned t = 1; t <= 3; t++) {
		x[0] = x[1] = t;
		snprintf(label, sizeof(label), "ref T%u", t);
		loading_step(&r, "MSA-DOSE-ACC", label, x, 2);
	}
	ck_assert_int_eq(msa_values_from_record(&r, &v), 0);
	ck_assert_int_eq(v.grr, 0);
	ck_assert_str_eq(v.requirement, "DOSE-ACC");
	ck_assert_uint_eq(v.n, 3);
	ck_assert_double_eq(msa_value(&v, 2), 3);
	msa_values_release(&v);
	run_record_release(&r);
}
END_TEST

/* The budget the journal holds comes back as combined: written again, the
 * same JSON to the last digit (rig verify compares result.json bytes). */
START_TEST(budget_json_round_trip)
{
	struct fixture_budget b = { .n = 3, .p = 0.9545 }, back;
	json_t *a, *c;
	char *sa, *sc;

	b.item[0] = (struct fixture_budget_item){ .name = "certificate", .dist = "normal",
						  .value = 0.004, .k = 2, .sensitivity = 1, .dof = 50 };
	b.item[1] = (struct fixture_budget_item){ .name = "resolution", .dist = "rectangular",
						  .value = 6.1e-5, .k = 1, .sensitivity = 1,
						  .dof = INFINITY };
	b.item[2] = (struct fixture_budget_item){ .name = "repeatability", .dist = "normal",
						  .from = "msa", .value = 0.003, .k = 1,
						  .sensitivity = 1, .dof = 29 };
	ck_assert_int_eq(fixture_budget_combine(&b), 0);
	a = fixture_budget_to_json(&b);
	fixture_budget_from_json(a, &back);
	ck_assert_uint_eq(back.n, 3);
	ck_assert(isinf(back.item[1].dof));
	ck_assert_str_eq(back.item[2].from, "msa");
	ck_assert_double_eq(back.expanded, b.expanded);
	ck_assert_double_eq(back.dof_eff, b.dof_eff);
	c = fixture_budget_to_json(&back);
	sa = json_dumps(a, JSON_REAL_PRECISION(17) | JSON_SORT_KEYS);
	sc = json_dumps(c, JSON_REAL_PRECISION(17) | JSON_SORT_KEYS);
	ck_assert_str_eq(sa, sc);
	free(sa);
	free(sc);
	json_decref(a);
	json_decref(c);
	/* no budget: nothing */
	fixture_budget_from_json(NULL, &back);
	ck_assert_uint_eq(back.n, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("msa");
	TCase *tc = tcase_create("msa");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, aiag_example_printed_figures);
	tcase_add_test(tc, aiag_example_against_r);
	tcase_add_test(tc, generated_studies_against_r);
	tcase_add_test(tc, components_without_pooling);
	tcase_add_test(tc, verdict_bands);
	tcase_add_test(tc, grr_refuses_bad_input);
	tcase_add_test(tc, type1_by_hand);
	tcase_add_test(tc, type1_p_against_r);
	tcase_add_test(tc, gum_end_gauge_h1);
	tcase_add_test(tc, gum_nested_difference);
	tcase_add_test(tc, gum_distributions_and_table_g2);
	tcase_add_test(tc, range_chart_constants);
	tcase_add_test(tc, study_values_from_record);
	tcase_add_test(tc, budget_json_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
