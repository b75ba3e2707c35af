#ifndef RIG_REPORTS_H
#define RIG_REPORTS_H

/*
 * Report writers: each renders the run record (rig/base/record.h) into one
 * artifact of the run directory. They never measure or judge.
 */
#include <stdio.h>

#include "rig/base/fixture.h"
#include "rig/base/record.h"

/* result.json, as docs/result.schema.json describes. */
int report_result_json(const struct run_record *r, const struct fixture *fx, const char *path);

/* shots.csv: step,shot,t_s,depth_mm,volume_ul,interval_ms */
int report_shots_csv(const struct run_record *r, const char *path);

/* junit.xml: a testcase per step and requirement (tests/junit.xsd). */
int report_junit(const struct run_record *r, const char *path);

/* report.html: self-contained, printable, with the plots inline. */
int report_html(const struct run_record *r, const struct fixture *fx, const char *path);
/* The same with a procedure's own section after the measurements (a gauge
 * study's tables and charts; reports/supplement.h); sup NULL: none. */
struct report_supplement;
int report_html_supplemented(const struct run_record *r, const struct fixture *fx,
			     const struct report_supplement *sup, const char *path);

/* report.pdf: the same content on A4 pages, with page numbers and a signature block. */
int report_pdf(const struct run_record *r, const struct fixture *fx, const char *path);
/* The same with a procedure's own section (as report_html_supplemented). */
int report_pdf_supplemented(const struct run_record *r, const struct fixture *fx,
			    const struct report_supplement *sup, const char *path);

/* The one-screen summary for the terminal. */
void report_summary(const struct run_record *r, const struct fixture *fx, FILE *out);

#endif
