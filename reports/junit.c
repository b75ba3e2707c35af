/*
 * junit.xml for CI (Jenkins, GitLab): one testsuite per run, one testcase
 * per step and requirement, a failure (or error) carrying the measured
 * values against the limits. tests/junit.xsd is the schema it must meet.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/format.h"
#include "reports/markup.h"
#include "reports/reports.h"
#include "rig/base/audit.h"
#include "rig/base/error.h"
#include "rig/base/file.h"

static double seconds_between(const char *from, const char *to)
{
	struct tm a = { 0 }, b = { 0 };

	if (!strptime(from, "%Y-%m-%dT%H:%M:%SZ", &a) || !strptime(to, "%Y-%m-%dT%H:%M:%SZ", &b))
		return 0;
	return difftime(timegm(&b), timegm(&a)) > 0 ? difftime(timegm(&b), timegm(&a)) : 0;
}

static size_t add_requirement(const char **ids, size_t n, size_t max, const char *req)
{
	size_t k = 0;

	while (k < n && strcmp(ids[k], req))
		k++;
	if (k == n && n < max)
		ids[n++] = req;
	return n;
}

/* Requirement IDs a step judged, in first-judged order, and the step's own
 * when it judged none or ended in an error or abort. */
static size_t step_requirements(const struct step_record *s, const char **ids, size_t max)
{
	size_t n = 0;

	for (size_t j = 0; j < s->nm; j++)
		n = add_requirement(ids, n, max, s->m[j].requirement);
	/* The step's own requirement carries its error or abort, even when the
	 * step ended before measuring it. */
	if (n == 0 || s->error[0] || s->verdict == VERDICT_ABORTED)
		n = add_requirement(ids, n, max, s->requirement);
	return n;
}

struct counts {
	size_t tests, failures, errors;
};

static int is_error(enum verdict v)
{
	return v == VERDICT_ERROR || v == VERDICT_ABORTED;
}

/* "name VERDICT: measured ... unit; limits ..." and why, if given. */
static void explain(FILE *f, const struct measurement *m, const char *why)
{
	char meas[128], lim[128];

	format_measured(m, meas, sizeof(meas));
	format_limits(m, lim, sizeof(lim));
	markup_printf(f, "%s %s: measured %s; limits %s%s%s%s", m->name, verdict_name(m->verdict),
		      meas, lim, why[0] ? "; " : "", why, why[0] ? "\n" : "");
}

static void testcase(FILE *f, const struct step_record *s, const char *req, struct counts *c)
{
	enum verdict v = VERDICT_NONE;

	for (size_t j = 0; j < s->nm; j++)
		if (!strcmp(s->m[j].requirement, req))
			v = verdict_worse(v, s->m[j].verdict);
	if (!strcmp(req, s->requirement) && (s->error[0] || s->verdict == VERDICT_ABORTED))
		v = verdict_worse(v, s->error[0] ? VERDICT_ERROR : VERDICT_ABORTED);
	c->tests++;
	fputs("    <testcase classname=\"", f);
	markup_text(f, req);
	fputs("\" name=\"", f);
	markup_text(f, s->id);
	fprintf(f, "\" time=\"%.0f\">\n", seconds_between(s->started, s->ended));
	if (v == VERDICT_PASS) {
		fputs("    </testcase>\n", f);
		return;
	}
	if (is_error(v))
		c->errors++;
	else
		c->failures++;
	fprintf(f, "      <%s type=\"%s\" message=\"", is_error(v) ? "error" : "failure",
		verdict_name(v));
	if (s->error[0] && is_error(v))
		markup_text(f, s->error);
	else if (v == VERDICT_NONE)
		markup_text(f, "nothing judged");
	for (size_t j = 0, first = 1; j < s->nm; j++) {
		const struct measurement *m = &s->m[j];

		if (strcmp(m->requirement, req) || m->verdict == VERDICT_PASS || !first ||
		    (s->error[0] && is_error(v)))
			continue;
		first = 0;
		explain(f, m, "");
	}
	fputs("\">", f);
	for (size_t j = 0; j < s->nm; j++)
		if (!strcmp(s->m[j].requirement, req))
			explain(f, &s->m[j], s->m[j].reason[0] ? s->m[j].reason : "within limits");
	fprintf(f, "</%s>\n    </testcase>\n", is_error(v) ? "error" : "failure");
}

static void property(FILE *f, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	markup_text(f, name);
	fputs("\" value=\"", f);
	markup_text(f, value);
	fputs("\"/>\n", f);
}

static int any_step_aborted(const struct run_record *r)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i].verdict == VERDICT_ABORTED)
			return 1;
	return 0;
}

/* One testcase for the run's coverage of its spec: failure INCOMPLETE
 * listing every requirement and setting skipped or short. */
static void coverage_case(FILE *f, const struct run_record *r, struct counts *c)
{
	struct deviation d[64];
	size_t n = audit_deviations(r, d, 64), gaps = 0;

	if (!r->spec.name[0])
		return;
	c->tests++;
	fputs("    <testcase classname=\"coverage\" name=\"", f);
	markup_printf(f, "%s rev %s", r->spec.name, r->spec.revision);
	fputs("\" time=\"0\">\n", f);
	for (size_t i = 0; i < n; i++)
		gaps += !strcmp(d[i].kind, "coverage");
	if (gaps) {
		c->failures++;
		fprintf(f, "      <failure type=\"INCOMPLETE\" message=\"");
		markup_printf(f, "%zu requirement settings of spec %s not covered", gaps, r->spec.name);
		fputs("\">", f);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(d[i].kind, "coverage")) {
				markup_text(f, d[i].text);
				fputs("\n", f);
			}
		fputs("</failure>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void body(FILE *f, const struct run_record *r, struct counts *c)
{
	const char *ids[16];

	fputs("    <properties>\n", f);
	property(f, "uut.model", r->uut.model);
	property(f, "uut.serial", r->uut.serial);
	property(f, "uut.firmware", r->uut.firmware);
	property(f, "run.id", r->id);
	property(f, "run.verdict", verdict_name(r->verdict));
	property(f, "station", r->station);
	property(f, "operator", r->operator_name);
	property(f, "script", r->script.path);
	property(f, "script.sha256", r->script.sha256);
	property(f, "rig.version", r->rig_version);
	property(f, "run.simulation", r->sim ? "true" : "false");
	property(f, "spec", r->spec.name[0] ? r->spec.name : "");
	property(f, "spec.revision", r->spec.revision);
	property(f, "station.key", r->station_key_id);
	fputs("    </properties>\n", f);
	coverage_case(f, r, c);
	for (size_t i = 0; i < r->nsteps; i++) {
		size_t n = step_requirements(&r->steps[i], ids, 16);

		for (size_t k = 0; k < n; k++)
			testcase(f, &r->steps[i], ids[k], c);
	}
	/* Killed between two steps, no step carries the abort: say it once for the run. */
	if (r->verdict == VERDICT_ABORTED && !any_step_aborted(r)) {
		c->tests++;
		c->errors++;
		fputs("    <testcase classname=\"rig\" name=\"run\" time=\"0\">\n"
		      "      <error type=\"ABORTED\" message=\"", f);
		markup_text(f, r->error[0] ? r->error : "the run was interrupted before its script ended");
		fputs("\"/>\n    </testcase>\n", f);
	}
	if (r->error[0]) {
		fputs("    <system-err>", f);
		markup_text(f, r->error);
		fputs("</system-err>\n", f);
	}
}

int report_junit(const struct run_record *r, const char *path)
{
	struct counts c = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len), *f;
	double secs = seconds_between(r->started, r->ended);
	int rc;

	if (!mem)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	body(mem, r, &c);
	fclose(mem);
	if ((rc = file_replace_open(path, &f)) != 0) {
		free(text);
		return rc;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
	markup_text(f, r->script.path);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.0f\">\n", c.tests,
		c.failures, c.errors, secs);
	fputs("  <testsuite name=\"", f);
	markup_printf(f, "%s%s %s", r->sim ? "SIMULATION " : "", r->uut.model, r->uut.serial);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.0f\" "
		   "timestamp=\"", c.tests, c.failures, c.errors, secs);
	markup_text(f, r->started);
	fputs("\" hostname=\"", f);
	markup_text(f, r->station);
	fputs("\" id=\"", f);
	markup_text(f, r->id);
	fputs("\">\n", f);
	fwrite(text, 1, len, f);
	fputs("  </testsuite>\n</testsuites>\n", f);
	free(text);
	return file_replace_commit(f, path);
}
