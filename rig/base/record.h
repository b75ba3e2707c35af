#ifndef RIG_RECORD_H
#define RIG_RECORD_H

/*
 * What a run produced, in memory: the run, its steps, each step's
 * measurements (judged against a requirement) and per-shot rows. The
 * report writers (reports/) read only this; docs/result.schema.json is its
 * JSON form.
 */
#include <stddef.h>
#include <stdint.h>

#include "rig/base/unit_id.h"

enum verdict {
	VERDICT_NONE,          /* nothing judged (yet) */
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_INDETERMINATE, /* within spec but inside the guard band */
	VERDICT_ERROR,         /* could not be measured */
	VERDICT_ABORTED,       /* run interrupted before it ended */
	VERDICT_INCOMPLETE,    /* all judged well, but the run did not cover its spec */
};
#define VERDICT_LAST VERDICT_INCOMPLETE

const char *verdict_name(enum verdict v);
/* Combine: ERROR/ABORTED > FAIL > INCOMPLETE > INDETERMINATE > PASS > NONE. */
enum verdict verdict_worse(enum verdict a, enum verdict b);

struct measurement {
	char name[48];         /* quantity judged: depth_mm, volume_ul, interval_ms, ... */
	char unit[16];
	char requirement[32];  /* requirement ID from the spec */
	double target;         /* the setting it aims at (NAN: none) */
	size_t n;
	double mean, sd, min, max;
	double lsl, usl;       /* limits on every value / the TI (NAN: none) */
	double mean_lo, mean_hi; /* limits on the mean (NAN: none) */
	double ti_lo, ti_hi, k;  /* tolerance interval mean ± k sd (NAN: not asked) */
	double confidence, coverage;
	char ti_method[20];    /* how the TI was made: exact, howe, natrella,
	                        * distribution-free; "" when no TI was asked */
	size_t ti_rank_lo, ti_rank_hi; /* distribution-free: the order statistics
	                                * taken as TI ends (1-based; 0: none) */
	size_t ti_n_required;  /* distribution-free: the fewest values such an
	                        * interval needs at this confidence/coverage */
	double normality_a2;   /* Anderson-Darling A2* (NAN: not tested, n < 8) */
	double normality_p;    /* its p-value */
	double normality_alpha; /* normality rejected when p < this */
	double cpk, cpk_lo;    /* Cpk and its lower 95 % bound (Bissell) */
	double uncertainty;    /* expanded uncertainty U of one value (k: the fixture's) */
	double guard_band;     /* how far the acceptance zone sits inside every
	                        * limit (mean, TI and single values): U */
	long count, expected;  /* exact-count acceptance (-1: not a count) */
	enum verdict verdict;
	char reason[400];      /* why not PASS, in words (every clause) */
	size_t value_at, nvalues; /* the values judged: step values[value_at ..] */
};

struct shot_row {
	uint32_t shot;         /* 1-based within the step */
	uint32_t burst;        /* 1-based within the step */
	double t_s;            /* onset on the bench clock */
	double depth_mm, volume_ul;
	double interval_ms;    /* to the next onset in the same burst; NAN for the last */
	double u_depth_mm;     /* Type A standard uncertainty of depth (noise); NAN: not journaled */
	double u_volume_ul;    /* Type A standard uncertainty of volume; NAN: none */
	unsigned flags;        /* enum shot_flag */
	/* The points measurement read the numbers from (struct shot,
	 * rig/measure/shots.h), in scans of the burst's capture: journaled
	 * with the burst, drawn by the waveform figure, compared bit for bit
	 * by rig verify --deep. NAN: not journaled. */
	double baseline_mm;    /* needle retracted; the crest is baseline_mm + depth_mm */
	double onset_scan, peak_scan, end_scan;
	double baseline_from, baseline_to;        /* the baseline's window [from, to) */
	double level_before_ul, level_after_ul;   /* settled plunger levels (volume: after - before) */
	double before_from, before_to, after_from, after_to; /* their windows */
};

/* The per-shot numbers a burst journals, one array each, in this order
 * (t_s, depth_mm, volume_ul, u_depth_mm, u_volume_ul, then the points
 * above); NULL-terminated. */
struct shot_field {
	const char *name;
	size_t offset;         /* of a double in struct shot_row */
};
extern const struct shot_field shot_fields[];
double shot_field_get(const struct shot_row *r, const struct shot_field *f);
void shot_field_set(struct shot_row *r, const struct shot_field *f, double v);

/* interval_ms of rows[0..n), one burst's shots, from their onsets. */
void shot_rows_link(struct shot_row *rows, size_t n);
/* 1 when a and b hold the same shot bit for bit (every shot_fields
 * number and the flags), else 0. */
int shot_row_same(const struct shot_row *a, const struct shot_row *b);

/* A capture's signal quality, as its `signal` event journaled
 * (docs/measurement.md, "Signal quality"). */
struct signal_record {
	int have;              /* 0: no signal event for the capture */
	double noise_mm, hum_mm, hum_hz, plunger_noise_ul; /* NAN: not known */
	uint64_t clipped_samples;
	int stuck;
	double u_depth_mm, u_volume_ul; /* Type A, rms over the capture's shots */
	uint32_t clipped_shots, ambiguous_shots;
};

/* A raw capture file of a step, with what its signals were like. */
struct artifact {
	char name[160];        /* relative to the run directory */
	char sha256[65];
	uint32_t burst;        /* 1-based within the step */
	struct signal_record signal;
};

/* The error of a step that judged nothing (it ends ERROR). */
#define STEP_JUDGED_NOTHING "step judged nothing"

/* DOSE-GRAV's conversion of a balance reading (ISO 8655-6), as made in the step. */
struct gravimetric_record {
	int have;
	double grams;          /* net reading converted */
	double seconds;        /* since the tare: evaporation time */
	double z_ul_per_mg;    /* Z factor at the fixture's environment */
	double evaporation_mg; /* added back */
	double volume_ul;      /* the result */
};

#define STEP_MAX_READINGS 8

struct step_record {
	char id[64];           /* unique in the run: REQUIREMENT@setting */
	char requirement[32];
	char label[64];        /* the setting in words, e.g. "4 mm" */
	struct uut_settings setting;
	char started[32], ended[32]; /* ISO 8601 UTC */
	enum verdict verdict;
	char error[512];       /* why ERROR */
	struct measurement *m;
	size_t nm, m_cap;
	struct shot_row *shots;
	size_t nshots, shots_cap;
	uint32_t bursts;
	struct artifact *captures;   /* raw capture files of this step */
	size_t ncaptures, captures_cap;
	double *values;              /* every measurement's judged values, in turn */
	size_t nvalues, values_cap;
	double readings_g[STEP_MAX_READINGS]; /* stable balance readings, in order */
	size_t nreadings;
	struct gravimetric_record grav;
};

struct source_file {
	char path[4096];
	char sha256[65];
};

/* A run option given with --param NAME=VALUE (rig.params in scripts). */
struct run_param {
	char name[32];
	char value[256];
};

#define RUN_MAX_PARAMS 16

/*
 * What a spec module declares (scripts/specs/NAME.lua): which unit models it
 * applies to, and per requirement the settings a run must judge it at and
 * the fewest shots per setting. A run that loads a spec is bound to it.
 */
#define SPEC_MAX_MODELS 8
#define SPEC_MAX_REQUIREMENTS 16
#define SPEC_MAX_VALUES 16

struct spec_requirement {
	char id[32];
	char setting[16];      /* depth_mm, dose_ul or rate_per_min; "" : every burst */
	double at[SPEC_MAX_VALUES];
	size_t nat;
	size_t min_shots;      /* per setting (0: any) */
};

struct spec_decl {
	char name[32];         /* "" : the run loaded no spec */
	char revision[16];
	char path[4096];       /* the module it came from (a source_file path) */
	char models[SPEC_MAX_MODELS][32];
	size_t nmodels;
	struct spec_requirement req[SPEC_MAX_REQUIREMENTS];
	size_t nreq;
};

/* A journaled event an auditor must see in the reports: an operator
 * prompt and its answer, a note (rig.log), a calibration override. */
struct run_note {
	char kind[16];         /* "prompt", "log", "calibration" */
	char step[64];         /* "" : between steps */
	char time[32];
	char message[400];
	char answer[64];       /* prompts: "automatic (batch)", "continue", ... */
};

struct run_record {
	char id[64];
	char rig_version[32];
	char started[32], ended[32];
	char station[64];
	char socket[16];        /* the fixture socket the unit was in; "" none */
	char operator_name[64];
	char out_dir[4096];
	struct source_file script;
	struct source_file modules[16]; /* specs and libraries the script required */
	size_t nmodules;
	struct source_file fixture_file;
	struct source_file sim_unit;    /* path "" when not on the sim bench */
	uint64_t seed;
	int sim;
	int allow_expired_cal;          /* the interlock was overridden */
	int batch;                      /* prompts were answered automatically */
	struct uut_identity uut;        /* after any flash: what was judged */
	char scanned_serial[64];        /* what the operator scanned (--serial); "" none */
	struct source_file firmware_image; /* flashed in the run; path "" if none */
	struct run_param params[RUN_MAX_PARAMS];
	size_t nparams;
	enum verdict verdict;
	char error[512];                /* why the run could not complete */
	char safety_stop[512];          /* why a safety limit stopped it ("" if none) */
	struct step_record *steps;
	size_t nsteps, steps_cap;
	struct spec_decl spec;
	struct run_note *notes;
	size_t nnotes, notes_cap;
	char station_key_id[17];        /* of the key that signs the run ("" unknown) */
};

void run_record_init(struct run_record *r);
void run_record_release(struct run_record *r);

/* New step at the end; NULL on out of memory. */
struct step_record *run_record_add_step(struct run_record *r);
struct measurement *step_add_measurement(struct step_record *s);
struct shot_row *step_add_shot(struct step_record *s);
struct artifact *step_add_capture(struct step_record *s);
struct run_note *run_record_add_note(struct run_record *r);

/* Keep the n values m was judged from with the step (sets m->value_at and
 * m->nvalues). 0 or RIG_ERR_NOMEM. */
int step_keep_values(struct step_record *s, struct measurement *m, const double *x, size_t n);

/* Recompute step and run verdicts from the measurements. */
void run_record_settle(struct run_record *r);

/* A measurement with every number NAN and no verdict. */
void measurement_init(struct measurement *m);

#endif
