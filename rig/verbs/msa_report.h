#ifndef RIG_VERBS_MSA_REPORT_H
#define RIG_VERBS_MSA_REPORT_H

/*
 * A gauge study taken from a run's record, analysed, and made a report
 * section: printed in the run's report.pdf and written as the run
 * directory's msa.html (signed with the run's other artifacts): the ANOVA
 * and variance-component tables and the charts AIAG asks for, or the
 * Type 1 figures and run chart. docs/msa.md.
 */
#include <stddef.h>

#include "reports/supplement.h"
#include "rig/base/record.h"
#include "rig/stats/msa.h"

struct msa_study {
	int grr;                      /* 1 gauge R&R, 0 Type 1 */
	char requirement[32], unit[16];
	size_t parts, operators, trials, n;
	double *y;                    /* grr: rig's layout; type1: trial order */
	double tolerance;             /* recorded by the procedure; NAN if not */
	double reference;             /* type1 */
	int sigmas;                   /* type1: 6 or 4 */
	struct grr_options opt;
	struct grr_result g;
	struct type1_result t1;
};

/* Take the study's values from the record (its MSA- steps) and analyse
 * them with s->opt, s->reference, s->sigmas already set. 0 or
 * RIG_ERR_INVALID (a measurement missing, ...). */
int msa_study_from_record(const struct run_record *r, struct msa_study *s);
void msa_study_release(struct msa_study *s);

/* The analysed study as a report section (sup is initialised here): the
 * verdict, the ANOVA and variance-component tables and AIAG's charts, or
 * the Type 1 figures and run chart. 0 or RIG_ERR_NOMEM. */
int msa_report_supplement(const struct msa_study *s, struct report_supplement *sup);

/* Write that section as msa.html for run r at path (atomically). */
int msa_report_html(const char *path, const struct report_supplement *sup,
		    const struct run_record *r);

#endif
