#include "reports/artifacts.h"

#include <stdio.h>
#include <unistd.h>

#include "reports/manifest.h"
#include "reports/plot.h"
#include "reports/reports.h"
#include "rig/base/file.h"

int reports_write_all(const struct run_record *r, const struct fixture *fx,
		      const struct station_key *key)
{
	return reports_write_supplemented(r, fx, NULL, key);
}

int reports_write_supplemented(const struct run_record *r, const struct fixture *fx,
			       const struct report_supplement *sup,
			       const struct station_key *key)
{
	static const char *const reports[] = { "result.json", "shots.csv", "junit.xml",
					       "report.html", "report.pdf" };
	char path[4300];
	int rc;

#define OUT(name) (snprintf(path, sizeof(path), "%s/%s", r->out_dir, name), path)
	/* What a kill left half-written is written again whole, not kept. */
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		char part[4400];

		file_part_path(OUT(reports[i]), part, sizeof(part));
		unlink(part);
	}
	if ((rc = report_result_json(r, fx, OUT("result.json"))) == 0 &&
	    (rc = report_shots_csv(r, OUT("shots.csv"))) == 0 &&
	    (rc = report_junit(r, OUT("junit.xml"))) == 0 &&
	    (rc = report_html_supplemented(r, fx, sup, OUT("report.html"))) == 0)
		rc = report_pdf_supplemented(r, fx, sup, OUT("report.pdf"));
#undef OUT
	if (rc || (rc = file_sync_dir(r->out_dir)) != 0)
		return rc;
	return manifest_write_signed(r->out_dir, key);
}
