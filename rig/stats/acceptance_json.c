/*
 * A judge's acceptance criteria as JSON: journaled with each measurement,
 * so that rig verify and rig recover judge again exactly what the run
 * judged (rig/run/rederive.c).
 */
#include <stddef.h>
#include <stdio.h>

#include "rig/base/error.h"
#include "rig/base/record_json.h"
#include "rig/stats/judge.h"

#define AFIELD(f) { #f, offsetof(struct acceptance, f) }

static const struct {
	const char *key;
	size_t offset;
} acceptance_numbers[] = {
	AFIELD(target), AFIELD(mean_lo), AFIELD(mean_hi), AFIELD(ti_lo), AFIELD(ti_hi),
	AFIELD(confidence), AFIELD(coverage), AFIELD(normality_alpha), AFIELD(each_lo),
	AFIELD(each_hi),
};

#define N_ANUMBERS (sizeof(acceptance_numbers) / sizeof(acceptance_numbers[0]))

json_t *acceptance_to_json(const struct acceptance *a)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:I}", "requirement", a->requirement, "unit",
			      a->unit, "method", stats_k_method_name(a->method),
			      "distribution_free", a->distribution_free, "count",
			      (json_int_t)a->count);

	for (size_t i = 0; i < N_ANUMBERS; i++)
		json_object_set_new(j, acceptance_numbers[i].key,
				    json_number_or_null(*(const double *)((const char *)a +
						       acceptance_numbers[i].offset)));
	return j;
}

int acceptance_from_json(const json_t *j, struct acceptance *a)
{
	const char *req = json_string_value(json_object_get(j, "requirement"));
	const char *unit = json_string_value(json_object_get(j, "unit"));
	const char *method = json_string_value(json_object_get(j, "method"));
	json_t *count = json_object_get(j, "count");

	acceptance_init(a);
	if (!req || !unit || !method || !json_is_integer(count) ||
	    !json_is_boolean(json_object_get(j, "distribution_free")) ||
	    stats_k_method_parse(method, &a->method) != 0)
		return RIG_ERR_INVALID;
	snprintf(a->requirement, sizeof(a->requirement), "%s", req);
	snprintf(a->unit, sizeof(a->unit), "%s", unit);
	a->distribution_free = json_is_true(json_object_get(j, "distribution_free"));
	a->count = (long)json_integer_value(count);
	for (size_t i = 0; i < N_ANUMBERS; i++) {
		json_t *v = json_object_get(j, acceptance_numbers[i].key);

		if (!v || !(json_is_number(v) || json_is_null(v)))
			return RIG_ERR_INVALID;
		*(double *)((char *)a + acceptance_numbers[i].offset) = json_number_at(j,
			acceptance_numbers[i].key);
	}
	/* What a script could not have given (rig/lua_step.c checks the same). */
	if (!(a->confidence > 0 && a->confidence < 1) || !(a->coverage > 0 && a->coverage < 1) ||
	    !(a->normality_alpha >= 0 && a->normality_alpha < 1) || a->count < -1 ||
	    a->mean_lo > a->mean_hi || a->ti_lo > a->ti_hi || a->each_lo > a->each_hi)
		return RIG_ERR_INVALID;
	return 0;
}
