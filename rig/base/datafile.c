#include "rig/base/datafile.h"

#include <ctype.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"
#include "rig/base/sandbox.h"
#include "rig/base/utf8.h"

/* Data files are small: a budget that a correct file never approaches. */
#define DATAFILE_MEMORY (16u << 20)
#define DATAFILE_INSTRUCTIONS 10000000ull
/* Wall clock, for what the instruction budget cannot see: a C library call
 * that spins (a backtracking pattern), stopped by the watchdog. */
#define DATAFILE_SECONDS 2

static int is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Skip a string literal or comment starting at s[i]; returns the index after it. */
static size_t skip_literal(const char *s, size_t n, size_t i)
{
	if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
		while (i < n && s[i] != '\n')
			i++;
		return i;
	}
	if (s[i] == '"' || s[i] == '\'') {
		char q = s[i++];

		while (i < n && s[i] != q && s[i] != '\n')
			i += (s[i] == '\\') ? 2 : 1;
		return i + 1;
	}
	return i;
}

static int line_at(const struct datafile *df, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && i < df->size; i++)
		line += df->source[i] == '\n';
	return line;
}

int datafile_line_of(const struct datafile *df, size_t from, const char *key, size_t *found_at)
{
	size_t klen = strlen(key);
	const char *s = df->source;
	size_t n = df->size;

	for (size_t i = from; i + klen <= n; i++) {
		size_t j = skip_literal(s, n, i);

		if (j != i) {
			i = j - 1;
			continue;
		}
		if (memcmp(s + i, key, klen) != 0 || (i > 0 && is_ident((unsigned char)s[i - 1])) ||
		    (i + klen < n && is_ident((unsigned char)s[i + klen])))
			continue;
		j = i + klen;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && s[j] == '=' && (j + 1 >= n || s[j + 1] != '=')) {
			if (found_at)
				*found_at = j + 1;
			return line_at(df, i);
		}
	}
	return 0;
}

/* Offset of the i-th table constructor one level inside the one at from. */
static size_t nth_inner_table(const struct datafile *df, size_t from, size_t nth)
{
	const char *s = df->source;
	size_t n = df->size;
	int depth = 0;
	size_t seen = 0;

	for (size_t i = from; i < n; i++) {
		size_t j = skip_literal(s, n, i);

		if (j != i) {
			i = j - 1;
			continue;
		}
		if (s[i] == '{') {
			depth++;
			if (depth == 2 && ++seen == nth)
				return i;
		} else if (s[i] == '}' && --depth <= 0) {
			break;
		}
	}
	return from;
}

static void vfail_message(struct df_table *t, const char *key, char *buf, size_t len,
			  const char *fmt, va_list ap)
{
	int line = key ? datafile_line_of(t->df, t->from, key, NULL) : 0;
	char what[512];
	int off;

	if (!line)
		line = line_at(t->df, t->from);
	vsnprintf(what, sizeof(what), fmt, ap);
	off = snprintf(buf, len, "%s:%d: ", t->df->path, line);
	if (off < 0 || (size_t)off >= len)
		return;
	if (t->where[0] || key)
		off += snprintf(buf + off, len - (size_t)off, "%s%s%s: ", t->where,
				(t->where[0] && key) ? "." : "", key ? key : "");
	if (off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - (size_t)off, "%s", what);
}

int df_fail(struct df_table *t, const char *key, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vfail_message(t, key, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rig_error(RIG_ERR_INVALID, "%s", msg);
}

/* Data is plain tables: a metatable would make what rig reads differ from
 * what the file says. */
static int has_metatable(lua_State *L)
{
	if (!lua_getmetatable(L, -1))
		return 0;
	lua_pop(L, 1);
	return 1;
}

static int run_source(struct datafile *df, const char *path, struct df_table *t);

int datafile_load(struct datafile *df, const char *path, struct df_table *t)
{
	int rc;

	memset(df, 0, sizeof(*df));
	if ((rc = path_format(df->path, sizeof(df->path), "%s", path)) != 0)
		return rc;
	rc = file_read_all(path, DATAFILE_MAX_BYTES, &df->source, &df->size);
	return rc ? rc : run_source(df, path, t);
}

int datafile_load_text(struct datafile *df, const char *path, const void *text, size_t len,
		       struct df_table *t)
{
	memset(df, 0, sizeof(*df));
	snprintf(df->path, sizeof(df->path), "%s", path);
	if (len > DATAFILE_MAX_BYTES)
		return rig_error(RIG_ERR_INVALID, "%s: larger than %u bytes", path,
				 DATAFILE_MAX_BYTES);
	df->source = malloc(len + 1);
	if (!df->source)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	memcpy(df->source, text, len);
	df->source[len] = '\0';
	df->size = len;
	return run_source(df, path, t);
}

static int run_source(struct datafile *df, const char *path, struct df_table *t)
{
	lua_State *L;
	int rc;

	L = df->L = sandbox_new(DATAFILE_MEMORY);
	if (!L)
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	sandbox_set_budget(L, DATAFILE_INSTRUCTIONS);
	sandbox_set_deadline(L, DATAFILE_SECONDS, "a data file");
	sandbox_watch(L, path);
	rc = sandbox_load(L, df->source, df->size, path);
	if (rc == LUA_OK)
		rc = sandbox_pcall(L, 0, 1, 0);
	sandbox_unwatch(L);
	if (rc != LUA_OK) {
		char full[4800];
		const char *msg = sandbox_full_name(L, lua_tostring(L, -1), full, sizeof(full));

		if (!msg)
			msg = "error object is not a string";
		/* Lua's messages read "path:line: what", but for running out of memory. */
		if (strncmp(msg, path, strlen(path)) == 0)
			return rig_error(RIG_ERR_INVALID, "%s", msg);
		return rig_error(RIG_ERR_INVALID, "%s: %s", path, msg);
	}
	if (!lua_istable(L, -1))
		return rig_error(RIG_ERR_INVALID, "%s:1: must return a table, got %s", path,
				 luaL_typename(L, -1));
	if (has_metatable(L))
		return rig_error(RIG_ERR_INVALID, "%s:1: must return a plain table, not one "
				 "with a metatable", path);
	memset(t, 0, sizeof(*t));
	t->df = df;
	t->idx = lua_gettop(L);
	t->from = 0;
	return 0;
}

/* Data is tables, strings, numbers and booleans: what copies between two
 * files' sandboxes. */
#define MERGE_MAX_DEPTH 32

struct merge {
	lua_State *from;
	int b_idx;
	const char *const *skip;
};

/* Push onto `to` a copy of the value at idx of `from`. */
static void copy_value(lua_State *to, lua_State *from, int idx, int depth)
{
	size_t len;
	const char *str;

	idx = lua_absindex(from, idx);
	switch (lua_type(from, idx)) {
	case LUA_TBOOLEAN: lua_pushboolean(to, lua_toboolean(from, idx)); return;
	case LUA_TNUMBER:
		if (lua_isinteger(from, idx))
			lua_pushinteger(to, lua_tointeger(from, idx));
		else
			lua_pushnumber(to, lua_tonumber(from, idx));
		return;
	case LUA_TSTRING:
		str = lua_tolstring(from, idx, &len);
		lua_pushlstring(to, str, len);
		return;
	case LUA_TTABLE:
		if (depth > MERGE_MAX_DEPTH || !lua_checkstack(from, 4))
			luaL_error(to, "tables nested deeper than %d", MERGE_MAX_DEPTH);
		luaL_checkstack(to, 4, "merging");
		lua_newtable(to);
		lua_pushnil(from);
		while (lua_next(from, idx)) {
			copy_value(to, from, -2, depth + 1);
			copy_value(to, from, -1, depth + 1);
			lua_rawset(to, -3);
			lua_pop(from, 1);
		}
		return;
	default:
		luaL_error(to, "the base holds a %s, not data", luaL_typename(from, idx));
	}
}

static int is_record(lua_State *L, int idx)
{
	return lua_type(L, idx) == LUA_TTABLE && lua_rawlen(L, idx) == 0;
}

/* Push item i of the list at idx and its raw `name` field: 1 when that is a string. */
static int item_name(lua_State *L, int idx, lua_Integer i)
{
	if (lua_rawgeti(L, idx, i) != LUA_TTABLE) {
		lua_pushnil(L);
		return 0;
	}
	lua_pushliteral(L, "name");
	return lua_rawget(L, -2) == LUA_TSTRING;
}

/* A list whose every item is a table with a string `name` (channels, sockets). */
static int is_named_list(lua_State *L, int idx)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	int named = lua_type(L, idx) == LUA_TTABLE && n > 0;

	idx = lua_absindex(L, idx);
	for (lua_Integer i = 1; named && i <= n; i++) {
		named = item_name(L, idx, i);
		lua_pop(L, 2);
	}
	return named;
}

static void merge_tables(lua_State *to, int t, lua_State *from, int b, const char *const *skip,
			 int depth);

/*
 * Push onto `to` the base's named list at b (of `from`) amended by the
 * table of named fields at e: each item whose name is a field of e is that
 * field's table with the item merged under it (e's fields over the
 * item's), the others are the item as it is, in the base's order. A field
 * of e naming no item, or not a table, is an error: an amendment neither
 * adds nor removes an item.
 */
static void amend_named_list(lua_State *to, int e, lua_State *from, int b, int depth)
{
	lua_Integer n = (lua_Integer)lua_rawlen(from, b);

	lua_pushnil(to);
	while (lua_next(to, e)) {
		int found = 0;

		if (lua_type(to, -2) != LUA_TSTRING || !is_record(to, -1))
			luaL_error(to, "amending a list by name takes a table for each name");
		for (lua_Integer i = 1; !found && i <= n; i++) {
			item_name(from, b, i);
			found = !strcmp(lua_tostring(from, -1), lua_tostring(to, -2));
			lua_pop(from, 2);
		}
		if (!found)
			luaL_error(to, "\"%s\": the base's list has no entry of that name",
				   lua_tostring(to, -2));
		lua_pop(to, 1);
	}
	lua_createtable(to, (int)n, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		item_name(from, b, i);
		lua_pushstring(to, lua_tostring(from, -1));
		lua_pop(from, 1);                       /* the item stays */
		if (lua_rawget(to, e) == LUA_TNIL) {
			lua_pop(to, 1);
			copy_value(to, from, -1, depth + 1);
		} else {
			merge_tables(to, lua_absindex(to, -1), from, lua_absindex(from, -1), NULL,
				     depth + 1);
		}
		lua_rawseti(to, -2, i);
		lua_pop(from, 1);
	}
}

/* Merge from's table at b under to's table at t (both absolute). */
static void merge_tables(lua_State *to, int t, lua_State *from, int b, const char *const *skip,
			 int depth)
{
	if (depth > MERGE_MAX_DEPTH || !lua_checkstack(from, 4))
		luaL_error(to, "tables nested deeper than %d", MERGE_MAX_DEPTH);
	luaL_checkstack(to, 4, "merging");
	lua_pushnil(from);
	while (lua_next(from, b)) {
		int skipped = 0;

		for (size_t i = 0; skip && skip[i] && lua_type(from, -2) == LUA_TSTRING; i++)
			skipped |= !strcmp(lua_tostring(from, -2), skip[i]);
		if (!skipped) {
			copy_value(to, from, -2, depth + 1);   /* key */
			lua_pushvalue(to, -1);
			lua_rawget(to, t);                    /* key, t[key] */
			if (lua_isnil(to, -1)) {
				lua_pop(to, 1);
				copy_value(to, from, -1, depth + 1);
				lua_rawset(to, t);
			} else if (is_record(to, -1) && is_record(from, -1)) {
				merge_tables(to, lua_absindex(to, -1), from, lua_absindex(from, -1),
					     NULL, depth + 1);
				lua_pop(to, 2);
			} else if (is_record(to, -1) && is_named_list(from, -1)) {
				amend_named_list(to, lua_absindex(to, -1), from,
						 lua_absindex(from, -1), depth + 1);
				lua_remove(to, -2);  /* key, amended list */
				lua_rawset(to, t);
			} else {
				lua_pop(to, 2);
			}
		}
		lua_pop(from, 1);
	}
}

static int merge_protected(lua_State *L)
{
	struct merge *mg = lua_touserdata(L, 1);

	/* The table merged into is argument 2: a called function sees only its own stack. */
	merge_tables(L, 2, mg->from, mg->b_idx, mg->skip, 0);
	return 0;
}

int df_merge_base(struct df_table *t, struct df_table *base, const char *const skip[])
{
	lua_State *L = t->df->L;
	struct merge mg = { base->df->L, base->idx, skip };
	int rc, top = lua_gettop(base->df->L);

	/* Allocation in the sandbox may fail: only inside a protected call. */
	lua_pushcfunction(L, merge_protected);
	lua_pushlightuserdata(L, &mg);
	lua_pushvalue(L, t->idx);
	rc = lua_pcall(L, 2, 0, 0);
	lua_settop(base->df->L, top);
	if (rc != LUA_OK) {
		rc = rig_error(RIG_ERR_INVALID, "%s: merging %s: %s", t->df->path, base->df->path,
			       lua_isstring(L, -1) ? lua_tostring(L, -1) : "out of memory");
		lua_pop(L, 1);
		return rc;
	}
	return 0;
}

void datafile_release(struct datafile *df)
{
	sandbox_close(df->L);
	free(df->source);
	df->L = NULL;
	df->source = NULL;
}

int df_check_keys(struct df_table *t, const char *const allowed[])
{
	lua_State *L = t->df->L;

	lua_pushnil(L);
	while (lua_next(L, t->idx)) {
		const char *k;
		size_t i;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 1);
			return df_fail(t, NULL, "unexpected array item or non-name key");
		}
		k = lua_tostring(L, -1);
		for (i = 0; allowed[i]; i++)
			if (!strcmp(k, allowed[i]))
				break;
		if (!allowed[i]) {
			char known[400] = "";
			size_t off = 0;
			int rc;

			for (i = 0; allowed[i] && off < sizeof(known); i++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
							i ? ", " : "", allowed[i]);
			rc = df_fail(t, k, "unknown field (known: %s)", known);
			lua_pop(L, 1);
			return rc;
		}
	}
	return 0;
}

/* Push t[key]; returns its Lua type (LUA_TNIL when absent). Raw: a
 * metamethod would run file code outside any protected call. */
static int push_field(struct df_table *t, const char *key)
{
	lua_pushstring(t->df->L, key);
	return lua_rawget(t->df->L, t->idx);
}

int df_number(struct df_table *t, const char *key, double *out)
{
	lua_State *L = t->df->L;
	int type = push_field(t, key);
	int rc = 0;

	if (type == LUA_TNUMBER) {
		double v = lua_tonumber(L, -1);

		if (!isfinite(v))
			rc = df_fail(t, key, "must be a finite number");
		else
			*out = v, rc = 1;
	} else if (type != LUA_TNIL) {
		rc = df_fail(t, key, "expected a number, got %s", lua_typename(L, type));
	}
	lua_pop(L, 1);
	return rc;
}

int df_number_in(struct df_table *t, const char *key, double lo, double hi, double *out)
{
	double v = *out;
	int rc = df_number(t, key, &v);

	if (rc == 1 && (v < lo || v > hi))
		return df_fail(t, key, "%g is out of range [%g, %g]", v, lo, hi);
	if (rc == 1)
		*out = v;
	return rc;
}

int df_string(struct df_table *t, const char *key, char *buf, size_t len)
{
	lua_State *L = t->df->L;
	int type = push_field(t, key);
	int rc = 0;

	if (type == LUA_TSTRING) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);

		char why[96];

		if (n >= len || strlen(s) != n)
			rc = df_fail(t, key, "string too long or has a NUL byte (max %zu bytes)",
				     len - 1);
		else if (utf8_problem(s, n, why, sizeof(why)))
			rc = df_fail(t, key, "%s", why);
		else
			memcpy(buf, s, n + 1), rc = 1;
	} else if (type != LUA_TNIL) {
		rc = df_fail(t, key, "expected a string, got %s", lua_typename(L, type));
	}
	lua_pop(L, 1);
	return rc;
}

int df_bool(struct df_table *t, const char *key, int *out)
{
	lua_State *L = t->df->L;
	int type = push_field(t, key);
	int rc = 0;

	if (type == LUA_TBOOLEAN)
		*out = lua_toboolean(L, -1), rc = 1;
	else if (type != LUA_TNIL)
		rc = df_fail(t, key, "expected true or false, got %s", lua_typename(L, type));
	lua_pop(L, 1);
	return rc;
}

static void open_cursor(struct df_table *t, struct df_table *sub, const char *name, size_t from)
{
	sub->df = t->df;
	sub->idx = lua_gettop(t->df->L);
	sub->from = from;
	snprintf(sub->where, sizeof(sub->where), "%.100s%s%.40s", t->where,
		 (t->where[0] && name[0] != '[') ? "." : "", name);
}

int df_table(struct df_table *t, const char *key, struct df_table *sub)
{
	lua_State *L = t->df->L;
	int type = push_field(t, key);
	size_t at = t->from;

	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (type != LUA_TTABLE || has_metatable(L)) {
		lua_pop(L, 1);
		return df_fail(t, key, "expected a plain table, got %s",
			       type == LUA_TTABLE ? "one with a metatable" : lua_typename(L, type));
	}
	if (!datafile_line_of(t->df, t->from, key, &at))
		at = t->from;
	open_cursor(t, sub, key, at);
	return 1;
}

size_t df_len(struct df_table *t)
{
	return (size_t)lua_rawlen(t->df->L, t->idx);
}

int df_item_table(struct df_table *t, size_t i, struct df_table *sub)
{
	lua_State *L = t->df->L;
	char name[32];
	int type = lua_rawgeti(L, t->idx, (lua_Integer)i);

	snprintf(name, sizeof(name), "[%zu]", i);
	if (type != LUA_TTABLE || has_metatable(L)) {
		lua_pop(L, 1);
		return df_fail(t, NULL, "item %zu: expected a plain table, got %s", i,
			       type == LUA_TTABLE ? "one with a metatable" : lua_typename(L, type));
	}
	open_cursor(t, sub, name, nth_inner_table(t->df, t->from, i));
	return 1;
}

int df_item_number(struct df_table *t, size_t i, double *out)
{
	lua_State *L = t->df->L;
	int type = lua_rawgeti(L, t->idx, (lua_Integer)i);
	int rc = 1;

	if (type == LUA_TNUMBER)
		*out = lua_tonumber(L, -1);
	else
		rc = df_fail(t, NULL, "item %zu: expected a number, got %s", i,
			     lua_typename(L, type));
	lua_pop(L, 1);
	return rc;
}

void df_close(struct df_table *sub)
{
	lua_settop(sub->df->L, sub->idx - 1);
}
