#include "reports/artifacts.h"

#include <stdio.h>
#include <unistd.h>

#include "reports/manifest.h"
#include "reports/plot.h"
#include "reports/reports.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"

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
	char path[sizeof(reports) / sizeof(reports[0])][4300];
	int rc;

	/* Every file is named before any is written: a directory too deep for one is refused whole. */
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		char part[4400];

		if (path_join(path[i], sizeof(path[i]), r->out_dir, reports[i]) != 0 ||
		    file_part_path(path[i], part, sizeof(part)) != 0)
			return RIG_ERR_INVALID;
		/* What a kill left half-written is written again whole, not kept. */
		unlink(part);
	}
	if ((rc = report_result_json(r, fx, path[0])) == 0 &&
	    (rc = report_shots_csv(r, path[1])) == 0 &&
	    (rc = report_junit(r, path[2])) == 0 &&
	    (rc = report_html_supplemented(r, fx, sup, path[3])) == 0)
		rc = report_pdf_supplemented(r, fx, sup, path[4]);
	if (rc || (rc = file_sync_dir(r->out_dir)) != 0)
		return rc;
	return manifest_write_signed(r->out_dir, key);
}
