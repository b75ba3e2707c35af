#ifndef RIG_SERVE_SESSION_H
#define RIG_SERVE_SESSION_H

/*
 * Logged-in sessions of rig serve. A session is a random 256-bit token --
 * the HttpOnly cookie, or an API client's Bearer token -- and a CSRF token
 * derived from it, which the page must echo in X-CSRF-Token on every
 * state-changing request made with the cookie. Sessions outlive a restart
 * of the server: they are kept in a file only its owner may read (0600)
 * that holds each token's SHA-256, never a token, with its user, role and
 * times; a session ends after 12 h unused, or at log-out. Also the
 * per-address rate limits. Thread-safe.
 */
#include "rig/serve/users.h"

#define SESSION_TOKEN_HEX 65

struct session {
	char token[SESSION_TOKEN_HEX];
	char csrf[SESSION_TOKEN_HEX];
	char user[40];
	enum role role;
};

/* Load the sessions file (absent: none), forgetting expired sessions and
 * those whose user the users file no longer has with that role (rig user
 * del, or a new role), and keep it up to date from now on. 0, or an error
 * naming the file and line. */
int session_open(const char *path, const char *users);

/* New session for user: 0 and a copy in *out, or -1 (table full of live sessions). */
int session_create(const char *user, enum role role, struct session *out);

/* The live session of token: 1 and a copy in *out, else 0. Refreshes its idle time. */
int session_find(const char *token, struct session *out);

void session_destroy(const char *token);

/* Constant-time equality of two tokens. */
int session_token_equal(const char *a, const char *b);

/* Rate limits per client address: a token bucket per address and kind.
 * 1 when this request may go ahead, 0 when it is over the limit. */
enum rate_kind { RATE_REQUEST, RATE_LOGIN };
int rate_allow(const char *addr, enum rate_kind kind);

/* Whether a request may go ahead, without spending anything: log-ins
 * spend only when they fail, so a line's many log-ins are never refused
 * while guessing is. */
int rate_check(const char *addr, enum rate_kind kind);

#endif
