/* The practical thresholds of a spec: its `regression` table. */
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/regress/compare.h"

static int read_requirement(struct df_table *reqs, const char *name, struct regress_threshold *t)
{
	static const char *const keys[] = { "mean", "mean_pct", "sd_ratio", "cpk_min", NULL };
	struct df_table r;
	int rc = df_table(reqs, name, &r);

	if (rc <= 0)
		return rc < 0 ? rc : df_fail(reqs, name, "missing");
	snprintf(t->requirement, sizeof(t->requirement), "%s", name);
	t->mean = t->mean_pct = t->sd_ratio = t->cpk_min = NAN;
	if ((rc = df_check_keys(&r, keys)) >= 0 &&
	    (rc = df_number_in(&r, "mean", 0, 1e9, &t->mean)) >= 0 &&
	    (rc = df_number_in(&r, "mean_pct", 0, 100, &t->mean_pct)) >= 0 &&
	    (rc = df_number_in(&r, "sd_ratio", 1, 100, &t->sd_ratio)) >= 0)
		rc = df_number_in(&r, "cpk_min", 0, 100, &t->cpk_min);
	df_close(&r);
	return rc < 0 ? rc : 0;
}

static int read_regression(struct df_table *root, struct regress_spec *s)
{
	static const char *const keys[] = { "alpha", "requirements", NULL };
	struct df_table reg, reqs;
	int rc = df_table(root, "regression", &reg);

	if (rc == 0)
		return rig_error(RIG_ERR_INVALID, "%s: no regression table (thresholds for rig diff: "
				 "see docs/regression.md)", s->path);
	if (rc < 0)
		return rc;
	if ((rc = df_check_keys(&reg, keys)) < 0 ||
	    (rc = df_number_in(&reg, "alpha", 1e-6, 0.5, &s->alpha)) < 0 ||
	    (rc = df_table(&reg, "requirements", &reqs)) <= 0) {
		df_close(&reg);
		return rc < 0 ? rc : df_fail(&reg, "requirements", "missing");
	}
	/* Collect the names first: df_table pushes on the stack lua_next walks. */
	{
		char names[REGRESS_MAX_REQUIREMENTS][32];
		size_t n = 0;
		lua_State *L = reqs.df->L;

		lua_pushnil(L);
		while (lua_next(L, reqs.idx)) {
			size_t len = 0;

			lua_pop(L, 1);
			if (lua_type(L, -1) == LUA_TSTRING)
				lua_tolstring(L, -1, &len);
			if (lua_type(L, -1) != LUA_TSTRING || n == REGRESS_MAX_REQUIREMENTS ||
			    len >= sizeof(names[0]) || strlen(lua_tostring(L, -1)) != len) {
				lua_pop(L, 1);
				rc = df_fail(&reqs, NULL, "keys must be requirement IDs of up to 31 "
					     "characters, at most %d", REGRESS_MAX_REQUIREMENTS);
				break;
			}
			snprintf(names[n++], sizeof(names[0]), "%s", lua_tostring(L, -1));
		}
		for (size_t i = 0; rc >= 0 && i < n; i++)
			rc = read_requirement(&reqs, names[i], &s->t[s->n++]);
	}
	df_close(&reqs);
	df_close(&reg);
	return rc < 0 ? rc : 0;
}

int regress_spec_load(struct regress_spec *s, const char *path)
{
	struct datafile df;
	struct df_table root;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->alpha = 0.05;
	rc = datafile_load(&df, path, &root);
	if (rc == 0)
		rc = read_regression(&root, s);
	datafile_release(&df);
	if (rc == 0)
		rc = file_sha256_hex(path, s->sha256);
	return rc < 0 ? rc : 0;
}

const struct regress_threshold *regress_threshold(const struct regress_spec *s,
						  const char *requirement)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->t[i].requirement, requirement))
			return &s->t[i];
	return NULL;
}
