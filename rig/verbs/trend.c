/*
 * `rig trend --requirement R`: X-bar and S control charts of a
 * requirement's measurements across runs, one pair per setting, with the
 * Western Electric rules (docs/regression.md). Limits come from the runs
 * shown (within-run sigma, Montgomery 6.3.2, variable n): a drift between
 * builds or stations stands out against the shot-to-shot noise.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"
#include "reports/plot.h"
#include "rig/verbs/cli.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/verbs/verbs.h"
#include "rig/stats/stats.h"
#include "rig/store/store.h"

#define CHART_W 640.0
#define CHART_H 200.0

struct series {
	char step_id[64], name[48], unit[16];
	struct store_trend_row *p;
	size_t n;
	/* computed */
	double center, sigma, s_center_unit;  /* grand mean; sigma; c4-free S centre */
	double *x_lcl, *x_ucl, *s_ctr, *s_lcl, *s_ucl, *z, *y_mean, *y_sd;
	unsigned *rules;
	unsigned char *x_flag, *s_flag;
	size_t violations;
	/* The x axis: each run's start, as short as still tells them apart. */
	char (*when)[64];
	const char **xnames;
	char xlabel[64];
};

struct trend {
	struct series *s;
	size_t n;
	int oom;
};

static int collect(void *ctx, const struct store_trend_row *row)
{
	struct trend *t = ctx;
	struct series *s = NULL;
	struct store_trend_row *p;

	for (size_t i = 0; i < t->n && !s; i++)
		if (!strcmp(t->s[i].step_id, row->step_id) && !strcmp(t->s[i].name, row->name))
			s = &t->s[i];
	if (!s) {
		if (!(s = realloc(t->s, (t->n + 1) * sizeof(*s))))
			return t->oom = 1;
		t->s = s;
		s += t->n++;
		memset(s, 0, sizeof(*s));
		snprintf(s->step_id, sizeof(s->step_id), "%s", row->step_id);
		snprintf(s->name, sizeof(s->name), "%s", row->name);
		snprintf(s->unit, sizeof(s->unit), "%s", row->unit);
	}
	if (row->n < 2 || !isfinite(row->sd))
		return 0;  /* a single value has no S: not charted */
	if (!(p = realloc(s->p, (s->n + 1) * sizeof(*p))))
		return t->oom = 1;
	s->p = p;
	s->p[s->n++] = *row;
	return 0;
}

static void series_release(struct series *s)
{
	free(s->p);
	free(s->x_lcl);
	free(s->rules);
	free(s->x_flag);
	free(s->when);
	free(s->xnames);
}

/* started is ISO 8601 UTC, "2026-12-07T04:12:15Z": runs of one day are
 * named by their time, runs of several days by date and minute. */
static void name_runs(struct series *s)
{
	int one_day = s->n && !strncmp(s->p[0].started, s->p[s->n - 1].started, 10);

	for (size_t i = 0; i < s->n; i++) {
		const char *t = s->p[i].started;

		if (strlen(t) < 19)
			snprintf(s->when[i], sizeof(s->when[i]), "%s", s->p[i].run_id);
		else if (one_day)
			snprintf(s->when[i], sizeof(s->when[i]), "%.8s", t + 11);
		else
			snprintf(s->when[i], sizeof(s->when[i]), "%.5s %.5s", t + 5, t + 11);
		s->xnames[i] = s->when[i];
	}
	if (one_day && strlen(s->p[0].started) >= 19)
		snprintf(s->xlabel, sizeof(s->xlabel), "run started, UTC, on %.10s (oldest first)",
			 s->p[0].started);
	else
		snprintf(s->xlabel, sizeof(s->xlabel), "run started, UTC (oldest first)");
}

/* Limits and rules of one series, the centre and sigma from its oldest
 * `reference` points (0: all); 0, or RIG_ERR_NOMEM. */
static int analyse(struct series *s, size_t reference)
{
	size_t k = s->n, m = reference && reference < k ? reference : k;
	double sum_n = 0, sum_nx = 0, sum_sig = 0;

	s->x_lcl = calloc(k * 8, sizeof(double));
	s->rules = calloc(k, sizeof(unsigned));
	s->x_flag = calloc(k * 2, 1);
	s->when = calloc(k, sizeof(*s->when));
	s->xnames = calloc(k, sizeof(*s->xnames));
	if (!s->x_lcl || !s->rules || !s->x_flag || !s->when || !s->xnames)
		return rig_error(RIG_ERR_NOMEM, "out of memory for the trend");
	name_runs(s);
	s->x_ucl = s->x_lcl + k;
	s->s_ctr = s->x_lcl + 2 * k;
	s->s_lcl = s->x_lcl + 3 * k;
	s->s_ucl = s->x_lcl + 4 * k;
	s->z = s->x_lcl + 5 * k;
	s->y_mean = s->x_lcl + 6 * k;
	s->y_sd = s->x_lcl + 7 * k;
	s->s_flag = s->x_flag + k;
	for (size_t i = 0; i < k; i++) {
		s->y_mean[i] = s->p[i].mean;
		s->y_sd[i] = s->p[i].sd;
		if (i >= m)
			continue;
		sum_n += (double)s->p[i].n;
		sum_nx += (double)s->p[i].n * s->p[i].mean;
		sum_sig += s->p[i].sd / stats_c4(s->p[i].n);
	}
	s->center = sum_nx / sum_n;
	s->sigma = sum_sig / (double)m;
	for (size_t i = 0; i < k; i++) {
		double se = s->sigma / sqrt((double)s->p[i].n), c4 = stats_c4(s->p[i].n);
		double spread = 3 * s->sigma * sqrt(1 - c4 * c4);

		s->x_lcl[i] = s->center - 3 * se;
		s->x_ucl[i] = s->center + 3 * se;
		s->z[i] = se > 0 ? (s->p[i].mean - s->center) / se : 0;
		s->s_ctr[i] = c4 * s->sigma;
		s->s_lcl[i] = fmax(0, s->s_ctr[i] - spread);
		s->s_ucl[i] = s->s_ctr[i] + spread;
		s->s_flag[i] = s->p[i].sd > s->s_ucl[i] || s->p[i].sd < s->s_lcl[i];
	}
	stats_western_electric(s->z, k, s->rules);
	for (size_t i = 0; i < k; i++) {
		s->x_flag[i] = s->rules[i] != 0;
		s->violations += s->x_flag[i] || s->s_flag[i];
	}
	return 0;
}

static void rule_names(unsigned rules, int s_out, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", rules & WE_BEYOND_3 ? "X-bar beyond 3 sigma; " : "",
		 rules & WE_2_OF_3 ? "2 of 3 beyond 2 sigma; " : "",
		 rules & WE_4_OF_5 ? "4 of 5 beyond 1 sigma; " : "",
		 rules & WE_8_SAME_SIDE ? "8 in a row on one side; " : "",
		 s_out ? "S beyond its limits; " : "");
	if (strlen(buf) >= 2)
		buf[strlen(buf) - 2] = '\0';
}

static void print_series(const struct series *s, FILE *f)
{
	fprintf(f, "%s %s: %zu runs, centre %.5g %s, sigma %.4g %s, %zu out of control\n",
		s->step_id, s->name, s->n, s->center, s->unit, s->sigma, s->unit, s->violations);
	for (size_t i = 0; i < s->n; i++) {
		char why[160];

		if (!s->x_flag[i] && !s->s_flag[i])
			continue;
		rule_names(s->rules[i], s->s_flag[i], why, sizeof(why));
		fprintf(f, "  run %zu %s (firmware %s): mean %.5g, sd %.4g: %s\n", i + 1,
			s->p[i].run_id, s->p[i].firmware, s->p[i].mean, s->p[i].sd, why);
	}
}

/* The two charts of a series, as plot jobs (titles in the caller's buffers). */
static void jobs(const struct series *s, struct control_chart cc[2], char titles[2][128],
		 char *ylabel, size_t ylen, struct plot_job job[2])
{
	snprintf(titles[0], sizeof(titles[0]), "%s %s: X-bar chart", s->step_id, s->name);
	snprintf(titles[1], sizeof(titles[1]), "%s %s: S chart", s->step_id, s->name);
	snprintf(ylabel, ylen, "%s", s->unit);
	cc[0] = (struct control_chart){ titles[0], s->xlabel, ylabel, s->y_mean,
					s->x_lcl, s->x_ucl, s->center, s->x_flag, s->n, s->xnames };
	cc[1] = (struct control_chart){ titles[1], s->xlabel, ylabel, s->y_sd,
					s->s_lcl, s->s_ucl, s->sigma * stats_c4(s->p[0].n),
					s->s_flag, s->n, s->xnames };
	for (int i = 0; i < 2; i++)
		job[i] = (struct plot_job){ .kind = PLOT_CONTROL_CHART, .cc = &cc[i], .w = CHART_W,
					    .h = CHART_H };
}

static cairo_status_t to_file(void *closure, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS
						    : CAIRO_STATUS_WRITE_ERROR;
}

/* Every chart on one SVG or PDF page, stacked. */
static int write_page(const struct trend *t, FILE *f, int pdf)
{
	double h = CHART_H * 2 * (double)(t->n ? t->n : 1);
	cairo_surface_t *surf = pdf ? cairo_pdf_surface_create_for_stream(to_file, f, CHART_W, h)
				    : cairo_svg_surface_create_for_stream(to_file, f, CHART_W, h);
	cairo_t *cr = cairo_create(surf);
	cairo_status_t st;

	for (size_t i = 0; i < t->n; i++) {
		struct control_chart cc[2];
		struct plot_job job[2];
		char titles[2][128], ylabel[16];

		jobs(&t->s[i], cc, titles, ylabel, sizeof(ylabel), job);
		for (int j = 0; j < 2; j++) {
			cairo_save(cr);
			cairo_translate(cr, 0, CHART_H * (double)(2 * i + (size_t)j));
			plot_draw(cr, &job[j]);
			cairo_restore(cr);
		}
	}
	st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	return st == CAIRO_STATUS_SUCCESS ? 0
					  : rig_error(RIG_ERR_IO, "trend chart: %s",
						      cairo_status_to_string(st));
}

/* A self-contained page: the charts inline, the violations listed. */
static void write_html(const struct trend *t, const char *requirement, FILE *f)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>rig trend ");
	markup_text(f, requirement);
	fprintf(f, "</title><style>body{font-family:sans-serif;margin:2em}"
		   ".bad{color:#c00}</style></head><body>\n<h1>Control charts: ");
	markup_text(f, requirement);
	fprintf(f, "</h1>\n<p>X-bar and S charts across runs, oldest first; limits at 3 sigma "
		   "from the within-run spread of the runs shown. Red points break a Western "
		   "Electric rule.</p>\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct series *s = &t->s[i];
		struct control_chart cc[2];
		struct plot_job job[2];
		char titles[2][128], ylabel[16];

		fprintf(f, "<h2>");
		markup_printf(f, "%s %s", s->step_id, s->name);
		fprintf(f, "</h2>\n<p>");
		markup_printf(f, "%zu runs, centre %.5g %s, sigma %.4g %s", s->n, s->center,
			      s->unit, s->sigma, s->unit);
		fprintf(f, "</p>\n");
		jobs(s, cc, titles, ylabel, sizeof(ylabel), job);
		for (int j = 0; j < 2; j++)
			plot_html_figure(f, &job[j]);
		for (size_t k = 0; k < s->n; k++) {
			char why[160];

			if (!s->x_flag[k] && !s->s_flag[k])
				continue;
			rule_names(s->rules[k], s->s_flag[k], why, sizeof(why));
			fprintf(f, "<p class=\"bad\">");
			markup_printf(f, "run %zu %s (firmware %s): %s", k + 1, s->p[k].run_id,
				      s->p[k].firmware, why);
			fprintf(f, "</p>\n");
		}
	}
	fprintf(f, "</body></html>\n");
}

static const char usage[] =
	"usage: rig trend --requirement R [--out FILE.html|FILE.svg|FILE.pdf] [--serial S]\n"
	"                 [--firmware V] [--branch B] [--model M] [--last N]\n"
	"                 [--limits-from K] [--db PATH]\n"
	"  X-bar and S control charts of R's measurements across the last N runs\n"
	"  (default 50), one pair per setting; default --out trend-R.html.\n"
	"  --limits-from K  centre line and sigma from the oldest K runs shown (a\n"
	"                   period known to be in control); default: all of them\n"
	"Exit status: 0 in control, 1 a Western Electric rule is broken, 2 error.\n";

struct trend_args {
	const char *requirement, *out, *db;
	size_t reference;          /* --limits-from; 0: all runs */
	struct store_filter f;
};

static int parse_limits_from(void *out, const char *opt, const char *value)
{
	int rc = cli_parse_u64(opt, value, 100000, out);

	if (!rc && *(uint64_t *)out < 2)
		return rig_error(RIG_ERR_INVALID, "--limits-from needs 2 runs or more");
	return rc;
}

static int parse(int argc, char **argv, struct trend_args *a)
{
	uint64_t last = 50, k = 0;
	const struct cli_option options[] = {
		{ .name = "requirement", .arg = CLI_TEXT, .out = &a->requirement },
		{ .name = "out", .arg = CLI_TEXT, .out = &a->out },
		{ .name = "serial", .arg = CLI_TEXT, .out = &a->f.serial },
		{ .name = "firmware", .arg = CLI_TEXT, .out = &a->f.firmware },
		{ .name = "branch", .arg = CLI_TEXT, .out = &a->f.branch },
		{ .name = "model", .arg = CLI_TEXT, .out = &a->f.model },
		{ .name = "last", .arg = CLI_U64, .out = &last, .max = 100000 },
		{ .name = "db", .arg = CLI_TEXT, .out = &a->db },
		{ .name = "limits-from", .arg = CLI_CALL, .out = &k, .call = parse_limits_from },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "trend", .options = options };
	int rc, i;

	memset(a, 0, sizeof(*a));
	if ((rc = cli_options(&verb, argc, argv, &i)) != 0)
		return rc;
	a->f.limit = (long)last;
	a->reference = (size_t)k;
	if (i < argc)
		return rig_error(RIG_ERR_INVALID, "trend: unexpected argument \"%s\"", argv[i]);
	if (!a->requirement)
		return rig_error(RIG_ERR_INVALID, "trend needs --requirement R (see rig trend --help)");
	return 0;
}

static int write_chart(const struct trend *t, const struct trend_args *a, const char *path)
{
	size_t len = strlen(path);
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	if (len > 4 && (!strcmp(path + len - 4, ".svg") || !strcmp(path + len - 4, ".pdf")))
		rc = write_page(t, f, !strcmp(path + len - 4, ".pdf"));
	else
		write_html(t, a->requirement, f);
	if (rc) {
		file_replace_abandon(f, path);
		return rc;
	}
	return file_replace_commit(f, path);
}

static int trend(const struct trend_args *a, struct trend *t)
{
	char path[4096];
	struct store st;
	size_t bad = 0;
	int rc = store_open_existing(&st, a->db);

	if (rc)
		return rc;
	rc = store_list_measurements(&st, a->requirement, &a->f, collect, t);
	store_close(&st);
	if (!rc && t->oom)
		rc = rig_error(RIG_ERR_NOMEM, "out of memory for the trend");
	for (size_t i = 0; i < t->n && !rc; i++)
		if (t->s[i].n < 2)
			rc = rig_error(RIG_ERR_INVALID, "%s %s: %zu run%s with values: a control chart "
				       "needs at least 2", t->s[i].step_id, t->s[i].name, t->s[i].n,
				       t->s[i].n == 1 ? "" : "s");
		else
			rc = analyse(&t->s[i], a->reference);
	if (!rc && t->n == 0)
		rc = rig_error(RIG_ERR_INVALID, "no measurements of %s in the store (see rig history)",
			       a->requirement);
	if (rc)
		return rc;
	rc = a->out ? path_format(path, sizeof(path), "%s", a->out)
		    : path_format(path, sizeof(path), "trend-%s.html", a->requirement);
	if (rc)
		return rc;
	if ((rc = write_chart(t, a, path)) != 0)
		return rc;
	for (size_t i = 0; i < t->n; i++) {
		print_series(&t->s[i], stdout);
		bad += t->s[i].violations;
	}
	printf("chart: %s\n", path);
	return bad ? 1 : 0;
}

int trend_command(int argc, char **argv)
{
	struct trend_args a;
	struct trend t = { 0 };
	int rc = parse(argc, argv, &a);

	if (rc == 1) {
		fputs(usage, stdout);
		return 0;
	}
	if (!rc)
		rc = trend(&a, &t);
	for (size_t i = 0; i < t.n; i++)
		series_release(&t.s[i]);
	free(t.s);
	if (rc < 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return rc;
}
