#ifndef RIG_REPORTS_FORMAT_H
#define RIG_REPORTS_FORMAT_H

/*
 * A measurement in words, the same in every report (terminal, JUnit,
 * HTML, PDF), so a reviewer reading two of them reads the same numbers.
 */
#include <stddef.h>

#include "rig/station/fixture.h"
#include "rig/base/record.h"

/* "mean 4.014 mm, TI 3.937..4.091", "60 of 60", "3000.2 ul" */
void format_measured(const struct measurement *m, char *buf, size_t len);

/* "mean 3.9..4.1, TI 3.7..4.3", "exactly 60", "each <= 4.5" */
void format_limits(const struct measurement *m, char *buf, size_t len);

/* "TI 3.937..4.091 (k 2.668, 95 %/97.5 %)", "... (order statistics, ...)" for a
 * distribution-free TI, or "" when there is none */
void format_ti(const struct measurement *m, char *buf, size_t len);

/* "2.82 (95 % lower bound 2.40)" or "" */
void format_cpk(const struct measurement *m, char *buf, size_t len);

/* Where a measured value's traceability ends. */
struct trace {
	const char *instrument;  /* "displacement sensor", "DAQ sample clock", ... */
	const char *model;       /* sensor make/model, "" unknown */
	const struct fixture_certificate *cert; /* NULL: none recorded */
};

/* The instrument a measurement name comes from, in fx. */
void format_trace(const struct fixture *fx, const char *name, struct trace *t);

/* "U = 0.01 mm (k = 2) <- displacement sensor sim LVDT <- certificate X (lab), due 2099-12-31" */
void format_traceability(const struct fixture *fx, const struct measurement *m, char *buf,
			 size_t len);

#endif
