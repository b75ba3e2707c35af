/*
 * rig.batch: what a script sees of the other sockets of its station when
 * several units are tested at once (rig/run/batch.c runs each socket as a
 * process of its own, in one batch directory named by $RIG_BATCH_DIR).
 *
 *   rig.batch.socket    this socket's name ("" outside a batch)
 *   rig.batch.sockets   how many sockets the batch runs (1 outside one)
 *   rig.batch.sync([name])
 *                       wait until every socket still running has reached
 *                       the same sync point (TestStand's batch
 *                       synchronisation); journaled with the time waited
 *
 * The shared balance: the first rig.scale call of a step takes the
 * station's balance for this socket (an flock on the batch directory's
 * .balance.lock, released when the step ends or the process dies), so
 * gravimetric steps of different sockets never overlap; the wait is
 * journaled (scale_lock) as is the release (scale_unlock).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/clock.h"
#include "rig/base/error.h"
#include "rig/base/interrupt.h"
#include "rig/base/paths.h"
#include "rig/script/binding.h"

#define POLL_US 10000

/* Wall-clock milliseconds: journal times are whole seconds, and the
 * order of sockets on a shared instrument needs finer. */
static long long epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *batch_dir(void)
{
	const char *d = getenv("RIG_BATCH_DIR");

	return d && d[0] ? d : NULL;
}

/* A wait may last as long as a step may: stop at the step's time limit or
 * an interrupt, as the Lua hook would. */
static void check_wait(lua_State *L, long long started_ms, const char *what)
{
	struct harness *h = harness_of(L);

	if (interrupt_requested())
		luaL_error(L, "interrupted while waiting for %s", what);
	if (h->step_timeout_s > 0 && clock_ms() - started_ms > (long long)(h->step_timeout_s * 1000))
		luaL_error(L, "time limit of %g s exceeded waiting for %s (--step-timeout)",
			   h->step_timeout_s, what);
}

void batch_lock_balance(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *dir = batch_dir();
	char path[4200];
	long long t0;
	int fd;

	if (!dir || h->balance_fd > 0)
		return;
	if (path_join(path, sizeof(path), dir, ".balance.lock") != 0)
		luaL_error(L, "%s", rig_last_error());
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		luaL_error(L, "%s: cannot open the balance lock: %s", path, strerror(errno));
	t0 = clock_ms();
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			luaL_error(L, "%s: cannot lock the balance: %s", path, strerror(errno));
		}
		check_wait(L, t0, "the shared balance");
		usleep(POLL_US);
	}
	h->balance_fd = fd;
	harness_journal(L, "scale_lock", json_pack("{s:s, s:s, s:I, s:I}", "step",
						   h->step ? h->step->id : "", "socket",
						   h->fx->socket, "waited_ms",
						   (json_int_t)(clock_ms() - t0), "at_ms",
						   (json_int_t)epoch_ms()));
}

void batch_release_balance(lua_State *L)
{
	struct harness *h = harness_of(L);

	if (h->balance_fd <= 0)
		return;
	/* Journaled before the release: the journal's order is the balance's. */
	harness_journal(L, "scale_unlock", json_pack("{s:s, s:s, s:I}", "step",
						     h->step ? h->step->id : "", "socket",
						     h->fx->socket, "at_ms", (json_int_t)epoch_ms()));
	close(h->balance_fd);
	h->balance_fd = 0;
}

/* Sockets that reached sync point `name`, or ended, counted once each. */
static long arrived(const char *dir, const char *name)
{
	char prefix[160];
	size_t plen;
	long n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	char seen[64][20];
	int nseen = 0;

	if (!d)
		return -1;
	plen = (size_t)snprintf(prefix, sizeof(prefix), ".sync-%s@", name);
	while ((e = readdir(d))) {
		const char *sock = NULL;

		if (!strncmp(e->d_name, prefix, plen))
			sock = e->d_name + plen;
		else if (!strncmp(e->d_name, ".ended-", 7))
			sock = e->d_name + 7;
		if (!sock)
			continue;
		{
			int dup = 0;

			for (int i = 0; i < nseen; i++)
				dup |= !strcmp(seen[i], sock);
			if (!dup && nseen < 64) {
				snprintf(seen[nseen++], sizeof(seen[0]), "%s", sock);
				n++;
			}
		}
	}
	closedir(d);
	return n;
}

static int l_sync(lua_State *L)
{
	struct harness *h = harness_of(L);
	const char *dir = batch_dir(), *env = getenv("RIG_BATCH_SOCKETS");
	const char *name = luaL_optstring(L, 1, "sync");
	long sockets = env ? strtol(env, NULL, 10) : 1, n;
	char path[4300];
	long long t0 = clock_ms(), arrived_at = epoch_ms();
	int fd;

	if (strlen(name) > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
					      "UVWXYZ0123456789-_") != strlen(name) || !name[0])
		return luaL_argerror(L, 1, "a sync point name of letters, digits, '-' and '_'");
	if (!dir)
		return 0;  /* one socket: nobody to wait for */
	if (path_format(path, sizeof(path), "%s/.sync-%s@%s", dir, name, h->fx->socket) != 0)
		return luaL_error(L, "%s", rig_last_error());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return luaL_error(L, "%s: %s", path, strerror(errno));
	close(fd);
	while ((n = arrived(dir, name)) >= 0 && n < sockets) {
		check_wait(L, t0, "the other sockets (rig.batch.sync)");
		usleep(POLL_US);
	}
	harness_journal(L, "batch_sync", json_pack("{s:s, s:s, s:I, s:I, s:I}", "name", name,
						   "socket", h->fx->socket, "waited_ms",
						   (json_int_t)(clock_ms() - t0), "arrived_ms",
						   (json_int_t)arrived_at, "at_ms",
						   (json_int_t)epoch_ms()));
	return 0;
}

void luaopen_rig_batch(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "sync", l_sync },
		{ NULL, NULL },
	};
	struct harness *h = harness_of(L);
	const char *env = getenv("RIG_BATCH_SOCKETS");

	/* rig is at the top of the stack */
	luaL_newlib(L, fns);
	lua_pushstring(L, h->fx ? h->fx->socket : "");
	lua_setfield(L, -2, "socket");
	lua_pushinteger(L, batch_dir() && env ? strtol(env, NULL, 10) : 1);
	lua_setfield(L, -2, "sockets");
	lua_setfield(L, -2, "batch");
}
