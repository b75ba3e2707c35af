/*
 * Normal tolerance-interval factors. docs/statistics.md derives both exact
 * integrals; the approximations are kept to compare against.
 */
#include <math.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"
#include "rig/stats/numeric.h"

/* The integrals are evaluated to this absolute error, k solved to this. */
#define CONF_TOL 1e-12
#define K_TOL 1e-10
#define K_MAX 1e9
/* Integration ranges: the Gaussian weight is below 1e-18 beyond this many sd. */
#define TAIL_SD 9.0

struct tol_problem {
	double n, nu, confidence, coverage;
	double k;          /* the factor being tried */
	double z_half;     /* z_{(1+P)/2} */
	double z_p, delta; /* one-sided: z_P and the noncentrality z_P sqrt(n) */
};

/* Coverage of N(0,1) by [z - r, z + r], minus P. */
static double coverage_miss(double r, void *ctx)
{
	const double *zp = ctx;

	return stats_normal_cdf(zp[0] + r) - stats_normal_cdf(zp[0] - r) - zp[1];
}

/* r(z): half-width around z that covers exactly P of N(0,1). Bracket:
 * r >= z + z_P and r >= z_{(1+P)/2}; r <= z + z_{(1+P)/2}. */
static double half_width(double z, const struct tol_problem *t)
{
	double zp[2] = { z, t->coverage };
	double lo = fmax(t->z_half, z + t->z_p), hi = z + t->z_half;

	if (hi - lo < 1e-15)
		return hi;
	return stats_solve(coverage_miss, zp, lo, hi, 1e-13);
}

/* Integrand of the two-sided confidence in t = z sqrt(n). */
static double two_sided_integrand(double t, void *ctx)
{
	const struct tol_problem *p = ctx;
	double r = half_width(t / sqrt(p->n), p);

	return stats_gamma_q(p->nu / 2, p->nu * r * r / (2 * p->k * p->k)) * exp(-t * t / 2);
}

/*
 * Odeh & Owen (1980), after Wald & Wolfowitz: the confidence that
 * mean ± k sd covers P of the population is
 *   sqrt(2n/pi) ∫_0^∞ Pr[chi2_nu > nu r(z)^2 / k^2] exp(-n z^2 / 2) dz,
 * here with z = t / sqrt(n).
 */
static double two_sided_confidence(double k, void *ctx)
{
	struct tol_problem *p = ctx;

	p->k = k;
	return sqrt(2 / M_PI) *
		       stats_integrate(two_sided_integrand, p, 0, TAIL_SD, CONF_TOL) -
	       p->confidence;
}

/* Density of the chi distribution with nu degrees of freedom, in log form. */
static double chi_density(double s, double nu)
{
	if (s <= 0)
		return 0;
	return exp((nu - 1) * log(s) - s * s / 2 - (nu / 2 - 1) * M_LN2 - lgamma(nu / 2));
}

static double one_sided_integrand(double s, void *ctx)
{
	const struct tol_problem *p = ctx;

	return stats_normal_cdf(p->k * sqrt(p->n) * s / sqrt(p->nu) - p->delta) *
	       chi_density(s, p->nu);
}

/*
 * The confidence of mean + k sd is Pr[T'_{nu,delta} <= k sqrt(n)] for the
 * noncentral t with delta = z_P sqrt(n) (Owen 1968). Written as the mean of
 * Phi(t S / sqrt(nu) - delta) over S ~ chi_nu, whose density is smooth.
 */
static double one_sided_confidence(double k, void *ctx)
{
	struct tol_problem *p = ctx;
	double centre = sqrt(p->nu);

	p->k = k;
	return stats_integrate(one_sided_integrand, p, fmax(0, centre - TAIL_SD),
			       centre + TAIL_SD, CONF_TOL) -
	       p->confidence;
}

/* Widen [lo, hi] until the confidence changes sign across it. */
static int bracket(stats_fn miss, struct tol_problem *p, double *lo, double *hi)
{
	while (miss(*hi, p) < 0) {
		*lo = *hi;
		*hi *= 2;
		if (*hi > K_MAX)
			return rig_error(RIG_ERR_INVALID,
					 "tolerance factor above %g: confidence %g with coverage %g "
					 "is out of reach for n = %.0f",
					 K_MAX, p->confidence, p->coverage, p->n);
	}
	while (miss(*lo, p) > 0)
		*lo = *lo > 0 ? *lo / 2 : *lo * 2 - 1;
	return 0;
}

static int exact_k(struct tol_problem *p, int sides, double *k)
{
	stats_fn miss = sides == 2 ? two_sided_confidence : one_sided_confidence;
	double lo = sides == 2 ? p->z_half / 2 : p->z_p - 1, hi = fmax(1.0, 2 * p->z_half);
	int rc = bracket(miss, p, &lo, &hi);

	if (rc)
		return rc;
	*k = stats_solve(miss, p, lo, hi, K_TOL);
	return isnan(*k) ? rig_error(RIG_ERR_INVALID, "tolerance factor did not converge") : 0;
}

/* Howe (1969): k2 = z_{(1+P)/2} sqrt(nu (1 + 1/n) / chi2_{1-g, nu}). */
static double howe_k(const struct tol_problem *p)
{
	return p->z_half *
	       sqrt(p->nu * (1 + 1 / p->n) / stats_chi2_quantile(1 - p->confidence, p->nu));
}

/* Natrella (1963): k1 = (z_P + sqrt(z_P^2 - ab)) / a with
 * a = 1 - z_g^2 / (2 nu), b = z_P^2 - z_g^2 / n. */
static int natrella_k(const struct tol_problem *p, double *k)
{
	double zg = stats_normal_quantile(p->confidence);
	double a = 1 - zg * zg / (2 * p->nu), b = p->z_p * p->z_p - zg * zg / p->n;

	if (a <= 0 || p->z_p * p->z_p - a * b < 0)
		return rig_error(RIG_ERR_INVALID,
				 "Natrella's approximation does not exist for n = %.0f at "
				 "confidence %g (use the exact method)",
				 p->n, p->confidence);
	*k = (p->z_p + sqrt(p->z_p * p->z_p - a * b)) / a;
	return 0;
}

int stats_tolerance_k(size_t n, double confidence, double coverage, int sides,
		      enum k_method method, double *k)
{
	struct tol_problem p;

	if (n < 2 || !(confidence > 0 && confidence < 1) || !(coverage > 0 && coverage < 1) ||
	    (sides != 1 && sides != 2))
		return rig_error(RIG_ERR_INVALID,
				 "tolerance factor needs n >= 2, confidence and coverage in (0, 1), "
				 "sides 1 or 2");
	if ((method == K_HOWE && sides != 2) || (method == K_NATRELLA && sides != 1))
		return rig_error(RIG_ERR_INVALID, "%s is a %s approximation",
				 stats_k_method_name(method),
				 method == K_HOWE ? "two-sided" : "one-sided");
	memset(&p, 0, sizeof(p));
	p.n = (double)n;
	p.nu = p.n - 1;
	p.confidence = confidence;
	p.coverage = coverage;
	p.z_half = stats_normal_quantile((1 + coverage) / 2);
	p.z_p = stats_normal_quantile(coverage);
	p.delta = p.z_p * sqrt(p.n);
	switch (method) {
	case K_HOWE:
		*k = howe_k(&p);
		return 0;
	case K_NATRELLA:
		return natrella_k(&p, k);
	case K_EXACT:
		break;
	}
	return exact_k(&p, sides, k);
}

static const char *const method_names[] = { [K_EXACT] = "exact", [K_HOWE] = "howe",
					    [K_NATRELLA] = "natrella" };

const char *stats_k_method_name(enum k_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m]
									    : "?";
}

int stats_k_method_parse(const char *name, enum k_method *m)
{
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (!strcmp(name, method_names[i])) {
			*m = (enum k_method)i;
			return 0;
		}
	return rig_error(RIG_ERR_INVALID, "unknown k-factor method \"%s\" (exact, howe or natrella)",
			 name);
}
