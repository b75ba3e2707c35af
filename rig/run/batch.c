/*
 * Several units at once: a station whose fixture declares sockets runs the
 * script once per socket, concurrently (TestStand's parallel model; the
 * batch model's synchronised sections are rig.batch.sync()). Each socket
 * is a `rig run --socket S` process of its own, so a fault in one socket
 * (an unplugged unit, a safety stop, a crash) ends that socket's run and
 * never another's, and each unit gets its own complete, journaled, signed
 * run directory, recoverable alone by rig recover. This process only
 * starts them, shows one progress line per socket, and writes the batch
 * summary (batch.json, summary.txt) beside them.
 *
 * Shared instruments: the balance is used one socket at a time, locked per
 * step (rig/script/lua_uut.c); a synchronised section is a barrier of
 * files in the batch directory (rig/script/lua_rig.c), where this process
 * marks each socket that has ended so that nobody waits for it. A Comedi
 * board the sockets share runs one command for all of them, so a process
 * of the batch owns it (rig/run/acquire.c) and each socket's run reads its
 * channel group through the "batch" DAQ backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/base/interrupt.h"
#include "rig/base/timefmt.h"
#include "drivers/batch_daq.h"
#include "reports/keys.h"
#include "rig/run/acquire.h"
#include "rig/run/run.h"
#include "rig/base/fixture.h"
#include "rig/station/fixture_load.h"

struct socket_run {
	const char *name;
	char dir[4200];
	pid_t pid;
	int status;          /* exit status once ended; -1 while running */
	char progress[160];
	int daq_fd;          /* its end of the acquisition process's socket; -1: none */
};

/* "SOCKET=VALUE" for this socket from list, else the plain value. */
static const char *for_socket(const char *const *list, int n, const char *name,
			      const char *plain)
{
	size_t len = strlen(name);

	for (int i = 0; i < n; i++)
		if (!strncmp(list[i], name, len) && list[i][len] == '=')
			return list[i] + len + 1;
	return plain;
}

/* The options that were per batch, passed on to each socket's run. */
static int keep_option(const char *arg)
{
	static const char *const per_socket[] = { "--out", "--sim-unit", "--serial", "--socket",
						   "--seed", NULL };

	for (int i = 0; per_socket[i]; i++) {
		size_t n = strlen(per_socket[i]);

		if (!strncmp(arg, per_socket[i], n) && (arg[n] == '\0' || arg[n] == '='))
			return 0;
	}
	return 1;
}

static pid_t start_socket(const struct run_options *o, struct socket_run *s, size_t index,
			  const char *batch_dir, size_t nsockets)
{
	char seed[24];
	const char *unit = for_socket(o->socket_units, o->nsocket_units, s->name, o->sim_unit);
	const char *serial = for_socket(o->socket_serials, o->nsocket_serials, s->name, o->serial);
	char **argv = calloc((size_t)o->argc + 16, sizeof(*argv)), log[4300], sockets[24];
	int n = 0;
	pid_t pid;

	if (!argv)
		return -1;
	argv[n++] = (char *)"rig";
	/* argv[0] is "run"; skip every option the batch sets per socket
	 * (with its value when given separately). */
	for (int i = 0; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (!keep_option(a)) {
			if (!strchr(a, '='))
				i++;
			continue;
		}
		argv[n++] = o->argv[i];
	}
	argv[n++] = (char *)"--socket";
	argv[n++] = (char *)s->name;
	argv[n++] = (char *)"--out";
	argv[n++] = s->dir;
	if (unit) {
		argv[n++] = (char *)"--sim-unit";
		argv[n++] = (char *)unit;
	}
	if (serial) {
		argv[n++] = (char *)"--serial";
		argv[n++] = (char *)serial;
	}
	/* Socket i simulates a unit of its own: seed + i (socket 1 is the
	 * run a single socket with --seed would make). */
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)(o->seed + index));
	argv[n++] = (char *)"--seed";
	argv[n++] = seed;
	argv[n++] = (char *)"--quiet";
	/* Several processes cannot share one terminal's prompts: each socket
	 * answers them automatically, journaled as such with its socket. */
	argv[n++] = (char *)"--batch";
	argv[n] = NULL;
	if (path_format(log, sizeof(log), "%s/socket-%s.log", batch_dir, s->name) != 0)
		return -1;
	snprintf(sockets, sizeof(sockets), "%zu", nsockets);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (s->daq_fd >= 0) {
			/* Its own end of the shared board's socket, and no other. */
			char num[16];

			snprintf(num, sizeof(num), "%d", s->daq_fd);
			fcntl(s->daq_fd, F_SETFD, 0);
			setenv(BDAQ_ENV_FD, num, 1);
		}
		/* Prompts cannot be answered from several processes at one
		 * terminal: the batch answers them (journaled as such). */
		setenv("RIG_BATCH_DIR", batch_dir, 1);
		setenv("RIG_BATCH_SOCKETS", sockets, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	free(argv);
	return pid;
}

/*
 * The acquisition process of a shared board: a fork of this process that
 * serves every socket's end of a socket pair; each socket gets the other
 * end. It outlives interrupts (it ends when the last socket has closed its
 * end, after releasing every trigger line) and logs to acquire.log.
 */
static pid_t start_acquisition(const struct fixture *fx, struct socket_run *s, size_t n,
			       const char *batch_dir)
{
	int hub[FIXTURE_MAX_SOCKETS], pair[2];
	char log[4300];
	pid_t pid;

	for (size_t i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
			fprintf(stderr, "rig: %s: cannot connect the sockets to the DAQ: %s\n",
				fx->path, strerror(errno));
			for (size_t k = 0; k < i; k++) {
				close(hub[k]);
				close(s[k].daq_fd);
				s[k].daq_fd = -1;
			}
			return -1;
		}
		hub[i] = pair[0];
		s[i].daq_fd = pair[1];
	}
	if (path_join(log, sizeof(log), batch_dir, "acquire.log") != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		for (size_t i = 0; i < n; i++) {
			close(hub[i]);
			close(s[i].daq_fd);
			s[i].daq_fd = -1;
		}
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		for (size_t i = 0; i < n; i++)
			close(s[i].daq_fd);
		fflush(NULL);
		_exit(acquire_serve(fx, hub, n));
	}
	for (size_t i = 0; i < n; i++)
		close(hub[i]);
	if (pid < 0) {
		fprintf(stderr, "rig: %s: cannot start the acquisition process: %s\n", fx->path,
			strerror(errno));
		for (size_t i = 0; i < n; i++) {
			close(s[i].daq_fd);
			s[i].daq_fd = -1;
		}
	}
	return pid;
}

/* One line of progress from a socket's journal: the step it is in and the
 * shots so far, or its verdict. */
static void read_progress(struct socket_run *s)
{
	char path[4300], line[4096], step[96] = "", verdict[16] = "";
	long shots = 0, steps = 0;
	FILE *f;

	if (path_join(path, sizeof(path), s->dir, "journal.jsonl") != 0 ||
	    !(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *ev = json_string_value(json_object_get(j, "event"));

		if (ev && !strcmp(ev, "step_start")) {
			snprintf(step, sizeof(step), "%s",
				 json_string_value(json_object_get(j, "step")) ?: "");
			steps++;
		} else if (ev && !strcmp(ev, "burst")) {
			shots += (long)json_integer_value(json_object_get(j, "measured"));
		} else if (ev && !strcmp(ev, "run_end")) {
			snprintf(verdict, sizeof(verdict), "%s",
				 json_string_value(json_object_get(j, "verdict")) ?: "");
		}
		json_decref(j);
	}
	fclose(f);
	if (verdict[0])
		snprintf(s->progress, sizeof(s->progress), "%s (%ld steps, %ld shots)", verdict,
			 steps, shots);
	else
		snprintf(s->progress, sizeof(s->progress), "step %ld %s, %ld shots", steps, step,
			 shots);
}

/* The last "rig: " line of a process's log (its error comes last),
 * without the prefix, or otherwise. */
static const char *log_error(const char *log, char *line, size_t size, const char *otherwise)
{
	FILE *f = fopen(log, "r");
	char *buf = malloc(size);
	int found = 0;

	if (f && buf) {
		while (fgets(buf, (int)size, f))
			if (!strncmp(buf, "rig: ", 5)) {
				memcpy(line, buf, size);
				found = 1;
			}
	}
	if (f)
		fclose(f);
	free(buf);
	if (!found)
		return otherwise;
	line[strcspn(line, "\n")] = '\0';
	return line + 5;
}

static const char *exit_word(int status)
{
	return status == 0 ? "PASS" : status == 1 ? "FAIL" : "ERROR";
}

/* Which requirements failed in a socket's run, from its result.json. */
static json_t *failing(const struct socket_run *s, json_t **result)
{
	char path[4300];
	json_t *ids = json_array(), *steps;
	size_t i;
	json_t *st;

	*result = path_join(path, sizeof(path), s->dir, "result.json") == 0 ?
		  json_load_file(path, 0, NULL) : NULL;
	steps = json_object_get(*result, "steps");
	json_array_foreach(steps, i, st) {
		const char *v = json_string_value(json_object_get(st, "verdict"));
		const char *req = json_string_value(json_object_get(st, "requirement"));

		if (v && req && strcmp(v, "PASS") != 0) {
			int seen = 0;
			size_t k;
			json_t *e;

			json_array_foreach(ids, k, e)
				seen |= !strcmp(json_string_value(e), req);
			if (!seen)
				json_array_append_new(ids, json_string(req));
		}
	}
	return ids;
}

static int write_summary(const char *dir, const struct fixture *fx, struct socket_run *s,
			 size_t n, const char *started, int status)
{
	char path[4300], ended[32];
	json_t *root = json_object(), *arr = json_array();
	FILE *txt;
	int rc = 0;

	time_format_iso(time(NULL), ended, sizeof(ended));
	if ((rc = path_join(path, sizeof(path), dir, "summary.txt")) != 0 ||
	    (rc = file_replace_open(path, &txt)) != 0) {
		json_decref(root);
		json_decref(arr);
		return rc;
	}
	fprintf(txt, "batch on %s (%s): %zu sockets\n\n%-8s %-16s %-6s %-22s %s\n", fx->name,
		fx->station, n, "socket", "serial", "verdict", "run", "failing requirements");
	for (size_t i = 0; i < n; i++) {
		json_t *result = NULL, *ids = failing(&s[i], &result);
		const char *serial = json_string_value(json_object_get(json_object_get(result, "uut"),
								       "serial"));
		const char *id = json_string_value(json_object_get(result, "run_id"));
		const char *verdict = json_string_value(json_object_get(result, "verdict"));
		char list[512] = "";
		size_t k, used = 0;
		json_t *e;

		if (!verdict)
			verdict = exit_word(s[i].status);
		json_array_foreach(ids, k, e)
			used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
						 "%s%s", used ? " " : "", json_string_value(e));
		fprintf(txt, "%-8s %-16s %-6s %-22s %s\n", s[i].name, serial ? serial : "-", verdict,
			id ? id : "-", list);
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s?, s:s, s:i, s:O}",
			"socket", s[i].name, "serial", serial, "verdict", verdict, "run_id", id,
			"dir", s[i].dir, "exit_status", s[i].status, "failing", ids));
		json_decref(ids);
		json_decref(result);
	}
	fprintf(txt, "\n%s\n", status == 0 ? "PASS" : status == 1 ? "FAIL" : "ERROR");
	if ((rc = file_replace_commit(txt, path)) != 0) {
		json_decref(root);
		json_decref(arr);
		return rc;
	}
	json_object_set_new(root, "format", json_string("rig-batch/1"));
	json_object_set_new(root, "fixture", json_string(fx->path));
	json_object_set_new(root, "station", json_string(fx->station));
	json_object_set_new(root, "started", json_string(started));
	json_object_set_new(root, "ended", json_string(ended));
	json_object_set_new(root, "verdict", json_string(exit_word(status)));
	json_object_set_new(root, "sockets", arr);
	{
		FILE *f;

		if ((rc = path_join(path, sizeof(path), dir, "batch.json")) == 0 &&
		    (rc = file_replace_open(path, &f)) == 0) {
			json_dumpf(root, f, JSON_INDENT(2));
			fputc('\n', f);
			rc = file_replace_commit(f, path);
		}
	}
	json_decref(root);
	return rc;
}

int batch_execute(const struct run_options *o, const char *fixture_path,
		  const struct fixture *fx)
{
	struct socket_run s[FIXTURE_MAX_SOCKETS];
	char dir[4096], started[32], stamp[32];
	size_t n = fx->nsockets, running = 0;
	int status = 0, tty = !o->quiet && isatty(STDOUT_FILENO), shown = 0, hub_status = -1;
	int shared = acquire_shared(fx);
	pid_t hub = -1;

	(void)fixture_path;
	if (shared < 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	/* The station key, made here if it is new: once, and said once. */
	{
		struct station_key key;

		if (key_station(&key, stderr) != 0) {
			fprintf(stderr, "rig: %s\n", rig_last_error());
			return 2;
		}
		sodium_memzero(&key, sizeof(key));
	}
	/* Every SOCKET=... names a socket there is, before any unit fires. */
	for (int k = 0; k < o->nsocket_units + o->nsocket_serials; k++) {
		const char *m = k < o->nsocket_units ? o->socket_units[k]
						     : o->socket_serials[k - o->nsocket_units];
		size_t len = strcspn(m, "="), found = 0;

		for (size_t i = 0; i < n; i++)
			found |= strlen(fx->sockets[i].name) == len &&
				 !strncmp(fx->sockets[i].name, m, len);
		if (!found) {
			fprintf(stderr, "rig: %s: no socket \"%.*s\" (--sim-unit/--serial %s)\n",
				fx->path, (int)len, m, m);
			return 2;
		}
	}
	/* A scanned serial is one unit's: the unit must report it (run.c), so
	 * the same serial for every socket would fail all but one as the
	 * wrong unit. */
	if (o->serial && n > 1) {
		fprintf(stderr, "rig: %s: --serial %s names one unit, but the fixture has %zu "
			"sockets: give --serial SOCKET=SERIAL for each\n", fx->path, o->serial,
			(size_t)n);
		return 2;
	}
	time_format_iso(time(NULL), started, sizeof(started));
	if (o->out) {
		/* Its files' names (socket-NAME/..., at most 15 bytes of NAME) fit when it does. */
		if (path_format(dir, sizeof(dir), "%s", o->out) != 0) {
			fprintf(stderr, "rig: --out: %s\n", rig_last_error());
			return 2;
		}
	} else {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(dir, sizeof(dir), "reports/out/batch-%s-%04x", stamp,
			 (unsigned)(randombytes_random() & 0xffff));
	}
	/* Exclusively: a batch directory is never shared with another batch. */
	if (file_mkdirs(dir, 0755) != 0 || rmdir(dir) != 0 || mkdir(dir, 0755) != 0) {
		fprintf(stderr, "rig: %s: cannot create the batch directory (it must not exist: "
			"choose a new --out)\n", dir);
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		s[i].daq_fd = -1;
	if (shared && (hub = start_acquisition(fx, s, n, dir)) < 0)
		return 2;
	for (size_t i = 0; i < n; i++) {
		s[i].name = fx->sockets[i].name;
		s[i].status = -1;
		snprintf(s[i].progress, sizeof(s[i].progress), "starting");
		s[i].pid = path_format(s[i].dir, sizeof(s[i].dir), "%s/socket-%s", dir,
				       s[i].name) == 0 ? start_socket(o, &s[i], i, dir, n) : -1;
		if (s[i].daq_fd >= 0) {
			close(s[i].daq_fd); /* the socket's process has it */
			s[i].daq_fd = -1;
		}
		if (s[i].pid < 0) {
			s[i].status = 2;
			fprintf(stderr, "rig: socket %s: cannot start its run: %s\n", s[i].name,
				strerror(errno));
		} else {
			running++;
		}
	}
	if (!o->quiet)
		printf("batch %s: %zu sockets on %s (%s)\n", dir, n, fx->name, fx->station);
	while (running) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0 && pid == hub) {
			hub_status = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
			continue;
		}
		if (pid > 0) {
			for (size_t i = 0; i < n; i++)
				if (s[i].pid == pid && s[i].status < 0) {
					char mark[4300];
					int fd;

					s[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
					if (s[i].status > 2)
						s[i].status = 2;
					running--;
					/* Nobody waits for an ended socket at a barrier. */
					if (path_format(mark, sizeof(mark), "%s/.ended-%s", dir,
							s[i].name) == 0 &&
					    (fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
						close(fd);
				}
			continue;
		}
		if (interrupt_requested()) {
			/* Each socket's run is ended by the same signal (its
			 * process group): wait for them to journal it. */
			for (size_t i = 0; i < n; i++)
				if (s[i].status < 0)
					kill(s[i].pid, SIGTERM);
		}
		if (tty) {
			if (shown)
				printf("\033[%zuA", n);
			for (size_t i = 0; i < n; i++) {
				read_progress(&s[i]);
				printf("\033[2Ksocket %-6s %s\n", s[i].name, s[i].progress);
			}
			fflush(stdout);
			shown = 1;
		}
		usleep(100 * 1000);
	}
	if (hub > 0 && hub_status < 0) {
		int st;

		/* Every socket has closed its end: it is ending. */
		while (waitpid(hub, &st, 0) < 0 && errno == EINTR)
			;
		hub_status = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
	}
	if (hub_status > 0) {
		char log[4300], line[512];

		if (path_join(log, sizeof(log), dir, "acquire.log") != 0)
			log[0] = '\0';
		fprintf(stderr, "rig: %s: the shared board's acquisition process: %s\n", fx->path,
			log_error(log, line, sizeof(line), "it failed (acquire.log)"));
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].status == 2)
			status = 2;
		else if (s[i].status == 1 && status == 0)
			status = 1;
	}
	if (hub_status > 0)
		status = 2;
	if (write_summary(dir, fx, s, n, started, status) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		status = 2;
	}
	if (!o->quiet) {
		char path[4300], line[512];
		FILE *f;

		if (path_join(path, sizeof(path), dir, "summary.txt") == 0 &&
		    (f = fopen(path, "r"))) {
			putchar('\n');
			while (fgets(line, sizeof(line), f))
				fputs(line, stdout);
			fclose(f);
		}
		printf("batch: %s/\n", dir);
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].status == 2) {
			char log[4300], line[512];

			if (path_format(log, sizeof(log), "%s/socket-%s.log", dir, s[i].name) != 0)
				log[0] = '\0';
			fprintf(stderr, "rig: socket %s: %s\n", s[i].name,
				log_error(log, line, sizeof(line), "its run could not complete"));
		}
	return status;
}
