#ifndef RIG_REPORTS_ARTIFACTS_H
#define RIG_REPORTS_ARTIFACTS_H

/*
 * Close a run directory: write every report from the record, then the
 * signed MANIFEST over everything in the directory. The same for a run
 * that ended and for one rebuilt from its journal (rig recover).
 */
#include "reports/keys.h"
#include "rig/base/fixture.h"
#include "rig/base/record.h"

struct report_supplement;

int reports_write_all(const struct run_record *r, const struct fixture *fx,
		      const struct station_key *key);

/* The same with a procedure's own section in report.pdf (NULL: none). */
int reports_write_supplemented(const struct run_record *r, const struct fixture *fx,
			       const struct report_supplement *sup,
			       const struct station_key *key);

#endif
