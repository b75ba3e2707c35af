#include "rig/run/recover.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reports/artifacts.h"
#include "rig/base/dirlist.h"
#include "rig/base/error.h"
#include "rig/base/journal.h"
#include "rig/base/paths.h"
#include "rig/run/rederive.h"
#include "rig/run/replay.h"
#include "rig/store/store.h"
#include "rig/base/timefmt.h"

/* Every file recovery names is dir/NAME with NAME no longer than this
 * (journal.jsonl.torn is the journal's own, rig/base/journal.c). */
#define LONGEST_NAME "journal.jsonl.torn"

int recover_dir_check(const char *dir)
{
	char path[4400];

	return path_join(path, sizeof(path), dir, LONGEST_NAME);
}

int recover_needed(const char *dir)
{
	char path[4400];

	if (path_join(path, sizeof(path), dir, "journal.jsonl") != 0 || access(path, F_OK) != 0)
		return 0;
	return path_join(path, sizeof(path), dir, "MANIFEST.sig") == 0 && access(path, F_OK) != 0;
}

/* The first line of the file name in dir, never through a symbolic link;
 * 0 or -1 (and errno). */
static int first_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4400];
	ssize_t n;
	int fd;

	if (path_join(path, sizeof(path), dir, name) != 0)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* rig/run/recover.h says what makes a run directory rig's. */
const char *recover_not_ours(const char *dir, int need_mark)
{
	char path[4400], head[8192], mark[80];
	struct stat st;
	json_t *start;
	const char *why = NULL;

	if (recover_dir_check(dir) != 0)
		return "path too long";
	path_join(path, sizeof(path), dir, "journal.jsonl");
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || lstat(path, &st) != 0)
		return "not a run directory";
	if (S_ISLNK(st.st_mode))
		return "journal.jsonl: is a symbolic link (rig never makes one)";
	if (!S_ISREG(st.st_mode))
		return "journal.jsonl: not a regular file";
	if (st.st_size == 0) /* killed before its first line: nothing to lose */
		return need_mark ? "empty journal" : NULL;
	if (first_line(dir, "journal.jsonl", head, sizeof(head)) != 0)
		return "journal.jsonl: cannot read";
	start = json_loads(head, 0, NULL);
	if (!json_is_string(json_object_get(start, "run_id")) ||
	    !json_is_string(json_object_get(start, "event")) ||
	    strcmp(json_string_value(json_object_get(start, "event")), "run_start"))
		why = "not a rig run directory (its journal does not begin with a rig run_start)";
	else if (need_mark && (first_line(dir, RECOVER_MARK, mark, sizeof(mark)) != 0 ||
			       strcmp(mark, json_string_value(json_object_get(start, "run_id")))))
		why = "not made by rig run here (no " RECOVER_MARK " naming its run)";
	json_decref(start);
	return why;
}

/* A run cut short ends ABORTED, the journal saying where it was cut (the
 * record's other loose ends are derived from the journal: rig/replay.c). */
static int close_record(struct replay *rp, struct journal *j, const struct journal_scan *st)
{
	char error[512];
	int rc;

	snprintf(error, sizeof(error),
		 "interrupted after journal line %llu (%s); closed by rig recover",
		 (unsigned long long)st->lines, rp->last_time[0] ? rp->last_time : "no events");
	rc = journal_append(j, "recovered",
			    json_pack("{s:I, s:s}", "torn_bytes", (json_int_t)st->torn_bytes,
				      "torn_kept_in", st->torn_bytes ? "journal.jsonl.torn" : ""));
	if (!rc)
		rc = journal_append(j, "run_end", json_pack("{s:s, s:s}", "verdict", "ABORTED",
							    "error", error));
	return rc;
}

/* Ready rp to rebuild the record of the run in dir from its journal
 * (path): 0, or the error of a dir too long to name its files. */
static int replay_setup(struct replay *rp, struct run_record *rec, struct fixture *fx,
			const char *dir, char *path, size_t len)
{
	run_record_init(rec);
	rp->rec = rec;
	rp->fx = fx;
	rp->journal_path = path;
	if (recover_dir_check(dir) != 0 ||
	    path_format(rec->out_dir, sizeof(rec->out_dir), "%s", dir) != 0)
		return RIG_ERR_INVALID;
	return path_join(path, len, dir, "journal.jsonl");
}

/* A finished run rig run left out of its results store (records cut short
 * by a full disk, or killed while it waited for the store) goes in. */
static void store_if_missing(const char *path, const struct run_record *rec, FILE *out,
			     int create)
{
	struct store st;
	char id[64];
	int rc;

	if (!path[0] || (create ? store_open(&st, path) : store_open_existing(&st, path)) != 0)
		return;
	if (store_resolve_run(&st, rec->id, id) != 0 || strcmp(id, rec->id) != 0) {
		rc = store_put_run(&st, rec);
		fprintf(out, "rig: %s: run %s %s the results store %s\n", rec->out_dir, rec->id,
			rc ? "could not be added to" : "added to", path);
	}
	store_close(&st);
}

/*
 * A closed, signed run is missing from its results store when rig was
 * killed while it waited for the store's lock: its journal, read without
 * a change to the record, puts it there. Only into a store that exists: a
 * run directory copied elsewhere must not create its station's store on
 * another machine.
 */
void recover_store_closed(const char *dir, FILE *out)
{
	struct run_record rec;
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct replay rp = { 0 };
	struct journal_scan st;
	char path[4400];

	if (!fx)
		return;
	if (replay_setup(&rp, &rec, fx, dir, path, sizeof(path)) == 0 &&
	    journal_scan(path, 0, replay_line, &rp, &st) == 0 && rp.ended) {
		run_record_settle(&rec);
		if (rec.verdict != VERDICT_ABORTED)
			store_if_missing(rp.store_path, &rec, out, 0);
	}
	run_record_release(&rec);
	free(fx);
}

/* A journaled figure that judging its values again does not give: the
 * record gets rig's verdict, and the operator hears why it differs. */
static void tell_mismatch(void *ctx, const char *msg)
{
	fprintf((FILE *)ctx, "rig: %s (the record keeps what rig judges)\n", msg);
}

static void capture_changed(void *ctx, const char *msg)
{
	rig_error(RIG_ERR_INVALID, "%s: %s: not signing a record of a changed capture", (char *)ctx,
		  msg);
}

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int recover_run(const char *dir, const struct station_key *k, FILE *out)
{
	struct run_record rec;
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct replay rp = { 0 };
	struct journal j;
	struct journal_scan st;
	char path[4400];
	int rc;

	if (!fx)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	if ((rc = replay_setup(&rp, &rec, fx, dir, path, sizeof(path))) != 0) {
		run_record_release(&rec);
		free(fx);
		return rc;
	}
	rp.mismatch = tell_mismatch;
	rp.mismatch_ctx = out;
	rc = journal_resume(&j, path, replay_line, &rp, &st);
	/* The journal holds each capture's SHA-256 from when it was written. */
	if (!rc && rederive_check_captures(&rec, dir, capture_changed, (void *)dir) != 0)
		rc = RIG_ERR_INVALID;
	if (!rc && !rp.ended)
		rc = close_record(&rp, &j, &st);
	/* The record is what the closed journal gives, as rig verify will
	 * rebuild it: replayed once more, from the start. */
	if (!rc) {
		run_record_release(&rec);
		memset(&rp, 0, sizeof(rp));
		rc = replay_setup(&rp, &rec, fx, dir, path, sizeof(path));
		rp.mismatch = quiet; /* told on the first pass */
		if (!rc)
			rc = journal_scan(path, 0, replay_line, &rp, &st);
	}
	if (!rc) {
		key_id(k, rec.station_key_id); /* the key that signs it now */
		run_record_settle(&rec);
		rc = reports_write_all(&rec, fx, k);
	}
	journal_close(&j);
	if (!rc && rec.verdict != VERDICT_ABORTED)
		store_if_missing(rp.store_path, &rec, out, 1);
	if (!rc) {
		size_t nm = 0;

		for (size_t i = 0; i < rec.nsteps; i++)
			nm += rec.steps[i].nm;
		fprintf(out, "rig: recovered %s: run %s %s, %zu steps, %zu measurements kept%s\n",
			dir, rec.id, verdict_name(rec.verdict), rec.nsteps, nm,
			st.torn_bytes ? ", torn last journal line kept in journal.jsonl.torn" : "");
	}
	run_record_release(&rec);
	free(fx);
	return rc;
}

int recover_leftovers(const char *parent, const char *skip, const struct station_key *k,
		      FILE *out)
{
	struct dir_names names;
	char dir[4400];
	int closed = 0;

	if (dir_names_read(parent, &names) != 0)
		return 0;
	for (size_t i = 0; i < names.n; i++) {
		if (names.name[i][0] == '.')
			continue;
		if (path_join(dir, sizeof(dir), parent, names.name[i]) != 0 ||
		    recover_dir_check(dir) != 0) {
			fprintf(out, "rig: cannot recover %s/%.200s...: %s\n", parent, names.name[i],
				rig_last_error());
			continue;
		}
		if ((skip && !strcmp(dir, skip)) || !recover_needed(dir) || recover_not_ours(dir, 1))
			continue;
		if (recover_run(dir, k, out) == 0)
			closed++;
		else if (!strstr(rig_last_error(), "a running rig holds it"))
			fprintf(out, "rig: cannot recover %s: %s\n", dir, rig_last_error());
	}
	dir_names_release(&names);
	return closed;
}
