#ifndef RIG_LINE_H
#define RIG_LINE_H

/*
 * The line: statistics across every station's runs on the central store
 * (rig/store/central.h), and accepting pushed runs into it. rig/line may
 * include base, stats, store and reports. docs/line.md is the reference.
 */
#include <stdio.h>

#include "rig/store/central.h"

/* Accept or reject each sealed pending run (rig/line/ingest.c). */
int line_ingest(struct central *c, long *accepted, long *rejected);

enum line_format { LINE_TEXT, LINE_JSON, LINE_HTML };

struct line_options {
	const char *requirement;   /* only this requirement ID; NULL: all */
	double alpha;              /* significance of the station comparison */
	double confidence;         /* of the Cpk/Ppk lower bounds */
};

/* Yields per spec revision and firmware; per requirement and setting:
 * units, Ppk and Cpk with lower bounds, and the station comparison. */
int line_report(struct central *c, const struct line_options *o, enum line_format fmt,
		FILE *out);

#endif
