#include "rig/regress/diff_out.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "reports/markup.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

static void run_line(const char *what, const struct run_record *r, FILE *f)
{
	fprintf(f, "%-5s %s  %s %s firmware %s%s%s  %s  %s\n", what, r->id, r->uut.model,
		r->uut.serial, r->uut.firmware, r->firmware_image.path[0] ? " from " : "",
		r->firmware_image.path, verdict_name(r->verdict), r->started);
}

static void fmt_change(const struct comparison *c, char *buf, size_t len)
{
	if (isnan(c->mean.diff))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.4g [%+.4g, %+.4g]", c->mean.diff, c->mean.lo, c->mean.hi);
}

static void fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 1e-4)
		snprintf(buf, len, "<1e-4");
	else
		snprintf(buf, len, "%.4f", p);
}

/* "REGRESSION: mean, Cpk", "better: spread", both, or "". */
static void fmt_flags(const struct comparison *c, char *buf, size_t len)
{
	char worse[64], better[64];

	regress_change_names(c->worse, worse, sizeof(worse));
	regress_change_names(c->better, better, sizeof(better));
	snprintf(buf, len, "%s%s%s%s%s", c->worse ? "REGRESSION: " : "", worse,
		 c->worse && c->better ? "; " : "", c->better ? "better: " : "", better);
}

static void row(const struct comparison *c, FILE *f)
{
	char change[80], p[16], bfp[16], ratio[16], cpk[48], flags[160];
	const struct measurement *m = c->run ? c->run : c->base;

	fmt_change(c, change, sizeof(change));
	fmt_p(c->mean.p, p, sizeof(p));
	fmt_p(c->bf_p, bfp, sizeof(bfp));
	if (isnan(c->sd_ratio))
		snprintf(ratio, sizeof(ratio), "-");
	else
		snprintf(ratio, sizeof(ratio), "%.3f", c->sd_ratio);
	if (c->base && c->run && isfinite(c->base->cpk) && isfinite(c->run->cpk))
		snprintf(cpk, sizeof(cpk), "%.2f -> %.2f", c->base->cpk, c->run->cpk);
	else
		snprintf(cpk, sizeof(cpk), "-");
	fmt_flags(c, flags, sizeof(flags));
	fprintf(f, "%-11s %-13s %-17s %-34s %-7s %-6s %-7s %-13s %s\n", c->requirement,
		c->label, m->name, change, p, ratio, bfp, cpk, flags);
}

void diff_write_text(const struct diff *d, int quiet, FILE *f)
{
	if (!quiet) {
		run_line("base", d->base, f);
		run_line("run", d->run, f);
		fprintf(f, "thresholds %s (sha256 %.12s), alpha %g\n\n", d->spec->path,
			d->spec->sha256, d->spec->alpha);
		fprintf(f, "%-11s %-13s %-17s %-34s %-7s %-6s %-7s %-13s %s\n", "requirement",
			"setting", "quantity", "change in mean [CI]", "p", "sd x", "p(BF)",
			"Cpk", "flag");
	}
	/* Counts and safety checks have no statistics: shown only when flagged. */
	for (size_t i = 0; i < d->n; i++) {
		const struct comparison *c = &d->c[i];

		if (quiet ? c->worse != 0 : c->tested || c->single || c->worse || c->better)
			row(c, f);
	}
	if (!quiet || d->regressions)
		fprintf(f, "%s%zu regression%s in %zu comparisons\n", quiet ? "" : "\n",
			d->regressions, d->regressions == 1 ? "" : "s", d->n);
}

static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *run_json(const struct run_record *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "id", r->id, "started",
			 r->started, "verdict", verdict_name(r->verdict), "model", r->uut.model,
			 "serial", r->uut.serial, "firmware", r->uut.firmware, "firmware_image",
			 r->firmware_image.path[0] ? r->firmware_image.path : NULL,
			 "firmware_sha256",
			 r->firmware_image.sha256[0] ? r->firmware_image.sha256 : NULL);
}

static json_t *side_json(const struct measurement *m)
{
	if (!m)
		return json_null();
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:s}", "n", (json_int_t)m->n, "mean",
			 real(m->mean), "sd", real(m->sd), "cpk", real(m->cpk), "target",
			 real(m->target), "verdict", verdict_name(m->verdict));
}

static json_t *flags_json(unsigned flags)
{
	static const char *const names[] = { "mean", "spread", "cpk", "verdict", "missing" };
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *comparison_json(const struct comparison *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, "
			 "s:{s:o, s:o, s:o, s:o, s:o, s:o, s:s}, s:{s:o, s:o, s:o, s:o}, "
			 "s:{s:o, s:o, s:o, s:o, s:o}, s:o, s:o, s:b}",
			 "step", c->step_id, "requirement", c->requirement, "quantity", c->name,
			 "unit", c->unit, "base", side_json(c->base), "run", side_json(c->run),
			 "mean", "change", real(c->mean.diff), "lo", real(c->mean.lo), "hi",
			 real(c->mean.hi), "p", real(c->mean.p), "df",
			 real(c->single ? NAN : c->mean.df), "threshold", real(c->mean_threshold),
			 "test", c->single ? "z (measurement uncertainty)" : "Welch t",
			 "spread", "sd_ratio", real(c->sd_ratio), "brown_forsythe_f", real(c->bf_f),
			 "p", real(c->bf_p), "threshold", real(c->th ? c->th->sd_ratio : NAN),
			 "cpk", "change", real(c->cpk_diff), "lo", real(c->cpk_lo), "hi",
			 real(c->cpk_hi), "p", real(c->cpk_p), "min",
			 real(c->th ? c->th->cpk_min : NAN), "worse", flags_json(c->worse), "better",
			 flags_json(c->better), "regression", c->worse != 0);
}

int diff_write_json(const struct diff *d, const char *path)
{
	json_t *cmp = json_array(), *doc;
	int rc = 0;

	for (size_t i = 0; i < d->n; i++)
		json_array_append_new(cmp, comparison_json(&d->c[i]));
	doc = json_pack("{s:s, s:o, s:o, s:{s:s, s:s}, s:f, s:I, s:o}", "format", "rig-diff-1",
			"base", run_json(d->base), "run", run_json(d->run), "spec", "path",
			d->spec->path, "sha256", d->spec->sha256, "alpha", d->spec->alpha,
			"regressions", (json_int_t)d->regressions, "comparisons", cmp);
	if (!doc)
		return rig_error(RIG_ERR_NOMEM, "out of memory writing the diff");
	if (!strcmp(path, "-")) {
		if (json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) != 0)
			rc = rig_error(RIG_ERR_IO, "writing the diff to stdout failed");
		fputc('\n', stdout);
	} else {
		FILE *f;

		rc = file_replace_open(path, &f);
		if (!rc) {
			json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
			fputc('\n', f);
			rc = file_replace_commit(f, path);
		}
	}
	json_decref(doc);
	return rc;
}

int diff_write_junit(const struct diff *d, const char *path)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(f, "<testsuite name=\"rig diff ");
	markup_printf(f, "%s -> %s", d->base->id, d->run->id);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", d->n, d->regressions);
	for (size_t i = 0; i < d->n; i++) {
		const struct comparison *c = &d->c[i];
		char change[80], flags[160];

		fprintf(f, " <testcase classname=\"");
		markup_text(f, c->requirement);
		fprintf(f, "\" name=\"");
		markup_printf(f, "%s %s", c->step_id, c->name);
		fprintf(f, "\">");
		if (c->worse) {
			fmt_change(c, change, sizeof(change));
			fmt_flags(c, flags, sizeof(flags));
			fprintf(f, "\n  <failure message=\"");
			markup_text(f, flags);
			fprintf(f, "\" type=\"regression\">");
			markup_printf(f, "%s: change in mean %s %s (p %.3g, threshold %g); sd ratio "
				      "%.3f (Brown-Forsythe p %.3g); Cpk change %+.3g",
				      flags, change, c->unit, c->mean.p, c->mean_threshold,
				      c->sd_ratio, c->bf_p, c->cpk_diff);
			fprintf(f, "</failure>\n ");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	return file_replace_commit(f, path);
}
