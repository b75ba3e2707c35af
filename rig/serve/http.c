/*
 * rig serve's HTTP server on libmicrohttpd: routes, authentication, CSRF,
 * limits, the pages and the JSON API (docs/serve.md). A thread per
 * connection, so an event stream may wait for its run without holding
 * anyone else up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/serve/assets.h"
#include "rig/serve/i18n.h"
#include "rig/serve/runs.h"
#include "rig/serve/serve.h"
#include "rig/serve/session.h"
#include "rig/serve/sse.h"
#include "rig/store/store.h"

#define BODY_MAX (16 * 1024)
#define COOKIE "rig_session"

struct request {
	char *body;
	size_t len;
	int too_big;
};

/* ---- responses ---- */

static enum MHD_Result send_response(struct MHD_Connection *c, unsigned status,
				     struct MHD_Response *r, const char *type)
{
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
				 const char *text, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text,
								 MHD_RESPMEM_MUST_COPY);

	if (r)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	return send_response(c, status, r, type);
}

/* Send j (consumed) as JSON. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	enum MHD_Result ok;

	json_decref(j);
	if (!text)
		return MHD_NO;
	ok = send_text(c, status, "application/json", text, strlen(text));
	free(text);
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return send_json(c, status, json_pack("{s:s}", "error", msg));
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"",
								 MHD_RESPMEM_PERSISTENT);

	if (r)
		MHD_add_response_header(r, "Location", to);
	return send_response(c, MHD_HTTP_SEE_OTHER, r, NULL);
}

static enum MHD_Result not_found(struct MHD_Connection *c)
{
	return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

/* ---- pages ---- */

/* The page shell: the app script renders it from the API, in the
 * browser's language. No inline script, so the policy forbids any. */
static enum MHD_Result send_page(struct MHD_Connection *c, const char *page, const char *arg)
{
	const char *lang = i18n_pick(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								 "Accept-Language"));
	json_t *strings = i18n_table(lang);
	char *js = json_dumps(strings, JSON_COMPACT | JSON_ESCAPE_SLASH), *html;
	struct MHD_Response *r;
	size_t len;
	FILE *f;

	json_decref(strings);
	if (!js || !(f = open_memstream(&html, &len))) {
		free(js);
		return MHD_NO;
	}
	/* JSON in a non-script element: '<' escaped so it cannot close it */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<title>rig</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
		"<body data-page=\"%s\" data-arg=\"%s\"><script type=\"application/json\" "
		"id=\"strings\">", lang, page, arg);
	for (const char *p = js; *p; p++)
		if (*p == '<')
			fputs("\\u003c", f);
		else
			fputc(*p, f);
	fputs("</script><header id=\"nav\"></header><main id=\"main\"></main>"
	      "<script src=\"/static/app.js\"></script></body></html>\n", f);
	fclose(f);
	free(js);
	r = MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(html);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Content-Language", lang);
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
				"frame-ancestors 'none'; base-uri 'none'");
	return send_response(c, MHD_HTTP_OK, r, "text/html; charset=utf-8");
}

static enum MHD_Result send_asset(struct MHD_Connection *c, const char *name)
{
	for (int i = 0; i < serve_nassets; i++)
		if (!strcmp(serve_assets[i].name, name)) {
			struct MHD_Response *r = MHD_create_response_from_buffer(
				strlen(serve_assets[i].data), (void *)serve_assets[i].data,
				MHD_RESPMEM_PERSISTENT);

			return send_response(c, MHD_HTTP_OK, r, serve_assets[i].type);
		}
	return not_found(c);
}

/* ---- files of a run directory ---- */

static const char *file_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".pdf", "application/pdf" },
		{ ".xml", "application/xml" }, { ".json", "application/json" },
		{ ".jsonl", "text/plain; charset=utf-8" }, { ".csv", "text/csv; charset=utf-8" },
		{ ".svg", "image/svg+xml" }, { ".pub", "text/plain; charset=utf-8" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ "MANIFEST", "text/plain; charset=utf-8" }, { ".sig", "text/plain; charset=utf-8" },
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t k = strlen(types[i].ext);

		if (n >= k && !strcmp(name + n - k, types[i].ext))
			return types[i].type;
	}
	return "application/octet-stream";
}

/*
 * Open RUNS/ID/REL for reading, or -1. Every component is a plain name
 * (no "", ".", "..", no leading dot) opened without following a symbolic
 * link, and the last must be a regular file: nothing outside the run's
 * directory can be reached, whatever the URL's encoding was.
 */
static int open_run_file(const struct serve_config *cfg, const char *id, const char *rel)
{
	char part[256];
	int dir, fd;

	if (!runs_valid_id(id))
		return -1;
	if ((dir = open(cfg->runs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	fd = openat(dir, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	while (fd >= 0) {
		size_t n = strcspn(rel, "/");
		struct stat st;
		int next;

		if (n == 0 || n >= sizeof(part) || rel[0] == '.' ||
		    strspn(rel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			   "._-@") < n) {
			close(fd);
			return -1;
		}
		memcpy(part, rel, n);
		part[n] = '\0';
		next = openat(fd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			      (rel[n] == '/' ? O_DIRECTORY : 0));
		close(fd);
		fd = next;
		if (fd < 0)
			return -1;
		if (rel[n] != '/') {
			if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
				close(fd);
				return -1;
			}
			return fd;
		}
		rel += n + 1;
	}
	return -1;
}

static enum MHD_Result send_run_file(struct MHD_Connection *c, const struct serve_config *cfg,
				     const char *id, const char *rel)
{
	int fd = open_run_file(cfg, id, rel);
	struct MHD_Response *r;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return not_found(c);
	}
	if (!(r = MHD_create_response_from_fd((uint64_t)st.st_size, fd))) {
		close(fd);
		return MHD_NO;
	}
	/* a report is a document, never a program on this origin */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox");
	return send_response(c, MHD_HTTP_OK, r, file_type(rel));
}

/* ---- authentication ---- */

struct auth {
	int ok;           /* a live session */
	int by_cookie;    /* sent by the browser on its own: needs the CSRF token */
	struct session s;
};

static struct auth authenticate(struct MHD_Connection *c)
{
	const char *bearer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	struct auth a = { 0 };

	if (bearer && !strncmp(bearer, "Bearer ", 7))
		a.ok = session_find(bearer + 7, &a.s);
	else if (cookie && (a.ok = session_find(cookie, &a.s)))
		a.by_cookie = 1;
	return a;
}

static int csrf_ok(struct MHD_Connection *c, const struct auth *a)
{
	const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");

	return !a->by_cookie || (t && session_token_equal(t, a->s.csrf));
}

static void client_addr(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)len);
}

/* ---- the API ---- */

static json_t *parse_body(const struct request *rq)
{
	json_t *j = rq->len ? json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, NULL) : NULL;

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static const char *str_field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static enum MHD_Result api_login(struct MHD_Connection *c, const struct serve_config *cfg,
				 const struct request *rq)
{
	char addr[64], cookie[160];
	json_t *body = parse_body(rq), *reply;
	const char *user = str_field(body, "user"), *pw = str_field(body, "password");
	struct MHD_Response *r;
	struct session s;
	enum role role;
	char *text;
	enum MHD_Result ok;

	client_addr(c, addr, sizeof(addr));
	if (!rate_check(addr, RATE_LOGIN)) {
		json_decref(body);
		return send_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many log-in attempts; wait");
	}
	if (!user || !pw) {
		json_decref(body);
		return send_error(c, MHD_HTTP_BAD_REQUEST, "send {\"user\": ..., \"password\": ...}");
	}
	role = users_check(cfg->users, user, pw);
	if (role == ROLE_NONE || session_create(user, role, &s) != 0) {
		rate_allow(addr, RATE_LOGIN);
		json_decref(body);
		return send_error(c, MHD_HTTP_UNAUTHORIZED, "wrong user name or password");
	}
	json_decref(body);
	reply = json_pack("{s:s, s:s, s:s, s:s}", "user", s.user, "role", role_name(role), "csrf",
			  s.csrf, "token", s.token);
	text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", s.token);
	MHD_add_response_header(r, "Set-Cookie", cookie);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ok = send_response(c, MHD_HTTP_OK, r, "application/json");
	return ok;
}

static enum MHD_Result api_logout(struct MHD_Connection *c, const struct auth *a)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *)"{}",
								 MHD_RESPMEM_PERSISTENT);

	session_destroy(a->s.token);
	if (r)
		MHD_add_response_header(r, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; "
					"SameSite=Strict; Max-Age=0");
	return send_response(c, MHD_HTTP_OK, r, "application/json");
}

static enum MHD_Result api_start(struct MHD_Connection *c, const struct serve_config *cfg,
				 const struct auth *a, const struct request *rq)
{
	json_t *body = parse_body(rq), *sock;
	char id[64];
	int rc, socket = 1;

	if (!body)
		return send_error(c, MHD_HTTP_BAD_REQUEST, "send a JSON object");
	sock = json_object_get(body, "socket");
	if (json_is_integer(sock))
		socket = (int)json_integer_value(sock);
	else if (sock)
		socket = 0;
	rc = runs_start(cfg, str_field(body, "script"), str_field(body, "serial"), socket,
			str_field(body, "unit"), a->s.user, id);
	json_decref(body);
	if (rc == RIG_ERR_DEVICE)
		return send_error(c, MHD_HTTP_CONFLICT, rig_last_error());
	if (rc == RIG_ERR_INVALID)
		return send_error(c, MHD_HTTP_BAD_REQUEST, rig_last_error());
	if (rc)
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, rig_last_error());
	return send_json(c, MHD_HTTP_CREATED, json_pack("{s:s}", "id", id));
}

/* rig verify on the run directory, now: the page shows what the records
 * are at this moment, not when the run ended. */
static enum MHD_Result api_verify(struct MHD_Connection *c, const struct serve_config *cfg,
				  const char *id)
{
	char dir[4200], out[8192];
	const char *args[] = { "verify", dir, NULL };
	int rc;

	if (path_join(dir, sizeof(dir), cfg->runs_dir, id) != 0)
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, rig_last_error());
	rc = runs_rig(cfg, args, out, sizeof(out));
	return send_json(c, MHD_HTTP_OK, json_pack("{s:s, s:i, s:s}", "status",
		rc == 0 ? "intact" : rc == 1 ? "tampered" : "unknown", "exit", rc, "output", out));
}

static enum MHD_Result api_baseline(struct MHD_Connection *c, const struct serve_config *cfg,
				    const struct auth *a, const char *id, const struct request *rq)
{
	json_t *st = runs_state(cfg, id), *body = parse_body(rq), *reply;
	const char *run_id = st ? str_field(st, "run_id") : NULL;
	const char *note = body ? str_field(body, "note") : NULL;
	const char *args[12];
	char out[4096];
	int n = 0, rc;

	if (!run_id || !json_is_string(json_object_get(st, "verdict"))) {
		json_decref(st);
		json_decref(body);
		return send_error(c, MHD_HTTP_CONFLICT, "only a finished run can be a baseline");
	}
	args[n++] = "baseline";
	args[n++] = "set";
	args[n++] = run_id;
	args[n++] = "--operator";
	args[n++] = a->s.user;
	if (note && note[0]) {
		args[n++] = "--note";
		args[n++] = note;
	}
	if (cfg->db[0]) {
		args[n++] = "--db";
		args[n++] = cfg->db;
	}
	args[n] = NULL;
	rc = runs_rig(cfg, args, out, sizeof(out));
	reply = rc == 0 ? json_pack("{s:s}", "baseline", run_id) : json_pack("{s:s}", "error", out);
	json_decref(st);
	json_decref(body);
	return send_json(c, rc == 0 ? MHD_HTTP_OK : MHD_HTTP_CONFLICT, reply);
}

struct history {
	json_t *rows;
	const struct serve_config *cfg;
	const char *from, *to, *serial;
};

static int history_row(void *ctx, const struct store_run_row *row)
{
	struct history *h = ctx;
	size_t n = strlen(h->cfg->runs_dir);
	const char *link = NULL, *scanned;
	json_t *meta;

	/* dates compare as text: ISO 8601 */
	if (h->from && h->from[0] && strncmp(row->started, h->from, strlen(h->from)) < 0)
		return 0;
	if (h->to && h->to[0] && strncmp(row->started, h->to, strlen(h->to)) > 0)
		return 0;
	if (!strncmp(row->out_dir, h->cfg->runs_dir, n) && row->out_dir[n] == '/' &&
	    runs_valid_id(row->out_dir + n + 1))
		link = row->out_dir + n + 1;
	/* the serial the operator scanned, for runs started here */
	meta = link ? runs_meta(h->cfg, link) : NULL;
	scanned = meta ? json_string_value(json_object_get(meta, "serial")) : NULL;
	if (!h->serial || !h->serial[0] || !strcmp(row->serial, h->serial) ||
	    (scanned && !strcmp(scanned, h->serial)))
		json_array_append_new(h->rows, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:I}",
			"run_id", row->id, "started", row->started, "verdict", row->verdict,
			"unit_serial", row->serial, "serial", scanned, "firmware", row->firmware,
			"script", row->script, "id", link, "steps", (json_int_t)row->steps));
	json_decref(meta);
	return json_array_size(h->rows) >= 1000;
}

static int valid_query(const char *s, size_t max)
{
	return !s || (strlen(s) <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
						  "QRSTUVWXYZ0123456789._-:T") == strlen(s));
}

static enum MHD_Result api_history(struct MHD_Connection *c, const struct serve_config *cfg)
{
	const char *serial = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "serial");
	const char *verdict = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "verdict");
	struct store_filter f = { 0 };
	struct history h = { json_array(), cfg, NULL, NULL, NULL };
	struct store st;
	int rc;

	h.from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	h.to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
	if (!valid_query(serial, 31) || !valid_query(verdict, 16) || !valid_query(h.from, 32) ||
	    !valid_query(h.to, 32)) {
		json_decref(h.rows);
		return send_error(c, MHD_HTTP_BAD_REQUEST, "bad filter");
	}
	h.serial = serial;
	f.verdict = verdict && verdict[0] ? verdict : NULL;
	rc = store_open_existing(&st, cfg->db[0] ? cfg->db : NULL);
	if (rc == 0)
		rc = store_list_runs(&st, &f, history_row, &h);
	if (rc == 0 || rc == RIG_ERR_INVALID)
		store_close(&st);
	/* no store yet: no history */
	return send_json(c, MHD_HTTP_OK, json_pack("{s:o}", "runs", h.rows));
}

static enum MHD_Result api_trend(struct MHD_Connection *c, const struct serve_config *cfg)
{
	const char *req = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "requirement");
	char path[8300], out[4096], *svg = NULL;
	const char *args[8];
	int n = 0, rc;
	size_t len;
	enum MHD_Result ok;

	if (!req || !req[0] || !valid_query(req, 31))
		return send_error(c, MHD_HTTP_BAD_REQUEST, "requirement=ID needed");
	if (path_format(path, sizeof(path), "%s/trend-%08x.svg", cfg->meta_dir,
			randombytes_random()) != 0)
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, rig_last_error());
	args[n++] = "trend";
	args[n++] = "--requirement";
	args[n++] = req;
	args[n++] = "--out";
	args[n++] = path;
	if (cfg->db[0]) {
		args[n++] = "--db";
		args[n++] = cfg->db;
	}
	args[n] = NULL;
	rc = runs_rig(cfg, args, out, sizeof(out));
	if ((rc != 0 && rc != 1) || file_read_all(path, 32 << 20, &svg, &len) != 0) {
		unlink(path);
		return send_error(c, MHD_HTTP_NOT_FOUND, out[0] ? out : "no trend");
	}
	unlink(path);
	ok = send_text(c, MHD_HTTP_OK, "image/svg+xml", svg, len);
	free(svg);
	return ok;
}

static enum MHD_Result api_config(struct MHD_Connection *c, const struct serve_config *cfg,
				  const struct auth *a)
{
	return send_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:o, s:o, s:i}",
		"user", a->s.user, "role", role_name(a->s.role), "csrf", a->s.csrf,
		"scripts", runs_list_lua(cfg->scripts_dir), "units", runs_list_lua(cfg->units_dir),
		"sockets", cfg->sockets));
}

/* /api/runs/ID[/what] */
static enum MHD_Result api_run(struct MHD_Connection *c, const struct serve_config *cfg,
			       const struct auth *a, const char *method, const char *rest,
			       const struct request *rq)
{
	char id[64];
	const char *what = "";
	size_t n = strcspn(rest, "/");
	int post = !strcmp(method, "POST");
	json_t *st;

	if (n == 0 || n >= sizeof(id))
		return not_found(c);
	memcpy(id, rest, n);
	id[n] = '\0';
	if (rest[n] == '/')
		what = rest + n + 1;
	if (!runs_valid_id(id) || !(st = runs_state(cfg, id)))
		return not_found(c);
	if (!post && !what[0])
		return send_json(c, MHD_HTTP_OK, st);
	json_decref(st);
	if (!post && !strcmp(what, "events")) {
		const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
		unsigned long long from = last ? strtoull(last, NULL, 10) : 0;

		return send_response(c, MHD_HTTP_OK, sse_response(cfg, id, from), NULL);
	}
	if (!post && !strcmp(what, "verify"))
		return api_verify(c, cfg, id);
	if (!post)
		return not_found(c);
	if (!strcmp(what, "abort") || !strcmp(what, "answer")) {
		json_t *body = !strcmp(what, "answer") ? parse_body(rq) : NULL;
		int rc;

		if (a->s.role < ROLE_OPERATOR)
			return send_error(c, MHD_HTTP_FORBIDDEN, "not allowed for this role");
		if (body) {
			const char *ans = str_field(body, "answer");

			rc = runs_answer(cfg, id, ans ? ans : "");
		} else if (!strcmp(what, "answer"))
			return send_error(c, MHD_HTTP_BAD_REQUEST, "send {\"answer\": ...}");
		else
			rc = runs_abort(cfg, id);
		json_decref(body);
		if (rc)
			return send_error(c, MHD_HTTP_CONFLICT, rig_last_error());
		return send_json(c, MHD_HTTP_OK, json_pack("{s:s}", "id", id));
	}
	if (!strcmp(what, "baseline")) {
		if (a->s.role < ROLE_QA)
			return send_error(c, MHD_HTTP_FORBIDDEN, "only qa sets baselines");
		return api_baseline(c, cfg, a, id, rq);
	}
	return not_found(c);
}

static enum MHD_Result route(struct MHD_Connection *c, const struct serve_config *cfg,
			     const char *url, const char *method, const struct request *rq)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	struct auth a;

	if (!get && !post)
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST only");
	if (get && !strncmp(url, "/static/", 8))
		return send_asset(c, url + 8);
	if (get && !strcmp(url, "/login"))
		return send_page(c, "login", "");
	if (post && !strcmp(url, "/api/login"))
		return api_login(c, cfg, rq);
	if (get && !strcmp(url, "/api/strings")) {
		const char *lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");

		return send_json(c, MHD_HTTP_OK, i18n_table(lang && !strcmp(lang, "de") ? "de" : "en"));
	}
	a = authenticate(c);
	if (!strncmp(url, "/api/", 5)) {
		if (!a.ok)
			return send_error(c, MHD_HTTP_UNAUTHORIZED, "log in first (POST /api/login)");
		if (post && !csrf_ok(c, &a))
			return send_error(c, MHD_HTTP_FORBIDDEN, "missing or wrong X-CSRF-Token");
		if (post && !strcmp(url, "/api/logout"))
			return api_logout(c, &a);
		if (get && !strcmp(url, "/api/config"))
			return api_config(c, cfg, &a);
		if (get && !strcmp(url, "/api/runs"))
			return send_json(c, MHD_HTTP_OK, json_pack("{s:o}", "runs", runs_list(cfg)));
		if (post && !strcmp(url, "/api/runs")) {
			if (a.s.role < ROLE_OPERATOR)
				return send_error(c, MHD_HTTP_FORBIDDEN, "not allowed for this role");
			return api_start(c, cfg, &a, rq);
		}
		if (!strncmp(url, "/api/runs/", 10))
			return api_run(c, cfg, &a, method, url + 10, rq);
		if (get && !strcmp(url, "/api/history"))
			return api_history(c, cfg);
		if (get && !strcmp(url, "/api/trend.svg"))
			return api_trend(c, cfg);
		return not_found(c);
	}
	if (!get)
		return not_found(c);
	if (!a.ok)
		return redirect(c, "/login");
	if (!strcmp(url, "/"))
		return send_page(c, "station", "");
	if (!strcmp(url, "/history"))
		return send_page(c, "history", "");
	if (!strcmp(url, "/trend"))
		return send_page(c, "trend", "");
	if (!strncmp(url, "/run/", 5) && runs_valid_id(url + 5))
		return send_page(c, "run", url + 5);
	if (!strncmp(url, "/runs/", 6)) {
		char id[64];
		const char *rest = url + 6;
		size_t n = strcspn(rest, "/");

		if (n == 0 || n >= sizeof(id) || rest[n] != '/')
			return not_found(c);
		memcpy(id, rest, n);
		id[n] = '\0';
		return send_run_file(c, cfg, id, rest + n + 1);
	}
	return not_found(c);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	const struct serve_config *cfg = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		char addr[64];

		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		*con_cls = rq;
		client_addr(c, addr, sizeof(addr));
		if (!rate_allow(addr, RATE_REQUEST))
			return send_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests");
		if (cl && strtoull(cl, NULL, 10) > BODY_MAX)
			return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > BODY_MAX)
			rq->too_big = 1;
		else {
			char *p = realloc(rq->body, rq->len + *upload_size + 1);

			if (!p)
				return MHD_NO;
			rq->body = p;
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
	return route(c, cfg, url, method, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode why)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (rq) {
		free(rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

int serve_run(const struct serve_config *cfg)
{
	struct sockaddr_in sin = { 0 };
	struct MHD_Daemon *d;
	sigset_t stop_set;
	char sessions[4300];
	int sig;

	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->listen_addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "rig: serve: --listen %s: an IPv4 address and port, "
			"e.g. 127.0.0.1:8080\n", cfg->listen_addr);
		return 2;
	}
	if (path_join(sessions, sizeof(sessions), cfg->meta_dir, "sessions") != 0 ||
	    file_mkdirs(cfg->meta_dir, 0700) != 0 || session_open(sessions, cfg->users) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* SIGINT and SIGTERM are blocked in every thread (libmicrohttpd's inherit
	 * the mask) and taken by sigwait below: with a handler, a stop signal
	 * the kernel gave one of the server's threads left the main thread
	 * waiting in pause() for ever. The processes it starts unblock them. */
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	/* no error log: a browser leaving a page mid-stream is no error */
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, (void *)cfg,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)128,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "rig: serve: cannot listen on %s:%u: %s\n", cfg->listen_addr,
			cfg->port, strerror(errno));
		return 2;
	}
	printf("rig serve: http://%s:%u/ (runs in %s)\n", cfg->listen_addr, cfg->port,
	       cfg->runs_dir);
	fflush(stdout);
	while (sigwait(&stop_set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	return 0;
}
