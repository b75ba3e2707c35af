/*
 * Uncertainty budget by the GUM (JCGM 100:2008): each input quantity's
 * standard uncertainty from its stated distribution (4.3.7 normal with a
 * coverage factor, 4.3.7-4.3.9 rectangular, triangular; the U-shaped
 * (arcsine) law of EA-4/02 for sinusoidal temperature cycling), combined
 * by the law of propagation for uncorrelated inputs (5.1.2), effective
 * degrees of freedom by Welch-Satterthwaite (G.4.1) and the coverage
 * factor from Student's t (G.3, Table G.2).
 */
#include <math.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/stats/stats.h"
#include "rig/stats/msa.h"

static const char *const dist_names[] = {
	[GUM_NORMAL] = "normal",
	[GUM_RECTANGULAR] = "rectangular",
	[GUM_TRIANGULAR] = "triangular",
	[GUM_U_SHAPED] = "u-shaped",
};

const char *gum_dist_name(enum gum_dist d)
{
	return (unsigned)d < sizeof(dist_names) / sizeof(dist_names[0]) ? dist_names[d] : "?";
}

int gum_dist_parse(const char *name, enum gum_dist *d)
{
	for (unsigned i = 0; i < sizeof(dist_names) / sizeof(dist_names[0]); i++)
		if (!strcmp(name, dist_names[i])) {
			*d = (enum gum_dist)i;
			return 0;
		}
	return rig_error(RIG_ERR_INVALID,
			 "unknown distribution '%s' (normal, rectangular, triangular, u-shaped)",
			 name);
}

static double standard_u(const struct gum_component *c)
{
	switch (c->dist) {
	case GUM_NORMAL: return c->value / c->k;
	case GUM_RECTANGULAR: return c->value / sqrt(3);
	case GUM_TRIANGULAR: return c->value / sqrt(6);
	case GUM_U_SHAPED: return c->value / sqrt(2);
	}
	return NAN;
}

int gum_combine(struct gum_component *c, size_t n, double p, struct gum_budget *b)
{
	double sum2 = 0, ws = 0;

	if (n == 0 || !(p > 0 && p < 1))
		return rig_error(RIG_ERR_INVALID, "an uncertainty budget needs at least one "
				 "component and a coverage probability in (0, 1)");
	for (size_t i = 0; i < n; i++) {
		const char *name = c[i].name ? c[i].name : "?";

		if ((unsigned)c[i].dist > GUM_U_SHAPED)
			return rig_error(RIG_ERR_INVALID, "component '%s': unknown distribution",
					 name);
		if (!(c[i].value >= 0 && isfinite(c[i].value)))
			return rig_error(RIG_ERR_INVALID,
					 "component '%s': the value must be a finite number >= 0",
					 name);
		if (c[i].dist == GUM_NORMAL && !(c[i].k > 0 && isfinite(c[i].k)))
			return rig_error(RIG_ERR_INVALID,
					 "component '%s': the coverage factor k must be > 0", name);
		if (!isfinite(c[i].sensitivity))
			return rig_error(RIG_ERR_INVALID,
					 "component '%s': the sensitivity must be a finite number",
					 name);
		if (!(c[i].dof > 0))
			return rig_error(RIG_ERR_INVALID,
					 "component '%s': the degrees of freedom must be > 0", name);
		c[i].u = standard_u(&c[i]);
		c[i].contribution = fabs(c[i].sensitivity) * c[i].u;
		sum2 += c[i].contribution * c[i].contribution;
	}
	b->uc = sqrt(sum2);
	for (size_t i = 0; i < n; i++) {
		double ui = c[i].contribution;

		c[i].share = sum2 > 0 ? 100 * ui * ui / sum2 : NAN;
		if (isfinite(c[i].dof) && ui > 0)
			ws += ui * ui * ui * ui / c[i].dof;
	}
	b->dof_eff = ws > 0 ? sum2 * sum2 / ws : INFINITY;
	/* GUM G.4.1: with a table, truncate to the next lower integer. */
	b->dof_used = b->dof_eff >= 1 ? floor(b->dof_eff) : b->dof_eff;
	b->p = p;
	b->k = isinf(b->dof_used) ? stats_normal_quantile((1 + p) / 2)
				  : stats_t_quantile((1 + p) / 2, b->dof_used);
	b->expanded = b->k * b->uc;
	return 0;
}
