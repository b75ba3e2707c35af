/*
 * `rig line`: statistics across the accepted runs of a central store.
 * Everything is computed from each judged measurement's n, mean and sd,
 * never from the shots, and aggregated in the server (line_sql below), so
 * that a line of 10,000 runs answers in under a second (make bench): the
 * overall and within-unit sums of squares follow exactly from them.
 * docs/line.md gives the definitions.
 */
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/plot.h"
#include "rig/base/error.h"
#include "rig/line/line.h"
#include "rig/stats/stats.h"

struct station_row {
	const char *name;
	struct sample_stats runs;   /* of the run means */
	int biased;                 /* differs from every other station */
};

/* One requirement and setting (step id), measurement name, unit and limits. */
struct group {
	const char *step_id, *requirement, *name, *unit;
	double lsl, usl;
	/* from the server: all values as (n, mean, sum of squares) parts */
	size_t values, units;
	double ss_overall, ss_within;
	/* results */
	double mean, sd_overall, sd_within;
	double ppk, ppk_lo, cpk, cpk_lo;
	struct station_row *st;
	size_t nst;
	struct oneway anova;
	int compared;               /* the ANOVA ran (two stations or more) */
};

/*
 * The statistics rig line needs, aggregated in the server from
 * rig.line_obs (one row per judged measurement of an accepted run: n,
 * mean and ss = (n - 1) sd^2, migration 0002). One row per group and
 * station: the station's number of values, the group's grand mean
 * m = sum(n mean) / N, the station's part of the overall sum of squares
 * sum(ss) + sum(n (mean - m)^2) and of sum(ss), and its run means'
 * count, mean, sd, min and max. The group's sums of squares are the sums
 * of its stations' (exact: every part is about the same m). The
 * within-unit sum of squares adds sum(n (mean - unit mean)^2), which is
 * 0 for a unit tested once: only units with several accepted runs are
 * read for it (ss_units and extra_runs, the runs beyond each unit's
 * first). These are the two-pass formulas, not sums of squares of raw
 * values. $1: only this requirement (NULL: all).
 */
#define LINE_OBS "(SELECT grp, station, uut_serial, n::float8 AS n, mean, ss FROM rig.line_obs " \
		 "WHERE $1::text IS NULL OR grp IN (SELECT id FROM rig.line_group " \
		 "WHERE requirement = $1))"
static const char line_sql[] =
	"WITH g AS (SELECT grp, sum(n * mean) / sum(n) AS grand FROM " LINE_OBS " o GROUP BY grp), "
	"a AS (SELECT grp, station, sum(n) AS n, max(grand) AS grand, "
	"      sum(n * (mean - grand) ^ 2) + sum(ss) AS ss_overall, sum(ss) AS ss, count(*) AS runs, "
	"      avg(mean) AS run_mean, stddev_samp(mean) AS run_sd, min(mean) AS run_min, "
	"      max(mean) AS run_max "
	"      FROM " LINE_OBS " o JOIN g USING (grp) GROUP BY grp, station), "
	/* the rows of units with more than one accepted run */
	"m AS (SELECT * FROM " LINE_OBS " o WHERE uut_serial IN (SELECT uut_serial FROM rig.run "
	"      WHERE status = 'accepted' GROUP BY uut_serial HAVING count(*) > 1)), "
	"u AS (SELECT grp, uut_serial, sum(n * mean) / sum(n) AS unit_mean, count(*) AS runs "
	"      FROM m GROUP BY grp, uut_serial), "
	"uw AS (SELECT m.grp, sum(m.n * (m.mean - u.unit_mean) ^ 2) AS ss FROM m "
	"       JOIN u USING (grp, uut_serial) GROUP BY m.grp), "
	"ur AS (SELECT grp, sum(runs - 1) AS extra FROM u GROUP BY grp) "
	"SELECT k.id, k.step_id, k.requirement, k.name, k.unit, k.lsl, k.usl, a.station, a.n, "
	"       a.grand, a.ss_overall, a.ss, coalesce(uw.ss, 0), coalesce(ur.extra, 0), a.runs, "
	"       a.run_mean, a.run_sd, a.run_min, a.run_max "
	"FROM a JOIN rig.line_group k ON k.id = a.grp LEFT JOIN uw ON uw.grp = a.grp "
	"LEFT JOIN ur ON ur.grp = a.grp "
	"ORDER BY k.step_id, k.requirement, k.name, k.unit, k.lsl, k.usl, k.id, a.station";
enum { C_ID, C_STEP, C_REQ, C_NAME, C_UNIT, C_LSL, C_USL, C_STATION, C_N, C_MEAN, C_SS,
       C_SS_RUNS, C_SS_UNITS, C_EXTRA_RUNS, C_RUNS, C_RUN_MEAN, C_RUN_SD, C_RUN_MIN,
       C_RUN_MAX };

static double col(PGresult *res, int row, int c)
{
	/* float8 text is the shortest exact form (extra_float_digits = 1):
	 * strtod gives back the server's double. NaN: no limit. */
	return PQgetisnull(res, row, c) ? NAN : strtod(PQgetvalue(res, row, c), NULL);
}

/* Stations: one observation per run (its mean). */
static int compare_stations(struct group *g, const struct line_options *opt)
{
	/* Stations with one run cannot show their spread: left out. */
	struct sample_stats *ss_ = malloc((g->nst + 1) * sizeof(*ss_));
	size_t *idx = malloc((g->nst + 1) * sizeof(*idx)), k = 0, i, j;

	if (!ss_ || !idx) {
		free(ss_);
		free(idx);
		return rig_error(RIG_ERR_NOMEM, "rig line: out of memory");
	}
	for (i = 0; i < g->nst; i++)
		if (g->st[i].runs.n >= 2) {
			idx[k] = i;
			ss_[k++] = g->st[i].runs;
		}
	if (k < 2 || stats_oneway(ss_, k, &g->anova) != 0)
		goto done;
	g->compared = 1;
	/* A station is biased when it differs from every other (Games-Howell,
	 * all pairs): with three stations or more the odd one is named. */
	if (g->anova.p >= opt->alpha || k < 3)
		goto done;
	/* Each pair once; a station stays a candidate while it differs from
	 * every other. */
	for (i = 0; i < k; i++)
		g->st[idx[i]].biased = 1;
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++) {
			if (!g->st[idx[i]].biased && !g->st[idx[j]].biased)
				continue;
			if (!stats_games_howell_differ(&ss_[i], &ss_[j], k, opt->alpha))
				g->st[idx[i]].biased = g->st[idx[j]].biased = 0;
		}
	/* Stations all unlike one another: the line is spread, no station is
	 * the odd one. */
	{
		size_t named = 0;

		for (i = 0; i < k; i++)
			named += (size_t)g->st[idx[i]].biased;
		if (2 * named > k)
			for (i = 0; i < k; i++)
				g->st[idx[i]].biased = 0;
	}
done:
	free(ss_);
	free(idx);
	return 0;
}

static int analyse(struct group *g, const struct line_options *opt)
{
	double N = (double)g->values;

	g->sd_overall = N > 1 ? sqrt(g->ss_overall / (N - 1)) : NAN;
	/* Within-unit: each unit's values about its own mean (subgroups = units). */
	g->sd_within = g->values > g->units ? sqrt(g->ss_within / (N - (double)g->units)) : NAN;
	g->ppk = stats_cpk(g->mean, g->sd_overall, g->lsl, g->usl);
	g->ppk_lo = stats_cpk_lower(g->ppk, g->values, opt->confidence);
	g->cpk = stats_cpk(g->mean, g->sd_within, g->lsl, g->usl);
	g->cpk_lo = stats_cpk_lower(g->cpk, g->values, opt->confidence);
	return compare_stations(g, opt);
}

/* Fill g[] from the rows of line_sql (each group's stations in turn). */
static int read_groups(PGresult *res, const struct line_options *o, struct group *g, size_t *ng)
{
	int n = PQntuples(res), rc;

	*ng = 0;
	for (int i = 0; i < n;) {
		struct group *e = &g[(*ng)++];
		size_t runs = 0;
		int j;

		e->step_id = PQgetvalue(res, i, C_STEP);
		e->requirement = PQgetvalue(res, i, C_REQ);
		e->name = PQgetvalue(res, i, C_NAME);
		e->unit = PQgetvalue(res, i, C_UNIT);
		e->lsl = col(res, i, C_LSL);
		e->usl = col(res, i, C_USL);
		e->mean = col(res, i, C_MEAN);
		e->ss_within = col(res, i, C_SS_UNITS);
		for (j = i; j < n && !strcmp(PQgetvalue(res, j, C_ID), PQgetvalue(res, i, C_ID)); j++)
			;
		if (!(e->st = calloc((size_t)(j - i), sizeof(*e->st))))
			return rig_error(RIG_ERR_NOMEM, "rig line: out of memory");
		for (int k = i; k < j; k++) {
			struct station_row *s = &e->st[e->nst++];

			e->values += (size_t)atoll(PQgetvalue(res, k, C_N));
			e->ss_overall += col(res, k, C_SS);
			e->ss_within += col(res, k, C_SS_RUNS);
			s->name = PQgetvalue(res, k, C_STATION);
			s->runs.n = (size_t)atoll(PQgetvalue(res, k, C_RUNS));
			s->runs.mean = col(res, k, C_RUN_MEAN);
			s->runs.sd = col(res, k, C_RUN_SD);
			s->runs.min = col(res, k, C_RUN_MIN);
			s->runs.max = col(res, k, C_RUN_MAX);
			runs += s->runs.n;
		}
		/* Units: runs less each unit's runs beyond its first. */
		e->units = runs - (size_t)atoll(PQgetvalue(res, i, C_EXTRA_RUNS));
		if ((rc = analyse(e, o)) != 0)
			return rc;
		i = j;
	}
	return 0;
}

/* ---- yields ---------------------------------------------------------- */

struct yield {
	const char *spec, *sha, *firmware;
	long units, first_pass, final_pass;
};

static int load_yields(struct central *c, PGresult **res)
{
	struct pg_result *r;
	int rc = central_query(c, "SELECT script_path, substr(script_sha256, 1, 12), uut_firmware, "
				  "uut_serial, verdict FROM rig.run WHERE status = 'accepted' "
				  "ORDER BY script_path, script_sha256, uut_firmware, uut_serial, "
				  "started, id", 0, NULL, &r, "reading runs");

	*res = (PGresult *)r;
	return rc;
}

/* Walk the ordered rows: per (spec, sha, firmware), per serial, its first
 * and last verdict. */
static size_t compute_yields(PGresult *res, struct yield *y)
{
	size_t ny = 0;
	int n = PQntuples(res);

	for (int i = 0; i < n;) {
		struct yield *cur = &y[ny++];
		int j = i;

		cur->spec = PQgetvalue(res, i, 0);
		cur->sha = PQgetvalue(res, i, 1);
		cur->firmware = PQgetvalue(res, i, 2);
		cur->units = cur->first_pass = cur->final_pass = 0;
		while (j < n && !strcmp(PQgetvalue(res, j, 0), cur->spec) &&
		       !strcmp(PQgetvalue(res, j, 1), cur->sha) &&
		       !strcmp(PQgetvalue(res, j, 2), cur->firmware)) {
			int k = j;

			while (k + 1 < n && !strcmp(PQgetvalue(res, k + 1, 0), cur->spec) &&
			       !strcmp(PQgetvalue(res, k + 1, 1), cur->sha) &&
			       !strcmp(PQgetvalue(res, k + 1, 2), cur->firmware) &&
			       !strcmp(PQgetvalue(res, k + 1, 3), PQgetvalue(res, j, 3)))
				k++;
			cur->units++;
			cur->first_pass += !strcmp(PQgetvalue(res, j, 4), "PASS");
			cur->final_pass += !strcmp(PQgetvalue(res, k, 4), "PASS");
			j = k + 1;
		}
		i = j;
	}
	return ny;
}

/* ---- output ---------------------------------------------------------- */

static double pct(long a, long b)
{
	return b ? 100.0 * (double)a / (double)b : NAN;
}

static const char *biased_list(const struct group *g, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->nst; i++)
		if (g->st[i].biased && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 g->st[i].name);
	return buf;
}

static void write_text(FILE *out, const struct yield *y, size_t ny, const struct group *g,
		       size_t ng, const struct line_options *o)
{
	fprintf(out, "Yield per spec revision and firmware\n");
	fprintf(out, "%-28s %-12s %-10s %6s %8s %8s\n", "spec", "revision", "firmware", "units",
		"FPY %", "final %");
	for (size_t i = 0; i < ny; i++)
		fprintf(out, "%-28s %-12s %-10s %6ld %8.1f %8.1f\n", y[i].spec, y[i].sha,
			y[i].firmware, y[i].units, pct(y[i].first_pass, y[i].units),
			pct(y[i].final_pass, y[i].units));
	fprintf(out, "\nCapability per requirement and setting (bounds: %.0f %% lower, Bissell)\n",
		100 * o->confidence);
	fprintf(out, "%-18s %-12s %-10s %5s %7s %10s %9s %12s %12s  %s\n", "step", "requirement",
		"measure", "units",
		"values", "mean", "sd", "Ppk (lo)", "Cpk (lo)", "stations");
	for (size_t i = 0; i < ng; i++) {
		const struct group *e = &g[i];
		char biased[256], ppk[32], cpk[32], st[320];

		snprintf(ppk, sizeof(ppk), "%.2f (%.2f)", e->ppk, e->ppk_lo);
		snprintf(cpk, sizeof(cpk), "%.2f (%.2f)", e->cpk, e->cpk_lo);
		if (!e->compared)
			snprintf(st, sizeof(st), "%zu (not compared)", e->nst);
		else if (biased_list(e, biased, sizeof(biased))[0])
			snprintf(st, sizeof(st), "%zu, ANOVA p=%.3g: biased %s", e->nst, e->anova.p,
				 biased);
		else
			snprintf(st, sizeof(st), "%zu, ANOVA p=%.3g: %s", e->nst, e->anova.p,
				 e->anova.p < o->alpha ? "differ (no single station)" : "no difference");
		fprintf(out, "%-18s %-12s %-10s %5zu %7zu %10.4g %9.3g %12s %12s  %s\n", e->step_id,
			e->requirement, e->name,
			e->units, e->values, e->mean, e->sd_overall, ppk, cpk, st);
	}
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *to_json(const struct yield *y, size_t ny, const struct group *g, size_t ng,
		       const struct line_options *o)
{
	json_t *root = json_object(), *ya = json_array(), *ga = json_array();

	for (size_t i = 0; i < ny; i++)
		json_array_append_new(ya, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}",
			"spec", y[i].spec, "revision", y[i].sha, "firmware", y[i].firmware,
			"units", (json_int_t)y[i].units, "first_pass", (json_int_t)y[i].first_pass,
			"final_pass", (json_int_t)y[i].final_pass,
			"first_pass_yield", num(pct(y[i].first_pass, y[i].units) / 100),
			"final_yield", num(pct(y[i].final_pass, y[i].units) / 100)));
	for (size_t i = 0; i < ng; i++) {
		const struct group *e = &g[i];
		json_t *sa = json_array();

		for (size_t k = 0; k < e->nst; k++)
			json_array_append_new(sa, json_pack("{s:s, s:I, s:o, s:o, s:b}",
				"station", e->st[k].name, "runs", (json_int_t)e->st[k].runs.n,
				"mean", num(e->st[k].runs.mean), "sd", num(e->st[k].runs.sd),
				"biased", e->st[k].biased));
		json_array_append_new(ga, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o, "
						     "s:o, s:o, s:o, s:o, s:o, s:o}",
			"step", e->step_id, "measurement", e->name, "unit", e->unit,
			"requirement", e->requirement,
			"lsl", num(e->lsl), "usl", num(e->usl),
			"units", (json_int_t)e->units, "values", (json_int_t)e->values,
			"mean", num(e->mean), "sd_overall", num(e->sd_overall),
			"sd_within", num(e->sd_within), "ppk", num(e->ppk), "ppk_lower", num(e->ppk_lo),
			"cpk", num(e->cpk), "cpk_lower", num(e->cpk_lo), "stations", sa));
		if (e->compared)
			json_object_set_new(json_array_get(ga, i), "anova", json_pack(
				"{s:f, s:f, s:f, s:f, s:o, s:o}", "df_between", e->anova.df_between,
				"df_within", e->anova.df_within, "ss_between", e->anova.ss_between,
				"ss_within", e->anova.ss_within, "f", num(e->anova.f), "p", num(e->anova.p)));
	}
	json_object_set_new(root, "alpha", json_real(o->alpha));
	json_object_set_new(root, "confidence", json_real(o->confidence));
	json_object_set_new(root, "yields", ya);
	json_object_set_new(root, "requirements", ga);
	return root;
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

/* The station chart: each station's mean of run means against the line's
 * mean, with +-2 standard errors of that station's mean; a biased station
 * is marked (analysis of means). */
static void station_chart(FILE *out, const struct group *e)
{
	double *y = malloc(e->nst * sizeof(double)), *lo = malloc(e->nst * sizeof(double)),
	       *hi = malloc(e->nst * sizeof(double));
	unsigned char *flag = malloc(e->nst);
	char title[200];

	if (y && lo && hi && flag) {
		struct control_chart cc = { title, "station (alphabetical)", e->unit, y, lo, hi,
					    e->mean, flag, e->nst, NULL };
		struct plot_job job = { .kind = PLOT_CONTROL_CHART, .cc = &cc, .w = 520, .h = 240 };

		snprintf(title, sizeof(title), "%s %s: station means +-2 SE", e->step_id, e->name);
		for (size_t k = 0; k < e->nst; k++) {
			double se = e->st[k].runs.n > 1 ? e->st[k].runs.sd / sqrt((double)e->st[k].runs.n)
							 : NAN;

			y[k] = e->st[k].runs.mean;
			lo[k] = e->mean - 2 * se;
			hi[k] = e->mean + 2 * se;
			flag[k] = (unsigned char)e->st[k].biased;
		}
		plot_html_figure(out, &job);
	}
	free(y);
	free(lo);
	free(hi);
	free(flag);
}

static void write_html(FILE *out, const struct yield *y, size_t ny, const struct group *g,
		       size_t ng, const struct line_options *o)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>rig line</title><style>body{font-family:sans-serif;margin:2em}"
	      "table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:3px 8px;"
	      "text-align:right}td:first-child,th:first-child{text-align:left}"
	      ".biased{color:#b00;font-weight:bold}</style></head><body>\n"
	      "<h1>Line statistics</h1>\n<h2>Yield per spec revision and firmware</h2>\n"
	      "<table><tr><th>spec</th><th>revision</th><th>firmware</th><th>units</th>"
	      "<th>first-pass yield</th><th>final yield</th></tr>\n", out);
	for (size_t i = 0; i < ny; i++) {
		fputs("<tr><td>", out);
		html_text(out, y[i].spec);
		fprintf(out, "</td><td>%s</td><td>", y[i].sha);
		html_text(out, y[i].firmware);
		fprintf(out, "</td><td>%ld</td><td>%.1f %%</td><td>%.1f %%</td></tr>\n", y[i].units,
			pct(y[i].first_pass, y[i].units), pct(y[i].final_pass, y[i].units));
	}
	fprintf(out, "</table>\n<h2>Capability and stations</h2>\n<p>Ppk: overall standard "
		"deviation; Cpk: within-unit standard deviation (subgroups = units); lower "
		"bounds at %.0f %% (Bissell). Stations compared by one-way ANOVA of their run "
		"means, then Games&ndash;Howell for every pair at &alpha; = %g: a station that "
		"differs from every other is named biased.</p>\n", 100 * o->confidence, o->alpha);
	for (size_t i = 0; i < ng; i++) {
		const struct group *e = &g[i];
		char biased[256];

		fputs("<h3>", out);
		html_text(out, e->requirement);
		fputs(" ", out);
		html_text(out, e->step_id);
		fputs(" ", out);
		html_text(out, e->name);
		fprintf(out, "</h3>\n<p>%zu units, %zu values, mean %.5g %s, sd %.3g; Ppk %.2f "
			"(&ge; %.2f), Cpk %.2f (&ge; %.2f)", e->units, e->values, e->mean, e->unit,
			e->sd_overall, e->ppk, e->ppk_lo, e->cpk, e->cpk_lo);
		if (e->compared)
			fprintf(out, "; stations: F(%.0f, %.0f) = %.3g, p = %.3g", e->anova.df_between,
				e->anova.df_within, e->anova.f, e->anova.p);
		if (biased_list(e, biased, sizeof(biased))[0]) {
			fputs(" &mdash; <span class=\"biased\">biased: ", out);
			html_text(out, biased);
			fputs("</span>", out);
		}
		fputs("</p>\n", out);
		station_chart(out, e);
	}
	fputs("</body></html>\n", out);
}

int line_report(struct central *c, const struct line_options *o, enum line_format fmt, FILE *out)
{
	struct pg_result *r;
	PGresult *res = NULL, *yres = NULL;
	struct group *g = NULL;
	struct yield *y = NULL;
	size_t ng = 0, ny;
	const char *p[1] = { o->requirement };
	int rc, n;

	/* The plan is cheap and the aggregation runs once: compiling it
	 * (JIT) would cost more than it saves. */
	if ((rc = central_check_schema(c)) ||
	    (rc = central_query(c, "SET jit = off", 0, NULL, &r, "setting up the query")))
		return rc;
	PQclear((PGresult *)r);
	if ((rc = load_yields(c, &yres)))
		return rc;
	rc = central_query(c, line_sql, 1, p, &r, "aggregating the line");
	res = (PGresult *)r;
	n = rc ? 0 : PQntuples(res);
	if (!rc && (!(g = calloc((size_t)n + 1, sizeof(*g))) ||
		    !(y = calloc((size_t)PQntuples(yres) + 1, sizeof(*y)))))
		rc = rig_error(RIG_ERR_NOMEM, "rig line: out of memory");
	if (!rc)
		rc = read_groups(res, o, g, &ng);
	if (!rc) {
		ny = compute_yields(yres, y);
		if (fmt == LINE_JSON) {
			json_t *j = to_json(y, ny, g, ng, o);

			if (!j || json_dumpf(j, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
				rc = rig_error(RIG_ERR_IO, "rig line: writing JSON failed");
			fputc('\n', out);
			json_decref(j);
		} else if (fmt == LINE_HTML) {
			write_html(out, y, ny, g, ng, o);
		} else {
			write_text(out, y, ny, g, ng, o);
		}
	}
	for (size_t i = 0; i < ng; i++)
		free(g[i].st);
	free(g);
	free(y);
	PQclear(res);
	PQclear(yres);
	return rc;
}
