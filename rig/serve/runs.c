/* The runs rig serve launched (runs.h). */
#include <dirent.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/base/timefmt.h"
#include "rig/serve/runs.h"

/* A journal larger than this is not summarised (a certification's is ~0.1 MB). */
#define JOURNAL_MAX (64u << 20)

/* One start at a time, so two requests cannot both take a free socket. */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

int runs_valid_id(const char *id)
{
	size_t n = strlen(id);

	return n >= 1 && n < 64 && id[0] != '-' &&
	       strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") == n;
}

static int valid_token(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-") == n;
}

static int meta_path(const struct serve_config *cfg, const char *id, const char *ext,
		     char *out, size_t len)
{
	return path_format(out, len, "%s/%s.%s", cfg->meta_dir, id, ext);
}

int runs_journal_path(const struct serve_config *cfg, const char *id, char *out, size_t len)
{
	return path_format(out, len, "%s/%s/journal.jsonl", cfg->runs_dir, id);
}

static int is_lua(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".lua") && valid_token(d->d_name, 63);
}

json_t *runs_list_lua(const char *dir)
{
	struct dirent **names;
	json_t *a = json_array();
	int n = dir[0] ? scandir(dir, &names, is_lua, alphasort) : -1;

	for (int i = 0; i < n; i++) {
		char path[8192];
		struct stat st;

		/* A name too long to reach is not offered. */
		if (path_join(path, sizeof(path), dir, names[i]->d_name) == 0 &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			json_array_append_new(a, json_string(names[i]->d_name));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return a;
}

static int in_list(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

json_t *runs_meta(const struct serve_config *cfg, const char *id)
{
	char path[8192];

	if (!runs_valid_id(id) || meta_path(cfg, id, "json", path, sizeof(path)) != 0)
		return NULL;
	return json_load_file(path, 0, NULL);
}

/* pid is alive and is rig run writing into this run's directory (a pid
 * reused by another process, or a zombie, is not). */
static int pid_runs(const struct serve_config *cfg, const char *id, long pid)
{
	char path[64], cmd[16384], want[4200];
	ssize_t n;
	int fd;

	if (pid <= 1 || kill((pid_t)pid, 0) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	if (path_join(want, sizeof(want), cfg->runs_dir, id) != 0)
		return 0;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1)
		if (!strcmp(cmd + i, want))
			return 1;
	return 0;
}

int runs_alive(const struct serve_config *cfg, const char *id)
{
	json_t *m = runs_meta(cfg, id);
	int alive = m && pid_runs(cfg, id, (long)json_integer_value(json_object_get(m, "pid")));

	json_decref(m);
	return alive;
}

/* Write a small file whole: temporary, then rename. */
static int write_whole(const char *path, const char *text)
{
	char tmp[8300];
	FILE *f;

	if (path_format(tmp, sizeof(tmp), "%s.tmp", path) != 0)
		return RIG_ERR_INVALID;
	if (file_create(tmp, &f) != 0)
		return RIG_ERR_IO;
	fputs(text, f);
	if (file_close_synced(f, tmp) != 0)
		return RIG_ERR_IO;
	if (rename(tmp, path) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s", path);
	return 0;
}

static int write_meta(const struct serve_config *cfg, const char *id, json_t *m)
{
	char path[8192], *text = json_dumps(m, JSON_SORT_KEYS);
	int rc;

	if (!text)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	rc = meta_path(cfg, id, "json", path, sizeof(path));
	if (rc == 0)
		rc = write_whole(path, text);
	free(text);
	return rc;
}

static int socket_busy(const struct serve_config *cfg, int socket)
{
	json_t *all = runs_list(cfg), *r;
	size_t i;
	int busy = 0;

	json_array_foreach(all, i, r) {
		const char *st = json_string_value(json_object_get(r, "state"));

		if (json_integer_value(json_object_get(r, "socket")) == socket && st &&
		    (!strcmp(st, "starting") || !strcmp(st, "running") || !strcmp(st, "prompt")))
			busy = 1;
	}
	json_decref(all);
	return busy;
}

/* UTC second, then microseconds: ids sort in start order (runs_list, and
 * so a socket's latest run) even for two runs started in the same second. */
static void make_id(char id[64])
{
	char stamp[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(id, 64, "%s-%06ld-%08x", stamp, now.tv_nsec / 1000, randombytes_random());
}

/* The server blocks SIGINT and SIGTERM in its threads (http.c); a process
 * it starts must get them again, or rig run could not be aborted. */
static void unblock_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Start argv as a grandchild in a session of its own, stdout/stderr to log;
 * its pid, or -1. The intermediate child exits at once, so the run is
 * nobody's child here and outlives the server. */
static pid_t spawn_detached(char *const argv[], const char *log, const char *cwd)
{
	int fds[2], exec_fds[2];
	pid_t child, pid = -1;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	/* closed by the exec: the pid is reported once it is rig run's */
	if (pipe2(exec_fds, O_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	child = fork();
	if (child < 0) {
		close(fds[0]);
		close(fds[1]);
		close(exec_fds[0]);
		close(exec_fds[1]);
		return -1;
	}
	if (child == 0) {
		pid_t g;
		char junk;

		g = fork();
		if (g == 0) {
			/* session leader: abort signals its whole group, and no
			 * terminal hang-up or server signal reaches it */
			int in, out;

			setsid();
			in = open("/dev/null", O_RDONLY);
			out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
			    dup2(out, 2) < 0 || (cwd[0] && chdir(cwd) != 0))
				_exit(127);
			signal(SIGPIPE, SIG_DFL);
			unblock_signals();
			/* keep only the exec pipe (close-on-exec) */
			if (exec_fds[1] != 3 && dup3(exec_fds[1], 3, O_CLOEXEC) < 0)
				_exit(127);
			closefrom(4);
			execv(argv[0], argv);
			_exit(127);
		}
		close(exec_fds[1]);
		while (g > 0 && read(exec_fds[0], &junk, 1) < 0 && errno == EINTR)
			;
		if (write(fds[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(1);
		_exit(0);
	}
	close(exec_fds[0]);
	close(exec_fds[1]);
	close(fds[1]);
	if (read(fds[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		pid = -1;
	close(fds[0]);
	waitpid(child, NULL, 0);
	return pid;
}

int runs_start(const struct serve_config *cfg, const char *script, const char *serial,
	       int socket, const char *unit, const char *user, char id[64])
{
	char script_path[8192], unit_path[8192], out[4200], answers[8192], log[8192];
	char seed[32];
	char started[32];
	const char *argv[32];
	json_t *scripts = runs_list_lua(cfg->scripts_dir), *units = runs_list_lua(cfg->units_dir);
	json_t *meta;
	int n = 0, rc = 0;
	pid_t pid;

	if (!script || !in_list(scripts, script))
		rc = rig_error(RIG_ERR_INVALID, "script: not one of the installed procedures");
	else if (!serial || !valid_token(serial, 31))
		rc = rig_error(RIG_ERR_INVALID, "serial: 1 to 31 letters, digits, '.', '_' or '-'");
	else if (socket < 1 || socket > cfg->sockets)
		rc = rig_error(RIG_ERR_INVALID, "socket: 1 to %d", cfg->sockets);
	else if (unit && unit[0] && !in_list(units, unit))
		rc = rig_error(RIG_ERR_INVALID, "unit: not one of the sim unit files");
	json_decref(scripts);
	json_decref(units);
	if (rc)
		return rc;

	pthread_mutex_lock(&start_lock);
	if (socket_busy(cfg, socket)) {
		pthread_mutex_unlock(&start_lock);
		return rig_error(RIG_ERR_DEVICE, "socket %d is busy with a run", socket);
	}
	make_id(id);
	if (path_join(script_path, sizeof(script_path), cfg->scripts_dir, script) != 0 ||
	    path_join(out, sizeof(out), cfg->runs_dir, id) != 0 ||
	    meta_path(cfg, id, "answer", answers, sizeof(answers)) != 0 ||
	    meta_path(cfg, id, "log", log, sizeof(log)) != 0 ||
	    (unit && unit[0] &&
	     path_join(unit_path, sizeof(unit_path), cfg->units_dir, unit) != 0)) {
		pthread_mutex_unlock(&start_lock);
		return RIG_ERR_INVALID;
	}
	snprintf(seed, sizeof(seed), "%u", randombytes_random() % 1000000 + 1);
	argv[n++] = cfg->rig;
	argv[n++] = "run";
	argv[n++] = script_path;
	argv[n++] = "--out";
	argv[n++] = out;
	argv[n++] = "--answers";
	argv[n++] = answers;
	argv[n++] = "--operator";
	argv[n++] = user;
	argv[n++] = "--serial";
	argv[n++] = serial;
	argv[n++] = "--quiet";
	if (cfg->fixture[0]) {
		argv[n++] = "--fixture";
		argv[n++] = cfg->fixture;
	}
	if (unit && unit[0]) {
		argv[n++] = "--sim-unit";
		argv[n++] = unit_path;
		argv[n++] = "--seed";
		argv[n++] = seed;
	}
	if (cfg->db[0]) {
		argv[n++] = "--db";
		argv[n++] = cfg->db;
	}
	argv[n] = NULL;

	time_format_iso(time(NULL), started, sizeof(started));
	meta = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i}", "id", id, "script", script,
			 "serial", serial, "socket", socket, "unit", unit ? unit : "", "user", user,
			 "started", started, "pid", 0);
	/* The record exists before the process, so a crash between the two
	 * leaves a run that shows as failed, not one nobody knows of. */
	if ((rc = write_meta(cfg, id, meta)) == 0) {
		pid = spawn_detached((char *const *)argv, log, "");
		if (pid <= 0)
			rc = rig_error_errno(RIG_ERR_IO, "cannot start rig run");
		else {
			json_object_set_new(meta, "pid", json_integer(pid));
			rc = write_meta(cfg, id, meta);
		}
	}
	json_decref(meta);
	pthread_mutex_unlock(&start_lock);
	return rc;
}

static void add_failing(json_t *failing, const char *req)
{
	if (req && req[0] && !in_list(failing, req))
		json_array_append_new(failing, json_string(req));
}

/* Fold the journal into the state (what the station page shows). */
static void summarise(json_t *st, const char *text, int with_steps)
{
	json_t *steps = json_array(), *failing = json_array(), *prompt = json_null();
	json_int_t shots = 0, lines = 0, steps_done = 0;
	const char *verdict = NULL;
	char current[128] = "";
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		json_t *e, *last;
		const char *ev;

		if (!nl)
			break;  /* a line still being written */
		lines++;
		e = json_loadb(p, (size_t)(nl - p), 0, NULL);
		p = nl + 1;
		if (!e)
			continue;
		ev = json_string_value(json_object_get(e, "event"));
		last = json_array_size(steps) ? json_array_get(steps, json_array_size(steps) - 1) : NULL;
		if (!ev) {
		} else if (!strcmp(ev, "uut")) {
			json_object_set(st, "unit_serial", json_object_get(e, "serial"));
			json_object_set(st, "firmware", json_object_get(e, "firmware"));
		} else if (!strcmp(ev, "run_start")) {
			json_object_set(st, "run_id", json_object_get(e, "run_id"));
		} else if (!strcmp(ev, "step_start")) {
			json_array_append_new(steps, json_pack("{s:O, s:O, s:O, s:s, s:I}", "step",
				json_object_get(e, "step"), "requirement", json_object_get(e, "requirement"),
				"label", json_object_get(e, "label"), "verdict", "", "shots", (json_int_t)0));
			snprintf(current, sizeof(current), "%s",
				 json_string_value(json_object_get(e, "step")) ?: "");
		} else if (!strcmp(ev, "burst")) {
			json_int_t k = json_integer_value(json_object_get(e, "measured"));

			shots += k;
			if (last)
				json_object_set_new(last, "shots", json_integer(
					json_integer_value(json_object_get(last, "shots")) + k));
		} else if (!strcmp(ev, "measurement")) {
			const char *v = json_string_value(json_object_get(e, "verdict"));

			if (v && (!strcmp(v, "FAIL") || !strcmp(v, "INDETERMINATE")))
				add_failing(failing, json_string_value(json_object_get(e, "requirement")));
		} else if (!strcmp(ev, "step_end")) {
			const char *v = json_string_value(json_object_get(e, "verdict"));

			steps_done++;
			if (last)
				json_object_set(last, "verdict", json_object_get(e, "verdict"));
			if (last && v && strcmp(v, "PASS") != 0 && strcmp(v, "SKIP") != 0 &&
			    !json_array_size(failing))
				add_failing(failing, json_string_value(json_object_get(last, "requirement")));
			current[0] = '\0';
		} else if (!strcmp(ev, "safety_stop")) {
			add_failing(failing, json_string_value(json_object_get(e, "requirement")));
		} else if (!strcmp(ev, "prompt_open")) {
			json_decref(prompt);
			prompt = json_pack("{s:O, s:I}", "message", json_object_get(e, "message"),
					   "line", lines);
			/* the picture, in the run directory (served at /runs/ID/PATH) */
			if (json_is_string(json_object_get(json_object_get(e, "image"), "path")))
				json_object_set(prompt, "image", json_object_get(
					json_object_get(e, "image"), "path"));
		} else if (!strcmp(ev, "prompt")) {
			json_decref(prompt);
			prompt = json_null();
		} else if (!strcmp(ev, "run_end")) {
			verdict = json_string_value(json_object_get(e, "verdict"));
			json_object_set_new(st, "verdict", json_string(verdict ? verdict : "ERROR"));
			json_object_set(st, "error", json_object_get(e, "error"));
		}
		json_decref(e);
	}
	json_object_set_new(st, "lines", json_integer(lines));
	json_object_set_new(st, "shots", json_integer(shots));
	json_object_set_new(st, "steps_started", json_integer((json_int_t)json_array_size(steps)));
	json_object_set_new(st, "steps_done", json_integer(steps_done));
	json_object_set_new(st, "current_step", json_string(current));
	json_object_set_new(st, "prompt", prompt);
	json_object_set_new(st, "failing", failing);
	if (with_steps)
		json_object_set_new(st, "steps", steps);
	else
		json_decref(steps);
}

static json_t *state_of(const struct serve_config *cfg, const char *id, int with_steps)
{
	json_t *st = runs_meta(cfg, id);
	char path[8192], *text = NULL;
	size_t len;
	int alive, have_journal;
	const char *state;
	long pid;

	if (!st)
		return NULL;
	pid = (long)json_integer_value(json_object_get(st, "pid"));
	alive = pid_runs(cfg, id, pid);
	if (pid == 0) {
		/* being started now, or the server died before it could start it */
		struct stat sb;

		alive = meta_path(cfg, id, "json", path, sizeof(path)) == 0 &&
			stat(path, &sb) == 0 && time(NULL) - sb.st_mtime < 10;
	}
	json_object_del(st, "pid");
	have_journal = runs_journal_path(cfg, id, path, sizeof(path)) == 0 &&
		       file_read_all(path, JOURNAL_MAX, &text, &len) == 0;
	json_object_set_new(st, "verdict", json_null());
	summarise(st, have_journal ? text : "", with_steps);
	free(text);
	if (json_is_string(json_object_get(st, "verdict")) && !alive)
		state = "done";  /* the reports and MANIFEST follow run_end */
	else if (alive)
		state = json_is_object(json_object_get(st, "prompt")) ? "prompt" :
			have_journal ? "running" : "starting";
	else
		state = have_journal ? "interrupted" : "failed";
	json_object_set_new(st, "state", json_string(state));
	if (!strcmp(state, "failed") || !strcmp(state, "interrupted")) {
		/* why: the last line rig run printed */
		char log[8192], *msg = NULL, *end;

		if (meta_path(cfg, id, "log", log, sizeof(log)) == 0 &&
		    file_read_all(log, 1 << 20, &msg, &len) == 0) {
			while (len && msg[len - 1] == '\n')
				msg[--len] = '\0';
			end = strrchr(msg, '\n');
			json_object_set_new(st, "error", json_string(end ? end + 1 : msg));
		}
		free(msg);
	}
	return st;
}

json_t *runs_state(const struct serve_config *cfg, const char *id)
{
	return state_of(cfg, id, 1);
}

static int is_meta(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

/* Newest first: ids start with their UTC time stamp. */
static int newest_first(const struct dirent **a, const struct dirent **b)
{
	return -strcmp((*a)->d_name, (*b)->d_name);
}

json_t *runs_list(const struct serve_config *cfg)
{
	struct dirent **names;
	json_t *a = json_array();
	int n = scandir(cfg->meta_dir, &names, is_meta, newest_first);

	for (int i = 0; i < n; i++) {
		char id[64];
		json_t *st;

		snprintf(id, sizeof(id), "%.*s", (int)(strlen(names[i]->d_name) - 5), names[i]->d_name);
		if (runs_valid_id(id) && (st = state_of(cfg, id, 0)))
			json_array_append_new(a, st);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return a;
}

int runs_abort(const struct serve_config *cfg, const char *id)
{
	json_t *m = runs_meta(cfg, id);
	long pid = m ? (long)json_integer_value(json_object_get(m, "pid")) : 0;
	int rc = 0;

	/* the run's session leader is rig run itself: its whole group stops */
	if (!pid_runs(cfg, id, pid) || kill(-(pid_t)pid, SIGTERM) != 0)
		rc = rig_error(RIG_ERR_INVALID, "run %s is not running", id);
	json_decref(m);
	return rc;
}

int runs_answer(const struct serve_config *cfg, const char *id, const char *answer)
{
	json_t *st = state_of(cfg, id, 0);
	char path[8192], line[300];
	int rc;

	if (!st || !json_is_object(json_object_get(st, "prompt")) ||
	    strcmp(json_string_value(json_object_get(st, "state")), "prompt") != 0) {
		json_decref(st);
		return rig_error(RIG_ERR_INVALID, "run %s has no open prompt", id);
	}
	json_decref(st);
	if (meta_path(cfg, id, "answer", path, sizeof(path)) != 0)
		return RIG_ERR_INVALID;
	snprintf(line, sizeof(line), "%.255s\n", answer[0] ? answer : "continue");
	line[strcspn(line, "\r\n")] = '\n';
	rc = write_whole(path, line);
	return rc;
}

int runs_rig(const struct serve_config *cfg, const char *const *args, char *out, size_t len)
{
	const char *argv[16];
	int fds[2], status, n = 0;
	size_t got = 0;
	pid_t pid;

	argv[n++] = cfg->rig;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		closefrom(3);
		unblock_signals();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char buf[4096];
		ssize_t k = read(fds[0], buf, sizeof(buf));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k && got + 1 < len; i++)
			out[got++] = buf[i];
	}
	if (len)
		out[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
