/* Sessions and rate limits of rig serve (session.h). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rig/serve/session.h"

#define MAX_SESSIONS 256
#define SESSION_IDLE_S (12 * 3600)

static struct slot {
	struct session s;
	time_t last;
} sessions[MAX_SESSIONS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static time_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1;  /* never 0: 0 marks a free slot */
}

static void random_hex(char out[SESSION_TOKEN_HEX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_TOKEN_HEX, raw, sizeof(raw));
}

int session_token_equal(const char *a, const char *b)
{
	return strlen(a) == SESSION_TOKEN_HEX - 1 && strlen(b) == SESSION_TOKEN_HEX - 1 &&
	       sodium_memcmp(a, b, SESSION_TOKEN_HEX - 1) == 0;
}

int session_create(const char *user, enum role role, struct session *out)
{
	time_t now = now_s();
	struct slot *free_slot = NULL, *oldest = NULL;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct slot *sl = &sessions[i];

		if (sl->last && now - sl->last > SESSION_IDLE_S)
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
	random_hex(free_slot->s.token);
	random_hex(free_slot->s.csrf);
	snprintf(free_slot->s.user, sizeof(free_slot->s.user), "%s", user);
	free_slot->s.role = role;
	free_slot->last = now;
	*out = free_slot->s;
	pthread_mutex_unlock(&lock);
	return 0;
}

int session_find(const char *token, struct session *out)
{
	time_t now = now_s();
	int found = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS && !found; i++) {
		struct slot *sl = &sessions[i];

		if (!sl->last || now - sl->last > SESSION_IDLE_S)
			continue;
		if (session_token_equal(token, sl->s.token)) {
			sl->last = now;
			*out = sl->s;
			found = 1;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void session_destroy(const char *token)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].last && session_token_equal(token, sessions[i].s.token))
			memset(&sessions[i], 0, sizeof(sessions[i]));
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
