#ifndef RIG_REPORTS_CONTENT_H
#define RIG_REPORTS_CONTENT_H

/*
 * What report.html and report.pdf show, gathered once so the two say the
 * same: the header's facts, the requirement table's rows and each step's
 * figures. The two writers only lay it out.
 */
#include <stddef.h>

#include "reports/plot.h"
#include "rig/base/audit.h"
#include "rig/base/fixture.h"
#include "rig/base/record.h"

struct fact {
	const char *label;
	char value[512];
};

#define CONTENT_MAX_FACTS 32

/* Header facts: unit, station, fixture, operator, times, script and spec hashes... */
size_t content_facts(const struct run_record *r, const struct fixture *fx, struct fact *out);

/* One instrument row: channel, sensor, certificate, issuer, calibrated, due. */
struct instrument_row {
	char channel[32], model[64], cert[64], issuer[64], calibrated[24], due[16], unit[16];
};
size_t content_instruments(const struct fixture *fx, struct instrument_row *out, size_t max);

/* One requirement-table row. */
struct table_row {
	const char *requirement, *setting, *name, *unit;
	size_t n;
	char measured[96], limits[96], ti[96], cpk[48], u[32];
	enum verdict verdict;
	const char *reason;
};
void content_row(const struct step_record *s, const struct measurement *m, struct table_row *row);

/* "SIMULATION ..." for a sim-bench run (every page carries it), else "". */
void content_sim_banner(const struct run_record *r, char *buf, size_t len);

/* The decision rule (ISO 14253-1 guard banding) in words: NULL-terminated paragraphs. */
extern const char *const content_decision_rule[];

/* How one measurement was decided, in words: a title ("depth_mm (DEPTH-ACC):
 * PASS") and rows: specification limits, acceptance zone (the limits
 * narrowed by U), TI k/confidence/coverage, TI method, normality test. */
#define CONTENT_DECISION_ROWS 5
struct decision_row {
	char title[160];
	struct fact row[CONTENT_DECISION_ROWS];
};
void content_decision(const struct measurement *m, struct decision_row *d);

/* A coverage row's "shots required" and "shots measured" cells. */
void content_coverage_cells(const struct coverage_row *row, char req[32], char got[48]);

/* What the reports say when there is no coverage table or no deviation. */
extern const char content_no_spec[], content_no_deviations[];

/* One line of the requirement summary: verdict and worst margin. */
struct requirement_line {
	const char *id;
	enum verdict verdict;
	char margin[200];
	size_t measurements;
};
size_t content_requirement_lines(const struct run_record *r, struct requirement_line *out,
				 size_t max);

/* DOSE-GRAV's numbers: balance readings, Z, evaporation, environment
 * (declared by the fixture or measured). Facts, in order; how many. */
#define CONTENT_MAX_GRAV 10
size_t content_gravimetric(const struct step_record *s, const struct fixture *fx,
			   struct fact *out);

/* A step's signal-quality table, one row per capture (burst): what the
 * sensors were like and what the numbers can be trusted to
 * (docs/measurement.md, "Signal quality"). */
#define CONTENT_SIGNAL_COLS 8
extern const char *const content_signal_head[CONTENT_SIGNAL_COLS];
struct signal_row {
	char cell[CONTENT_SIGNAL_COLS][64];
	int flag;                  /* the capture clipped, stuck or left shots ambiguous */
};
/* 0 when the capture journaled no signal quality (no row). */
int content_signal_row(const struct artifact *a, struct signal_row *row);
/* The sentence under the table. */
extern const char content_signal_note[];

/* A step's figures: per measurement of its own requirement a histogram and a
 * run chart, and one raw shot waveform. */
#define CONTENT_MAX_JOBS 16
struct step_figures {
	struct plot_job job[CONTENT_MAX_JOBS];
	size_t njobs;
	double *values[CONTENT_MAX_JOBS];
	struct waveform wf;
	int have_wf;
	char wf_error[256];        /* why there is no waveform */
	const struct measurement *traced[CONTENT_MAX_JOBS / 2]; /* measurements shown */
	size_t ntraced;
};

void content_figures(const char *run_dir, const struct step_record *s, struct step_figures *f);
void content_figures_release(struct step_figures *f);

#endif
