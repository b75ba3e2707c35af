#ifndef RIG_STATS_MSA_H
#define RIG_STATS_MSA_H

/*
 * Measurement-system analysis: is the station itself good enough to
 * accept or reject product? A crossed gauge R&R study by the ANOVA method
 * (AIAG MSA, 4th ed., 2010, ch. III-B), a Type 1 gauge study (bias and
 * Cg/Cgk; VDA 5, Bosch booklet 10) and an uncertainty budget combined by
 * the GUM (JCGM 100:2008) with Welch-Satterthwaite degrees of freedom.
 * docs/msa.md explains every figure.
 */
#include <stddef.h>

/* One row of an ANOVA table. f and p are NAN where the row has none
 * (repeatability, total) or the denominator mean square is zero. */
struct anova_row {
	double df, ss, ms, f, p;
};

enum grr_verdict {
	GRR_ACCEPTABLE,    /* %GRR < 10 % and ndc >= 5 */
	GRR_CONDITIONAL,   /* 10 % <= %GRR <= 30 % and ndc >= 5 */
	GRR_UNACCEPTABLE,  /* %GRR > 30 %, or ndc < 5 */
};

const char *grr_verdict_name(enum grr_verdict v);

/* The sources of variation in the order reports print them. */
enum grr_source {
	GRR_TOTAL_GRR,       /* repeatability + reproducibility */
	GRR_REPEATABILITY,   /* equipment variation (EV) */
	GRR_REPRODUCIBILITY, /* appraiser variation (AV) incl. interaction */
	GRR_OPERATOR,
	GRR_INTERACTION,     /* part x operator */
	GRR_PART,            /* part-to-part variation (PV) */
	GRR_TOTAL,           /* total variation (TV) */
	GRR_SOURCES
};

const char *grr_source_name(enum grr_source s);

struct grr_component {
	double var;          /* variance component (negative estimates set to 0) */
	double contribution; /* % of the total variance */
	double sd;
	double study_var;    /* k_sigma * sd */
	double pct_study;    /* % of the total study variation */
	double pct_tol;      /* % of the tolerance; NAN without one */
};

struct grr_options {
	double alpha_interaction; /* pool the interaction when its p >= this (0.05) */
	double k_sigma;           /* study variation multiplier: 6 (99.73 %) or 5.15 (99 %) */
	double tolerance;         /* usl - lsl; NAN when the spec gives only one limit */
};

void grr_options_default(struct grr_options *o);

struct grr_result {
	size_t parts, operators, trials;
	/* The full two-way model with interaction: Part and Operator are
	 * tested against Part x Operator (random effects), the interaction
	 * against repeatability. */
	struct anova_row part, oper, inter, repeat, total;
	/* Without the interaction (valid when pooled): Part and Operator
	 * tested against the pooled repeatability. */
	struct anova_row part_r, oper_r, repeat_r;
	int pooled;       /* the interaction was not significant and is pooled */
	struct grr_component c[GRR_SOURCES];
	int ndc;          /* floor(1.41 PV / GRR); 0 when GRR is 0 and PV too */
	double pct_grr;   /* the figure judged: %Study Var of GRR, or %Tolerance
			   * when a tolerance is given and it is the larger */
	enum grr_verdict verdict;
};

/*
 * y[(part * operators + operator) * trials + trial]: every part measured
 * `trials` times by every operator (balanced, crossed). Needs parts >= 2,
 * operators >= 2, trials >= 2, finite values; RIG_ERR_INVALID otherwise.
 */
int grr_anova(const double *y, size_t parts, size_t operators, size_t trials,
	      const struct grr_options *o, struct grr_result *r);

/* Control-chart constants of the range of n normal values (2 <= n <= 20):
 * d2 = E[R]/sigma, d3 = sd(R)/sigma (ASTM STP 15D; Montgomery, Introduction
 * to SQC, Appendix VI). X-bar limits are mean ± 3/(d2 sqrt n) R-bar, R
 * limits (1 ± 3 d3/d2) R-bar. RIG_ERR_INVALID outside the table. */
int stats_range_constants(size_t n, double *d2, double *d3);

enum type1_sigma {
	TYPE1_6SIGMA = 6, /* Cg = 0.2 T / 6 s (Minitab, VDA 5 practice) */
	TYPE1_4SIGMA = 4, /* Cg = 0.2 T / 4 s (Bosch booklet 10) */
};

struct type1_result {
	size_t n;
	double reference, tolerance, percent;  /* percent of T the gauge may use (20) */
	int sigmas;                            /* 6 or 4 */
	double mean, sd, bias;
	double t, df, p;                       /* bias t-test: t = bias / (s / sqrt n) */
	double cg, cgk;
	double pct_repeat, pct_repeat_bias;    /* percent / Cg, percent / Cgk (Minitab %Var) */
	int capable;                           /* Cg >= 1.33 and Cgk >= 1.33 */
};

#define TYPE1_MIN_CG 1.33

/* x: n >= 2 repeated measurements of one reference part; tolerance > 0. */
int type1_study(const double *x, size_t n, double reference, double tolerance, int sigmas,
		struct type1_result *r);

enum gum_dist {
	GUM_NORMAL,      /* value is an expanded uncertainty with coverage factor k */
	GUM_RECTANGULAR, /* value is the half-width a: u = a / sqrt 3 */
	GUM_TRIANGULAR,  /* half-width a: u = a / sqrt 6 */
	GUM_U_SHAPED,    /* half-width a (arcsine): u = a / sqrt 2 */
};

/* "normal", "rectangular", "triangular", "u-shaped"; parse RIG_ERR_INVALID. */
const char *gum_dist_name(enum gum_dist d);
int gum_dist_parse(const char *name, enum gum_dist *d);

struct gum_component {
	const char *name;
	enum gum_dist dist;
	double value;        /* see enum gum_dist; for a Type A standard uncertainty, normal with k = 1 */
	double k;            /* coverage factor of a normal value (> 0) */
	double sensitivity;  /* c_i = dy/dx_i */
	double dof;          /* degrees of freedom; INFINITY when exactly known */
	/* filled in by gum_combine: */
	double u;            /* standard uncertainty of x_i */
	double contribution; /* |c_i| u(x_i) */
	double share;        /* % of u_c^2 */
};

struct gum_budget {
	double uc;           /* combined standard uncertainty */
	double dof_eff;      /* Welch-Satterthwaite; INFINITY when every dof is */
	double dof_used;     /* dof_eff truncated to an integer (GUM G.4.1); k uses it */
	double p;            /* coverage probability (0.9545) */
	double k;            /* Student t_p(dof_used) */
	double expanded;     /* U = k u_c */
};

/* Combine n components (n >= 1) at coverage probability p (0 < p < 1). */
int gum_combine(struct gum_component *c, size_t n, double p, struct gum_budget *b);

#define GUM_P_DEFAULT 0.9545

#endif
