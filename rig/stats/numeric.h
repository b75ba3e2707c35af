#ifndef RIG_STATS_NUMERIC_H
#define RIG_STATS_NUMERIC_H

/*
 * Numerical tools the exact statistics are built on; private to rig/stats.
 * Both take the function as a pointer and an opaque context, as
 * qsort() does.
 */

typedef double (*stats_fn)(double x, void *ctx);

/*
 * Integral of f over [a, b] to an absolute error of about tol: adaptive
 * Gauss-Legendre, each panel split in two until the halves agree with the
 * whole. The integrands here are smooth, so a few panels suffice.
 */
double stats_integrate(stats_fn f, void *ctx, double a, double b, double tol);

/*
 * The x in [lo, hi] where f(x) = 0, to within tol (Brent 1973: bisection
 * guarded inverse quadratic interpolation). f(lo) and f(hi) must differ in
 * sign; NAN when they do not.
 */
double stats_solve(stats_fn f, void *ctx, double lo, double hi, double tol);

#endif
