/* Sessions and rate limits of rig serve (session.h). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/serve/session.h"

#define MAX_SESSIONS 256
#define SESSION_IDLE_S (12 * 3600)
/* A session's last use is saved when it moved by this much: a page's many
 * requests do not each rewrite the file, and expiry is off by at most this. */
#define SESSION_SAVE_S 60
#define SESSIONS_MAX_BYTES (1 << 20)

/* What is known of a session: never its token, only the token's SHA-256. */
static struct slot {
	char hash[SESSION_TOKEN_HEX];
	char user[40];
	enum role role;
	long long created, last, saved; /* wall-clock seconds; last 0: free slot */
} sessions[MAX_SESSIONS];
static char sessions_path[4300];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long long now_s(void)
{
	return (long long)time(NULL);
}

static void random_hex(char out[SESSION_TOKEN_HEX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_TOKEN_HEX, raw, sizeof(raw));
}

static void token_hash(const char *token, char out[SESSION_TOKEN_HEX])
{
	sha256_hex(token, strlen(token), out);
}

/* The CSRF token is derived from the session token (a keyed BLAKE2b), so
 * it needs no storing and a restarted server gives the page the same one. */
static void csrf_of(const char *token, char out[SESSION_TOKEN_HEX])
{
	unsigned char mac[32];

	crypto_generichash(mac, sizeof(mac), (const unsigned char *)"rig serve csrf", 14,
			   (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, SESSION_TOKEN_HEX, mac, sizeof(mac));
}

int session_token_equal(const char *a, const char *b)
{
	return strlen(a) == SESSION_TOKEN_HEX - 1 && strlen(b) == SESSION_TOKEN_HEX - 1 &&
	       sodium_memcmp(a, b, SESSION_TOKEN_HEX - 1) == 0;
}

static int live(const struct slot *sl, long long now)
{
	return sl->last && now - sl->last <= SESSION_IDLE_S && now >= sl->created;
}

/* The table as the sessions file holds it; called with the lock held.
 * A file that cannot be written is said on stderr: the sessions still hold
 * in memory, only a restart would forget them. */
static void save(void)
{
	size_t cap = 128 + MAX_SESSIONS * 160, o;
	char *text;
	long long now = now_s();

	if (!sessions_path[0] || !(text = malloc(cap)))
		return;
	o = (size_t)snprintf(text, cap, "# rig serve sessions: SHA-256(token) user role "
			     "created last-used (never a token)\n");
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct slot *sl = &sessions[i];

		if (!live(sl, now))
			continue;
		o += (size_t)snprintf(text + o, cap - o, "%s %s %s %lld %lld\n", sl->hash, sl->user,
				      role_name(sl->role), sl->created, sl->last);
		sl->saved = sl->last;
	}
	if (private_file_write(sessions_path, text) != 0)
		fprintf(stderr, "rig: serve: sessions not saved: %s\n", rig_last_error());
	free(text);
}

int session_open(const char *path, const char *users)
{
	char *text = NULL, *line, *next;
	long long now = now_s();
	int rc, lineno = 0, n = 0;

	pthread_mutex_lock(&lock);
	memset(sessions, 0, sizeof(sessions));
	rc = path_format(sessions_path, sizeof(sessions_path), "%s", path);
	if (!rc)
		rc = private_file_read(path, &text);
	for (line = text; !rc && line && *line; line = next) {
		char hash[80], user[40], role[16];
		long long created, last;
		int used = 0;

		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "%79s %39s %15s %lld %lld%n", hash, user, role, &created, &last,
			   &used) != 5 || line[used] || strlen(hash) != SESSION_TOKEN_HEX - 1 ||
		    strspn(hash, "0123456789abcdef") != SESSION_TOKEN_HEX - 1 ||
		    !users_valid_name(user) || role_parse(role) == ROLE_NONE || created <= 0 ||
		    last < created) {
			rc = rig_error(RIG_ERR_INVALID, "%s:%d: not a session line (HASH USER ROLE "
				       "CREATED LAST-USED)", path, lineno);
			break;
		}
		if (n == MAX_SESSIONS) {
			rc = rig_error(RIG_ERR_INVALID, "%s:%d: more than %d sessions", path, lineno,
				       MAX_SESSIONS);
			break;
		}
		/* its length was checked above: exactly a token hash and its NUL */
		memcpy(sessions[n].hash, hash, SESSION_TOKEN_HEX);
		snprintf(sessions[n].user, sizeof(sessions[n].user), "%s", user);
		sessions[n].role = role_parse(role);
		sessions[n].created = created;
		sessions[n].last = sessions[n].saved = last;
		/* expired while the server was down, or its user deleted or given
		 * another role: forgotten, and gone from the file */
		if (live(&sessions[n], now) && users_role(users, user) == sessions[n].role)
			n++;
		else
			memset(&sessions[n], 0, sizeof(sessions[n]));
	}
	free(text);
	if (!rc)
		save();
	pthread_mutex_unlock(&lock);
	return rc;
}

int session_create(const char *user, enum role role, struct session *out)
{
	long long now = now_s();
	struct slot *free_slot = NULL, *oldest = NULL;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct slot *sl = &sessions[i];

		if (sl->last && !live(sl, now))
			sl->last = 0;
		if (!sl->last && !free_slot)
			free_slot = sl;
		if (sl->last && (!oldest || sl->last < oldest->last))
			oldest = sl;
	}
	/* full: the longest idle session goes, as with any bounded table */
	if (!free_slot)
		free_slot = oldest;
	memset(free_slot, 0, sizeof(*free_slot));
	memset(out, 0, sizeof(*out));
	random_hex(out->token);
	csrf_of(out->token, out->csrf);
	token_hash(out->token, free_slot->hash);
	snprintf(free_slot->user, sizeof(free_slot->user), "%s", user);
	snprintf(out->user, sizeof(out->user), "%s", user);
	free_slot->role = out->role = role;
	free_slot->created = free_slot->last = now;
	save();
	pthread_mutex_unlock(&lock);
	return 0;
}

int session_find(const char *token, struct session *out)
{
	long long now = now_s();
	char hash[SESSION_TOKEN_HEX];
	int found = 0;

	if (strlen(token) != SESSION_TOKEN_HEX - 1)
		return 0;
	token_hash(token, hash);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS && !found; i++) {
		struct slot *sl = &sessions[i];

		if (!live(sl, now) || !session_token_equal(hash, sl->hash))
			continue;
		sl->last = now;
		if (now - sl->saved >= SESSION_SAVE_S)
			save();
		memset(out, 0, sizeof(*out));
		snprintf(out->token, sizeof(out->token), "%s", token);
		csrf_of(token, out->csrf);
		snprintf(out->user, sizeof(out->user), "%s", sl->user);
		out->role = sl->role;
		found = 1;
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void session_destroy(const char *token)
{
	char hash[SESSION_TOKEN_HEX];

	token_hash(token, hash);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].last && session_token_equal(hash, sessions[i].hash))
			memset(&sessions[i], 0, sizeof(sessions[i]));
	save();
	pthread_mutex_unlock(&lock);
}

/* ---- rate limits ---- */

#define MAX_CLIENTS 256

static const struct {
	double burst, per_s;
} limits[] = {
	[RATE_REQUEST] = { 400, 100 },  /* a page and its API calls; 50 event streams */
	[RATE_LOGIN] = { 10, 0.2 },     /* failed log-ins: 12 a minute after 10 */
};

static struct bucket {
	char addr[64];
	enum rate_kind kind;
	double tokens;
	struct timespec at;
} buckets[MAX_CLIENTS];

static int rate(const char *addr, enum rate_kind kind, int spend)
{
	struct timespec now;
	struct bucket *b = NULL, *oldest = &buckets[0];
	int ok;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_CLIENTS && !b; i++) {
		if (buckets[i].addr[0] && buckets[i].kind == kind && !strcmp(buckets[i].addr, addr))
			b = &buckets[i];
		else if (buckets[i].at.tv_sec < oldest->at.tv_sec)
			oldest = &buckets[i];
	}
	if (!b) {
		b = oldest;
		snprintf(b->addr, sizeof(b->addr), "%s", addr);
		b->kind = kind;
		b->tokens = limits[kind].burst;
		b->at = now;
	}
	b->tokens += ((double)(now.tv_sec - b->at.tv_sec) +
		      (double)(now.tv_nsec - b->at.tv_nsec) / 1e9) * limits[kind].per_s;
	if (b->tokens > limits[kind].burst)
		b->tokens = limits[kind].burst;
	b->at = now;
	ok = b->tokens >= 1;
	if (ok && spend)
		b->tokens -= 1;
	pthread_mutex_unlock(&lock);
	return ok;
}

int rate_allow(const char *addr, enum rate_kind kind)
{
	return rate(addr, kind, 1);
}

int rate_check(const char *addr, enum rate_kind kind)
{
	return rate(addr, kind, 0);
}
