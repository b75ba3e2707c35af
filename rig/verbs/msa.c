/*
 * `rig msa grr|type1`: a measurement-system study of the station, run as
 * a procedure (scripts/msa.lua) through `rig run`, so that it gets the
 * same journal, signed run directory, reports and results store as a
 * certification. When the procedure has finished, the study's values are
 * taken from the run's record and analysed (rig/verbs/msa_report.c), msa.html is
 * written into the run directory before it is signed, and the ANOVA and
 * variance-component tables are printed (or JSON with --json). docs/msa.md.
 */
#include "rig/verbs/verbs.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/run/msa_gate.h"
#include "rig/run/run.h"
#include "rig/base/record_json.h"
#include "rig/station/fixture_load.h"
#include "rig/stats/msa.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/msa_report.h"

static const char usage[] =
	"usage: rig msa grr [--requirement R] [--setting S] [--parts 10] [--operators 3]\n"
	"                   [--trials 3] [--shots 5] [--alpha-interaction 0.05]\n"
	"                   [--study-var 6|5.15] [--order-seed N] [--tolerance T] [--json]\n"
	"                   [RUN OPTIONS]\n"
	"       rig msa type1 --reference X [--requirement R] [--trials 50] [--shots 5]\n"
	"                   [--sigmas 6|4] [--tolerance T] [--json] [RUN OPTIONS]\n"
	"       rig msa budget [--fixture F] [--db PATH] [--json]\n"
	"                   the fixture's uncertainty budgets and the gauge-study interlock\n"
	"  R is DEPTH-ACC (default), DOSE-ACC or RATE-ACC; S the setting (default 4 mm);\n"
	"  T the tolerance (default: MI-350's interval for single shots at S).\n"
	"  RUN OPTIONS as for rig run: --fixture, --sim-unit, --seed, --out, --operator,\n"
	"  --batch, --db, --quiet, --allow-expired-cal. See docs/msa.md.\n";

/* The study's own options, each passed on to msa.lua as --param NAME=VALUE. */
static const struct {
	const char *option, *param;
} study_options[] = {
	{ "--requirement", "requirement" },
	{ "--setting", "setting" },
	{ "--parts", "parts" },
	{ "--operators", "operators" },
	{ "--trials", "trials" },
	{ "--shots", "shots" },
	{ "--alpha-interaction", "alpha_interaction" },
	{ "--study-var", "k_sigma" },
	{ "--order-seed", "order_seed" },
	{ "--reference", "reference" },
	{ "--sigmas", "sigmas" },
	{ "--tolerance", "tolerance" },
};

#define MSA_MAX_ARGS 64

/* rig run's options that take a value, passed on as they are (rig run's
 * parser checks them), and its flags. */
static const char *const run_values[] = { "fixture", "sim-unit", "seed", "out", "operator",
					  "step-timeout", "db", "firmware", "param", "answers",
					  "socket", "serial" };
static const char *const run_flags[] = { "realtime", "batch", "allow-expired-cal",
					 "allow-expired-msa", "quiet" };
#define NRUN_VALUES (sizeof(run_values) / sizeof(run_values[0]))
#define NRUN_FLAGS (sizeof(run_flags) / sizeof(run_flags[0]))
#define NSTUDY (sizeof(study_options) / sizeof(study_options[0]))

struct msa_args {
	int grr;
	int json;
	int have_reference;
	int flag[NRUN_FLAGS];
	char *argv[MSA_MAX_ARGS];
	int argc;
	char params[16][300];
	int nparams;
	char names[MSA_MAX_ARGS][32]; /* the run options' "--NAME"s passed on */
	int nnames;
	double alpha, k_sigma;
	int sigmas;
	double reference;
};

static int add_arg(struct msa_args *a, char *arg)
{
	if (a->argc >= MSA_MAX_ARGS - 1)
		return rig_error(RIG_ERR_INVALID, "msa: too many arguments");
	a->argv[a->argc++] = arg;
	return 0;
}

static int add_param(struct msa_args *a, const char *name, const char *value)
{
	if (a->nparams >= 12)
		return rig_error(RIG_ERR_INVALID, "msa: too many study options");
	snprintf(a->params[a->nparams], sizeof(a->params[0]), "%s=%s", name, value);
	add_arg(a, (char *)"--param");
	return add_arg(a, a->params[a->nparams++]);
}

/* The study's counts and requirement, checked before anything runs (the
 * procedure checks them again, for rig run scripts/msa.lua). */
static int check_value(int grr, const char *opt, const char *text)
{
	static const struct {
		const char *opt;
		uint64_t lo, hi_grr, hi_type1;
	} counts[] = {
		{ "--parts", 2, 100, 0 }, { "--operators", 2, 20, 0 },
		{ "--trials", 2, 20, 1000 }, { "--shots", 2, 1000, 1000 },
		{ "--order-seed", 1, 1ull << 52, 1ull << 52 },
	};
	uint64_t v, hi;
	int rc;

	if (!strcmp(opt, "--requirement")) {
		if (strcmp(text, "DEPTH-ACC") && strcmp(text, "DOSE-ACC") && strcmp(text, "RATE-ACC"))
			return rig_error(RIG_ERR_INVALID, "msa: --requirement %s: expected DEPTH-ACC, "
					 "DOSE-ACC or RATE-ACC", text);
		return 0;
	}
	if (!strcmp(opt, "--setting") || !strcmp(opt, "--reference") ||
	    !strcmp(opt, "--tolerance")) {
		double d;

		rc = cli_parse_double(opt, text, &d);
		if (!rc && !strcmp(opt, "--tolerance") && !(d > 0))
			rc = rig_error(RIG_ERR_INVALID, "msa: --tolerance must be above 0, got %s", text);
		return rc;
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (strcmp(opt, counts[i].opt))
			continue;
		hi = grr ? counts[i].hi_grr : counts[i].hi_type1;
		if ((rc = cli_parse_u64(opt, text, hi, &v)) != 0)
			return rc;
		if (v < counts[i].lo)
			return rig_error(RIG_ERR_INVALID, "msa: %s must be %llu to %llu, got %s", opt,
					 (unsigned long long)counts[i].lo, (unsigned long long)hi,
					 text);
	}
	return 0;
}

/* A study option (cli_options calls it with "--NAME" and the value):
 * checked, and passed on to msa.lua as --param. */
static int study_option(void *out, const char *opt, const char *value)
{
	struct msa_args *a = out;
	size_t k;
	int rc;

	for (k = 0; k < NSTUDY && strcmp(opt, study_options[k].option); k++)
		;
	if (k == NSTUDY)
		return rig_error(RIG_ERR_INVALID, "msa: unknown study option %s", opt);
	if (!strcmp(opt, "--parts") || !strcmp(opt, "--operators")) {
		if (!a->grr)
			return rig_error(RIG_ERR_INVALID, "msa type1: %s is a gauge R&R option", opt);
	}
	if (!strcmp(opt, "--reference") || !strcmp(opt, "--sigmas")) {
		if (a->grr)
			return rig_error(RIG_ERR_INVALID, "msa grr: %s is a Type 1 option", opt);
	}
	if ((rc = check_value(a->grr, opt, value)) != 0)
		return rc;
	if (!strcmp(opt, "--alpha-interaction") &&
	    ((rc = cli_parse_double(opt, value, &a->alpha)) != 0 ||
	     !(a->alpha >= 0 && a->alpha <= 1)))
		return rc ? rc : rig_error(RIG_ERR_INVALID, "msa: --alpha-interaction must "
					   "lie in 0..1, got %s", value);
	if (!strcmp(opt, "--study-var") &&
	    ((rc = cli_parse_double(opt, value, &a->k_sigma)) != 0 ||
	     (a->k_sigma != 6 && a->k_sigma != 5.15)))
		return rc ? rc : rig_error(RIG_ERR_INVALID, "msa: --study-var is 6 or 5.15, "
					   "got %s", value);
	if (!strcmp(opt, "--sigmas")) {
		uint64_t sg;

		if ((rc = cli_parse_u64(opt, value, 6, &sg)) != 0 || (sg != 4 && sg != 6))
			return rc ? rc : rig_error(RIG_ERR_INVALID, "msa: --sigmas is 4 or 6, "
						   "got %s", value);
		a->sigmas = (int)sg;
	}
	if (!strcmp(opt, "--reference")) {
		if ((rc = cli_parse_double(opt, value, &a->reference)) != 0)
			return rc;
		a->have_reference = 1;
	}
	return add_param(a, study_options[k].param, value);
}

/* A run option with a value: passed on to rig run as it came. */
static int run_value(void *out, const char *opt, const char *value)
{
	struct msa_args *a = out;
	int rc;

	if (a->nnames == MSA_MAX_ARGS)
		return rig_error(RIG_ERR_INVALID, "msa: too many arguments");
	snprintf(a->names[a->nnames], sizeof(a->names[0]), "%s", opt);
	if ((rc = add_arg(a, a->names[a->nnames++])) != 0)
		return rc;
	return add_arg(a, (char *)value);
}

/* Translate `rig msa STUDY ...` into `rig run scripts/msa.lua ...`. 0,
 * CLI_HELP, or RIG_ERR_INVALID with a message. */
static int parse(int argc, char **argv, struct msa_args *a, char *script, size_t script_len)
{
	struct cli_option options[NSTUDY + NRUN_VALUES + NRUN_FLAGS + 2];
	const struct cli_verb verb = { .verb = "msa", .options = options, .nonempty = 1 };
	char names[NSTUDY][32];
	size_t n = 0;
	int rc, first;

	a->grr = !strcmp(argv[1], "grr");
	a->alpha = 0.05;
	a->k_sigma = 6;
	a->sigmas = 6;
	a->reference = NAN;
	for (size_t k = 0; k < NSTUDY; k++) {
		snprintf(names[k], sizeof(names[k]), "%s", study_options[k].option + 2);
		options[n++] = (struct cli_option){ .name = names[k], .arg = CLI_CALL, .out = a,
						    .call = study_option };
	}
	for (size_t k = 0; k < NRUN_VALUES; k++)
		options[n++] = (struct cli_option){ .name = run_values[k], .arg = CLI_CALL,
						    .out = a, .call = run_value };
	for (size_t k = 0; k < NRUN_FLAGS; k++)
		options[n++] = (struct cli_option){ .name = run_flags[k], .arg = CLI_FLAG,
						    .out = &a->flag[k] };
	options[n++] = (struct cli_option){ .name = "json", .arg = CLI_FLAG, .out = &a->json };
	options[n] = (struct cli_option){ .name = NULL };
	if (paths_find_data("scripts/msa.lua", script, script_len) != 0)
		return rig_error(RIG_ERR_INVALID, "msa: scripts/msa.lua not found (is rig installed?)");
	add_arg(a, (char *)"run");
	add_arg(a, script);
	add_param(a, "study", a->grr ? "grr" : "type1");
	/* argv[1], the study, stands where cli_options expects the verb */
	if ((rc = cli_options(&verb, argc - 1, argv + 1, &first)) != 0)
		return rc;
	if (first < argc - 1)
		return rig_error(RIG_ERR_INVALID, "msa: unexpected argument \"%s\"",
				 argv[1 + first]);
	for (size_t k = 0; k < NRUN_FLAGS; k++) {
		if (!a->flag[k])
			continue;
		snprintf(a->names[a->nnames], sizeof(a->names[0]), "--%s", run_flags[k]);
		if ((rc = add_arg(a, a->names[a->nnames++])) != 0)
			return rc;
	}
	if (!a->grr && !a->have_reference)
		return rig_error(RIG_ERR_INVALID, "msa type1 needs --reference (the reference part's "
				 "certified value)");
	a->argv[a->argc] = NULL;
	return 0;
}

/* ---- output ---- */

static void print_row(const char *name, const struct anova_row *r)
{
	printf("  %-18s %4.0f %14.6g %14.6g", name, r->df, r->ss, r->ms);
	if (isnan(r->f))
		printf("\n");
	else
		printf(" %10.4g %10.4g\n", r->f, r->p);
}

/* An ANOVA table; inter NULL for the model without interaction. */
static void print_table(const char *title, const struct anova_row *part,
			const struct anova_row *oper, const struct anova_row *inter,
			const struct anova_row *repeat, const struct anova_row *total)
{
	printf("%s\n  %-18s %4s %14s %14s %10s %10s\n", title, "Source", "DF", "SS", "MS", "F", "P");
	print_row("Part", part);
	print_row("Operator", oper);
	if (inter)
		print_row("Part x Operator", inter);
	print_row("Repeatability", repeat);
	print_row("Total", total);
}

static void print_grr(const struct msa_study *d, const char *dir)
{
	const struct grr_result *g = &d->g;
	const struct grr_options *o = &d->opt;
	static const enum grr_source order[] = { GRR_TOTAL_GRR, GRR_REPEATABILITY,
						 GRR_REPRODUCIBILITY, GRR_OPERATOR,
						 GRR_INTERACTION, GRR_PART, GRR_TOTAL };
	static const int indent[] = { 0, 2, 2, 4, 4, 0, 0 };

	printf("Gauge R&R, ANOVA method (AIAG MSA 4th ed.): %s, %zu parts x %zu operators x "
	       "%zu trials\nrun %s\n\n", d->requirement, g->parts, g->operators, g->trials, dir);
	print_table("Two-way ANOVA with interaction (Part, Operator tested against Part x Operator)",
		    &g->part, &g->oper, &g->inter, &g->repeat, &g->total);
	printf("  alpha to remove the interaction: %g (%s)\n\n", o->alpha_interaction,
	       g->pooled ? "p >= alpha: pooled into repeatability" : "significant: kept");
	if (g->pooled) {
		print_table("Two-way ANOVA without interaction", &g->part_r, &g->oper_r, NULL,
			    &g->repeat_r, &g->total);
		printf("\n");
	}
	printf("  %-20s %12s %8s %12s %12s %9s %9s\n", "Source", "VarComp", "%Contr", "StdDev",
	       o->k_sigma == 6 ? "StudyVar(6s)" : "StudyVar(5.15s)", "%StudyVar", "%Tol");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct grr_component *c = &g->c[order[i]];

		if (order[i] == GRR_INTERACTION && g->pooled)
			continue;
		printf("  %*s%-*s %12.6g %8.2f %12.6g %12.6g %9.2f %9.2f\n", indent[i], "",
		       20 - indent[i], grr_source_name(order[i]), c->var, c->contribution, c->sd,
		       c->study_var, c->pct_study, c->pct_tol);
	}
	printf("\nTolerance %g %s\n", d->tolerance, d->unit);
	printf("Number of distinct categories: %d\n", g->ndc);
	printf("%%GRR %.2f %%: %s (< 10 %% acceptable, 10-30 %% conditional, > 30 %% or ndc < 5 "
	       "unacceptable)\n", g->pct_grr, grr_verdict_name(g->verdict));
}

static json_t *row_json(const struct anova_row *r)
{
	return json_pack("{s:f, s:f, s:o, s:o, s:o}", "df", r->df, "ss", r->ss, "ms",
			 isnan(r->ms) ? json_null() : json_real(r->ms), "f",
			 isfinite(r->f) ? json_real(r->f) : json_null(), "p",
			 isnan(r->p) ? json_null() : json_real(r->p));
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *values_json(const double *y, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(y[i]));
	return a;
}

static void json_grr(const struct msa_study *d, const char *dir)
{
	const struct grr_result *g = &d->g;
	const struct grr_options *o = &d->opt;
	json_t *comps = json_array(), *root;

	for (int s = 0; s < GRR_SOURCES; s++)
		json_array_append_new(comps, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			"source", grr_source_name((enum grr_source)s), "var", num(g->c[s].var),
			"contribution_pct", num(g->c[s].contribution), "sd", num(g->c[s].sd),
			"study_var", num(g->c[s].study_var), "study_var_pct", num(g->c[s].pct_study),
			"tolerance_pct", num(g->c[s].pct_tol)));
	root = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:f, s:f, s:b,"
			 " s:{s:o, s:o, s:o, s:o, s:o}, s:{s:o, s:o, s:o}, s:o, s:i, s:f, s:s}",
			 "study", "grr", "run_dir", dir, "requirement", d->requirement, "unit", d->unit,
			 "parts", (json_int_t)g->parts, "operators", (json_int_t)g->operators,
			 "trials", (json_int_t)g->trials,
			 "values", values_json(d->y, d->n), "tolerance", num(d->tolerance),
			 "alpha_interaction", o->alpha_interaction, "k_sigma", o->k_sigma,
			 "pooled", g->pooled,
			 "anova", "part", row_json(&g->part), "operator", row_json(&g->oper),
			 "interaction", row_json(&g->inter), "repeatability", row_json(&g->repeat),
			 "total", row_json(&g->total),
			 "anova_reduced", "part", row_json(&g->part_r), "operator", row_json(&g->oper_r),
			 "repeatability", row_json(&g->repeat_r),
			 "components", comps, "ndc", g->ndc, "grr_pct", g->pct_grr, "verdict",
			 grr_verdict_name(g->verdict));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	putchar('\n');
	json_decref(root);
}

static void print_type1(const struct msa_study *d, const char *dir, int json)
{
	const struct type1_result *r = &d->t1;
	if (json) {
		json_t *root = json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:f, s:o, s:f, s:i, s:o, s:o, s:o, s:o, s:f, s:o,"
			" s:o, s:o, s:o, s:o, s:o, s:b}",
			"study", "type1", "run_dir", dir, "requirement", d->requirement, "unit",
			d->unit, "n", (json_int_t)r->n, "reference", r->reference, "tolerance",
			num(r->tolerance), "percent_of_tolerance", r->percent, "sigmas", r->sigmas,
			"values", values_json(d->y, d->n), "mean", num(r->mean), "sd", num(r->sd),
			"bias", num(r->bias), "df", r->df, "t", num(r->t), "p", num(r->p), "cg",
			num(r->cg), "cgk", num(r->cgk), "repeatability_pct", num(r->pct_repeat),
			"repeatability_bias_pct", num(r->pct_repeat_bias), "capable", r->capable);

		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		putchar('\n');
		json_decref(root);
		return;
	}
	printf("Type 1 gauge study: %s, reference %g %s, %zu trials\nrun %s\n\n", d->requirement,
	       r->reference, d->unit, r->n, dir);
	printf("  mean %.6g  sd %.6g  bias %+.6g %s\n", r->mean, r->sd, r->bias, d->unit);
	printf("  bias t-test: t = %.4f, %g df, p = %.4g (%s)\n", r->t, r->df, r->p,
	       r->p < 0.05 ? "significant at 5 %" : "not significant at 5 %");
	printf("  tolerance %g %s, the gauge's share %g %% of it, %d sigma convention\n",
	       r->tolerance, d->unit, r->percent, r->sigmas);
	printf("  Cg  = %.3f   (%.2f %% of the share)\n", r->cg, r->pct_repeat);
	printf("  Cgk = %.3f   (%.2f %% of the share)\n", r->cgk, r->pct_repeat_bias);
	printf("  %s (Cg and Cgk >= %.2f)\n", r->capable ? "capable" : "NOT capable", TYPE1_MIN_CG);
}

/* The study, taken from the finished run's record before its reports are
 * signed: its values, analysis and msa.html. */
struct study_ctx {
	struct msa_study s;
	int rc;              /* -1: never called (the run did not finish) */
	char error[512];
	char out_dir[4096];
	struct report_supplement sup; /* the study's section of report.pdf and msa.html */
};

static int study_artifacts(const struct run_record *r, void *ctx)
{
	struct study_ctx *c = ctx;
	char path[4200];

	memcpy(c->out_dir, r->out_dir, sizeof(c->out_dir)); /* the same size */
	c->rc = msa_study_from_record(r, &c->s);
	if (!c->rc)
		c->rc = msa_report_supplement(&c->s, &c->sup);
	if (!c->rc && !(c->rc = path_join(path, sizeof(path), r->out_dir, "msa.html")))
		c->rc = msa_report_html(path, &c->sup, r);
	if (c->rc)
		snprintf(c->error, sizeof(c->error), "%s", rig_last_error());
	return c->rc;
}

/* ---- rig msa budget ---- */

static void print_budget(const struct fixture_uncertainty *u)
{
	const struct fixture_budget *b = &u->budget;

	if (!b->n) {
		printf("%s: U = %g", u->quantity, u->u);
		if (u->rel_pct > 0)
			printf(" + %g %% of the value", u->rel_pct);
		printf(" (stated, k = 2)\n\n");
		return;
	}
	printf("%s: U = %.4g (k = %.3f at p = %.2f %%, nu_eff = ", u->quantity, b->expanded, b->k,
	       100 * b->p);
	if (isfinite(b->dof_eff))
		printf("%.1f)\n", b->dof_eff);
	else
		printf("infinite)\n");
	printf("  %-24s %-12s %10s %6s %10s %10s %10s %6s %7s\n", "component", "distribution",
	       "value", "k", "c_i", "u(x_i)", "|c_i|u", "nu", "share");
	for (size_t i = 0; i < b->n; i++) {
		const struct fixture_budget_item *it = &b->item[i];
		char dof[16] = "inf", k[16] = "-";

		if (isfinite(it->dof))
			snprintf(dof, sizeof(dof), "%g", it->dof);
		if (!strcmp(it->dist, "normal"))
			snprintf(k, sizeof(k), "%.3g", it->k);
		printf("  %-24.24s %-12s %10.4g %6s %10.4g %10.4g %10.4g %6s %6.1f%%%s\n", it->name,
		       it->dist, it->value, k,
		       it->sensitivity, it->u, it->contribution, dof,
		       b->uc > 0 ? 100 * it->contribution * it->contribution / (b->uc * b->uc) : NAN,
		       !strcmp(it->from, "msa") ? "  (latest gauge study)" : "");
	}
	printf("  combined standard uncertainty u_c = %.4g\n\n", b->uc);
}

static int budget_command(int argc, char **argv)
{
	static struct fixture fx;
	const char *fixture = NULL, *db = NULL;
	char path[4096];
	int json = 0, rc, first;
	struct msa_gate g;
	const struct cli_option options[] = {
		{ .name = "fixture", .arg = CLI_TEXT, .out = &fixture },
		{ .name = "db", .arg = CLI_TEXT, .out = &db },
		{ .name = "json", .arg = CLI_FLAG, .out = &json },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "msa budget", .options = options, .nonempty = 1 };

	if ((rc = cli_options(&verb, argc - 1, argv + 1, &first)) == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc)
		return rc;
	if (first < argc - 1)
		return rig_error(RIG_ERR_INVALID, "msa budget: unexpected argument \"%s\" "
				 "(takes --fixture F, --db PATH, --json)", argv[1 + first]);
	if (!fixture) {
		if (paths_find_data("fixtures/sim-bench.lua", path, sizeof(path)) != 0)
			return rig_error(RIG_ERR_INVALID, "msa budget: no --fixture and no "
					 "fixtures/sim-bench.lua");
		fixture = path;
	}
	if (fixture_load(&fx, fixture) != 0)
		return RIG_ERR_INVALID;
	msa_gate_check(&fx, db, 1, &g);
	if (json) {
		json_t *q = json_array(), *root;

		for (size_t i = 0; i < fx.nuncertainties; i++) {
			const struct fixture_uncertainty *u = &fx.uncertainties[i];

			json_array_append_new(q, json_pack("{s:s, s:f, s:f, s:o}", "quantity",
				u->quantity, "u", u->u, "rel_pct", u->rel_pct, "budget",
				u->budget.n ? fixture_budget_to_json(&u->budget) : json_null()));
		}
		root = json_pack("{s:s, s:s, s:o, s:{s:b, s:b, s:s, s:s, s:s, s:i}}", "fixture",
				 fx.path, "station", fx.station, "quantities", q, "gate", "checked",
				 g.checked, "refused", g.refused, "why", g.why, "grr_run", g.grr_run,
				 "grr_verdict", g.grr_verdict, "budget_items_applied", g.applied);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		putchar('\n');
		json_decref(root);
		return 0;
	}
	printf("Uncertainty budgets of station %s (%s), GUM (JCGM 100)\n\n", fx.station, fx.path);
	for (size_t i = 0; i < fx.nuncertainties; i++)
		print_budget(&fx.uncertainties[i]);
	for (size_t i = 0; i < g.nrepeat; i++)
		if (g.repeat[i].items)
			printf("%s: repeatability from gauge study %s: sd %g, %g df\n",
			       g.repeat[i].quantity, g.repeat[i].run, g.repeat[i].sd, g.repeat[i].df);
	if (!g.checked)
		printf("gauge-study interlock: off (the fixture sets no msa.valid_days)\n");
	else if (g.refused)
		printf("gauge-study interlock: REFUSES runs: %s\n", g.why);
	else
		printf("gauge-study interlock: ok (gauge R&R %s, %.10s, valid %g days)\n", g.grr_run,
		       g.grr_started, fx.msa.valid_days);
	return 0;
}

int msa_command(int argc, char **argv)
{
	struct msa_args a = { 0 };
	struct run_options o;
	static struct study_ctx study;
	char script[4096];
	int status, saved = -1, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "budget")) {
		if (budget_command(argc, argv) != 0) {
			fprintf(stderr, "rig: %s\n", rig_last_error());
			return 2;
		}
		return 0;
	}
	if (strcmp(argv[1], "grr") && strcmp(argv[1], "type1")) {
		fprintf(stderr, "rig: msa: unknown study \"%s\" (grr, type1 or budget)\n", argv[1]);
		return 2;
	}
	if ((rc = parse(argc, argv, &a, script, sizeof(script))) == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc != 0 || cli_parse_run(a.argc, a.argv, &o) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	o.msa_study = 1; /* the study is how a station passes the gauge-study interlock */
	study.rc = -1;
	study.s.grr = a.grr;
	grr_options_default(&study.s.opt);
	study.s.opt.alpha_interaction = a.alpha;
	study.s.opt.k_sigma = a.k_sigma;
	study.s.reference = a.reference;
	study.s.sigmas = a.sigmas;
	o.artifacts = study_artifacts;
	o.artifacts_ctx = &study;
	supplement_init(&study.sup, "");
	o.supplement = &study.sup;
	/* --json: stdout is the study's JSON alone; the run's summary goes to stderr. */
	fflush(stdout);
	if (a.json && (saved = dup(STDOUT_FILENO)) >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	status = run_execute(&o);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (status == 2 || study.rc) {
		if (status != 2)
			fprintf(stderr, "rig: %s\n",
				study.rc == -1 ? "msa: the study did not finish" : study.error);
		msa_study_release(&study.s);
		supplement_release(&study.sup);
		return 2;
	}
	if (a.json && a.grr)
		json_grr(&study.s, study.out_dir);
	else if (a.grr) {
		printf("\n");
		print_grr(&study.s, study.out_dir);
	} else
		print_type1(&study.s, study.out_dir, a.json);
	msa_study_release(&study.s);
	supplement_release(&study.sup);
	return status;
}
