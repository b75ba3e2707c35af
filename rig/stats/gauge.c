/*
 * Type 1 gauge study (VDA 5, 2011, 4.1; Robert Bosch GmbH, Booklet 10,
 * "Capability of Measurement and Test Processes", 2010): one reference
 * part of known value measured n times (typically 50) by one operator.
 * The gauge may spend `percent` (20 %) of the tolerance T on itself:
 *
 *     Cg  = (percent/100 T) / (L s)
 *     Cgk = (percent/200 T - |bias|) / (L/2 s)
 *
 * with L = 6 (Minitab, most VDA 5 practice) or 4 (Bosch booklet 10); both
 * require Cg, Cgk >= 1.33. The bias is tested against zero with Student's t.
 */
#include <math.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"
#include "rig/stats/msa.h"

int type1_study(const double *x, size_t n, double reference, double tolerance, int sigmas,
		struct type1_result *r)
{
	struct sample_stats s;
	double share, se;

	if (n < 2 || !isfinite(reference) || !(tolerance > 0 && isfinite(tolerance)) ||
	    (sigmas != TYPE1_6SIGMA && sigmas != TYPE1_4SIGMA))
		return rig_error(RIG_ERR_INVALID, "a Type 1 study needs at least 2 values, a finite "
				 "reference, a tolerance > 0 and 4 or 6 sigma");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return rig_error(RIG_ERR_INVALID,
					 "Type 1 value %zu is not a finite number", i + 1);
	stats_describe(x, n, &s);
	r->n = n;
	r->reference = reference;
	r->tolerance = tolerance;
	r->percent = 20;
	r->sigmas = sigmas;
	r->mean = s.mean;
	r->sd = s.sd;
	r->bias = s.mean - reference;
	r->df = (double)(n - 1);
	se = s.sd / sqrt((double)n);
	if (se > 0) {
		r->t = r->bias / se;
		r->p = 2 * stats_t_cdf(-fabs(r->t), r->df);
	} else {
		r->t = r->bias == 0 ? 0 : copysign(INFINITY, r->bias);
		r->p = r->bias == 0 ? 1 : 0;
	}
	share = r->percent / 100 * tolerance;
	if (s.sd > 0) {
		r->cg = share / (sigmas * s.sd);
		r->cgk = (share / 2 - fabs(r->bias)) / (sigmas / 2.0 * s.sd);
	} else {
		r->cg = INFINITY;
		r->cgk = fabs(r->bias) < share / 2 ? INFINITY
			 : fabs(r->bias) == share / 2 ? 0 : -INFINITY;
	}
	r->pct_repeat = r->percent / r->cg;
	r->pct_repeat_bias = r->cgk > 0 ? r->percent / r->cgk : INFINITY;
	r->capable = r->cg >= TYPE1_MIN_CG && r->cgk >= TYPE1_MIN_CG;
	return 0;
}

int stats_range_constants(size_t n, double *d2, double *d3)
{
	static const double D2[] = { 1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078,
				     3.173, 3.258, 3.336, 3.407, 3.472, 3.532, 3.588, 3.640, 3.689,
				     3.735 };
	static const double D3[] = { 0.853, 0.888, 0.880, 0.864, 0.848, 0.833, 0.820, 0.808, 0.797,
				     0.787, 0.778, 0.770, 0.763, 0.756, 0.750, 0.744, 0.739, 0.734,
				     0.729 };

	if (n < 2 || n > 20)
		return rig_error(RIG_ERR_INVALID, "range constants are tabulated for 2 to 20 values, "
				 "not %zu", n);
	*d2 = D2[n - 2];
	*d3 = D3[n - 2];
	return 0;
}
