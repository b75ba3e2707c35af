#include "rig/run/rederive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/reports.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/journal.h"
#include "rig/base/paths.h"
#include "rig/stats/judge.h"
#include "rig/measure/capture.h"
#include "rig/base/record_json.h"
#include "rig/run/replay.h"
#include "rig/station/burst.h"
#include "rig/store/store.h"

#define JUDGE_MAX_VALUES 10000000

/* The numbers of array a; NULL (and an error) when one is not a number. */
static double *numbers(const json_t *a, size_t *n)
{
	double *x;

	*n = json_array_size(a);
	if (!json_is_array(a) || *n > JUDGE_MAX_VALUES) {
		rig_error(RIG_ERR_INVALID, "journaled values missing");
		return NULL;
	}
	if (!(x = malloc((*n ? *n : 1) * sizeof(*x)))) {
		rig_error(RIG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_number(v)) {
			free(x);
			rig_error(RIG_ERR_INVALID, "journaled value %zu is not a number", i + 1);
			return NULL;
		}
		x[i] = json_number_value(v);
	}
	return x;
}

/* The U a measurement's guard band was made of, as journaled (the
 * fixture's combined with the captures' Type A term); the fixture's own
 * for a journal that does not say. */
static double guard_u(const json_t *j, double fixture_u)
{
	double g = json_number_at(j, "guard_u");

	return isfinite(g) && g >= 0 ? g : fixture_u;
}

static unsigned count_at(const json_t *j, const char *key, int *bad)
{
	json_t *v = json_object_get(j, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
		*bad = 1;
	return json_is_integer(v) ? (unsigned)json_integer_value(v) : 0;
}

int rederive_measurement(const json_t *e, const struct fixture *fx, struct step_record *s,
			 struct measurement *out)
{
	const json_t *j = json_object_get(e, "judged");
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *name = json_string_value(json_object_get(e, "name"));
	const char *req = json_string_value(json_object_get(e, "requirement"));
	struct measurement m;
	struct acceptance a;
	double *x = NULL;
	size_t n = 0;
	int rc = 0, bad = 0;

	if (!kind || !name || !req || strlen(name) >= sizeof(m.name))
		return rig_error(RIG_ERR_INVALID, "journaled without what it was judged from");
	measurement_init(&m);
	snprintf(m.name, sizeof(m.name), "%s", name);
	if (!strcmp(kind, "shot_count")) {
		unsigned measured = count_at(j, "measured", &bad), cmd = count_at(j, "commanded", &bad);
		unsigned counted = count_at(j, "unit_counted", &bad), burst = count_at(j, "burst", &bad);

		if (bad)
			return rig_error(RIG_ERR_INVALID, "shot counts malformed");
		judge_shot_count(measured, cmd, counted, burst, req, &m);
	} else if (!strcmp(kind, "safe_depth")) {
		double set = json_number_at(j, "set_mm"), over = json_number_at(j, "over_mm");

		if (!(x = numbers(json_object_get(j, "values"), &n)))
			return RIG_ERR_INVALID;
		if (!isfinite(set) || !isfinite(over))
			rc = rig_error(RIG_ERR_INVALID, "safe depth setting malformed");
		else
			rc = judge_safe_depth_u(x, n, req, set, over, fx,
						guard_u(j, fixture_uncertainty(fx, "depth_mm", set)), &m);
	} else if (!strcmp(kind, "sample")) {
		if (acceptance_from_json(json_object_get(j, "acceptance"), &a) != 0)
			return rig_error(RIG_ERR_INVALID, "journaled acceptance criteria malformed");
		if (!(x = numbers(json_object_get(j, "values"), &n)))
			return RIG_ERR_INVALID;
		double u = fixture_uncertainty(fx, name, acceptance_setting(&a));

		rc = judge_sample_u(x, n, &a, fx, guard_u(j, u), &m);
	} else
		return rig_error(RIG_ERR_INVALID, "judged by an unknown kind \"%s\"", kind);
	if (!rc && x && s)
		rc = step_keep_values(s, &m, x, n);
	free(x);
	if (!rc)
		*out = m;
	return rc;
}

int rederive_compare(const json_t *e, const struct measurement *out)
{
	json_t *j = measurement_to_json(out), *v;
	const char *key;
	char *want = NULL, *got = NULL;
	int rc = 0;

	json_object_foreach(j, key, v) {
		if (json_equal(v, json_object_get(e, key)))
			continue;
		want = json_dumps(json_object_get(e, key), JSON_ENCODE_ANY | JSON_COMPACT);
		got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		rc = rig_error(RIG_ERR_INVALID, "the journal says %s %.80s, judging its values again "
			       "gives %.80s", key, want ? want : "nothing", got ? got : "?");
		break;
	}
	free(want);
	free(got);
	json_decref(j);
	return rc;
}

int rederive_check_captures(const struct run_record *r, const char *dir,
			    void (*fn)(void *ctx, const char *msg), void *ctx)
{
	char path[4400], hash[65], msg[600];
	int bad = 0;

	for (size_t i = 0; i < r->nsteps; i++)
		for (size_t c = 0; c < r->steps[i].ncaptures; c++) {
			const struct artifact *a = &r->steps[i].captures[c];

			if (path_join(path, sizeof(path), dir, a->name) != 0)
				snprintf(msg, sizeof(msg), "%s", rig_last_error());
			else if (strstr(a->name, "..") || file_sha256_hex(path, hash) != 0)
				snprintf(msg, sizeof(msg), "%s: missing or unreadable (the journal "
					 "recorded it)", a->name);
			else if (strcmp(hash, a->sha256))
				snprintf(msg, sizeof(msg), "%s: SHA-256 differs from the one the "
					 "journal recorded when it was captured", a->name);
			else
				continue;
			if (!bad++)
				fn(ctx, msg);
		}
	return bad;
}

struct checker {
	struct verify_result *v;
	FILE *out;
	int problems;
};

static void tampered(void *ctx, const char *msg)
{
	struct checker *c = ctx;

	verify_problem(c->v, c->out, 0, "%s", msg);
	c->problems++;
}

/* Step and run verdicts as run_record_settle derives them vs the journal's. */
static void check_verdicts(struct checker *c, struct run_record *rec)
{
	enum verdict *said = calloc(rec->nsteps + 1, sizeof(*said));
	enum verdict run = rec->verdict;

	for (size_t i = 0; said && i < rec->nsteps; i++)
		said[i] = rec->steps[i].verdict;
	run_record_settle(rec);
	for (size_t i = 0; said && i < rec->nsteps; i++)
		if (said[i] != rec->steps[i].verdict)
			verify_problem(c->v, c->out, 0, "journal.jsonl: step %s ends %s, but its "
				       "measurements give %s", rec->steps[i].id, verdict_name(said[i]),
				       verdict_name(rec->steps[i].verdict));
	if (run != rec->verdict)
		verify_problem(c->v, c->out, 0, "journal.jsonl: run_end says %s, but its steps give "
			       "%s", verdict_name(run), verdict_name(rec->verdict));
	free(said);
}

static int same_file(const char *a, const char *b)
{
	char *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	int same = file_read_all(a, 1u << 30, &x, &nx) == 0 && file_read_all(b, 1u << 30, &y, &ny) == 0 &&
		   nx == ny && !memcmp(x, y, nx);

	free(x);
	free(y);
	return same;
}

/* The machine-readable reports must be exactly what the record gives. */
static void check_reports(struct checker *c, const struct run_record *rec,
			  const struct fixture *fx, const char *dir)
{
	static const char *const names[] = { "result.json", "junit.xml", "shots.csv" };
	char tmp[4096], mine[4400], theirs[4400];
	const char *base = getenv("TMPDIR");
	int before = c->v->tampered;

	if (path_join(tmp, sizeof(tmp), base && base[0] ? base : "/tmp", "rig-verify.XXXXXX")) {
		verify_problem(c->v, c->out, 0, "$TMPDIR: %s", rig_last_error());
		return;
	}
	if (!mkdtemp(tmp)) {
		verify_problem(c->v, c->out, 0, "cannot make a scratch directory to re-derive the "
			       "reports in");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		int rc;

		if (path_join(mine, sizeof(mine), tmp, names[i]) != 0 ||
		    path_join(theirs, sizeof(theirs), dir, names[i]) != 0) {
			verify_problem(c->v, c->out, 0, "%s: %s", names[i], rig_last_error());
			continue;
		}
		rc = i == 0 ? report_result_json(rec, fx, mine)
		     : i == 1 ? report_junit(rec, mine) : report_shots_csv(rec, mine);
		if (rc || !same_file(mine, theirs))
			verify_problem(c->v, c->out, 0, "%s: not what the journal gives (its verdicts, "
				       "values or limits were changed)", names[i]);
		unlink(mine);
	}
	rmdir(tmp);
	if (c->v->tampered == before)
		fprintf(c->out, "ok       result.json, junit.xml, shots.csv are what the journal "
			"gives\n");
}

/* The results store's copy of the run, where it has one. */
static void check_store(struct checker *c, const struct run_record *rec, const char *path)
{
	struct run_record kept;
	struct store st;
	char id[64];
	int before = c->v->tampered;

	if (!path[0] || store_open_existing(&st, path) != 0) {
		rig_error_clear();
		return;
	}
	if (store_resolve_run(&st, rec->id, id) != 0 || strcmp(id, rec->id)) {
		store_close(&st);
		rig_error_clear();
		return;
	}
	run_record_init(&kept);
	if (store_load_run(&st, rec->id, &kept) != 0)
		verify_problem(c->v, c->out, 0, "%s: %s", path, rig_last_error());
	else if (kept.verdict != rec->verdict || kept.nsteps != rec->nsteps)
		verify_problem(c->v, c->out, 0, "results store %s: run %s is %s there, %s here", path,
			       rec->id, verdict_name(kept.verdict), verdict_name(rec->verdict));
	else
		for (size_t i = 0; i < rec->nsteps && c->v->tampered == before; i++) {
			const struct step_record *a = &kept.steps[i], *b = &rec->steps[i];

			if (a->verdict != b->verdict || a->nm != b->nm || strcmp(a->id, b->id))
				verify_problem(c->v, c->out, 0, "results store %s: step %s differs",
					       path, b->id);
			for (size_t j = 0; j < a->nm && j < b->nm && c->v->tampered == before; j++)
				if (a->m[j].verdict != b->m[j].verdict || a->m[j].n != b->m[j].n ||
				    !(a->m[j].mean == b->m[j].mean ||
				      (isnan(a->m[j].mean) && isnan(b->m[j].mean))))
					verify_problem(c->v, c->out, 0, "results store %s: step %s "
						       "measurement %s differs", path, b->id,
						       b->m[j].name);
		}
	if (c->v->tampered == before)
		fprintf(c->out, "ok       the results store's row agrees (%s)\n", path);
	run_record_release(&kept);
	store_close(&st);
}

struct remeasure {
	const struct step_record *s;
	uint32_t burst;
	size_t next;          /* index into s->shots of the next shot of the burst */
	const struct capture_info *info; /* its header: the bench clock's t0 */
	int differs;
};

/* Bit for bit, NAN equal to NAN (JSON null). */
static int same_number(double a, double b)
{
	return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof(a));
}

static void on_shot(void *ctx, const struct shot *sh)
{
	struct remeasure *r = ctx;
	const struct shot_row *row;
	struct shot_row want;
	struct shot again;

	while (r->next < r->s->nshots && r->s->shots[r->next].burst < r->burst)
		r->next++;
	if (r->next >= r->s->nshots || r->s->shots[r->next].burst != r->burst) {
		r->differs = 1;
		return;
	}
	row = &r->s->shots[r->next++];
	/* The shot as the run recorded it, on the bench clock: every number
	 * and every point it was read from must come out as journaled. */
	again = *sh;
	again.t_s += r->info->h.t0_s;
	burst_shot_row(&want, &again);
	want.flags = row->flags;  /* PARTIAL needs the setting, which a capture does not hold */
	if (!shot_row_same(row, &want))
		r->differs = 1;
}

/* The capture's signal quality measured again against its signal event. */
static int same_signal(const struct signal_record *j, const struct measure_quality *q)
{
	return !j->have ||
	       (same_number(j->noise_mm, q->noise_mm) && same_number(j->hum_mm, q->hum_mm) &&
		same_number(j->hum_hz, q->hum_hz) &&
		same_number(j->plunger_noise_ul, q->plunger_noise_ul) &&
		j->clipped_samples == q->clipped && j->stuck == q->stuck &&
		same_number(j->u_depth_mm, q->u_depth_mm) &&
		same_number(j->u_volume_ul, q->u_volume_ul));
}

/* Measure every capture again; each burst's shots and signal quality must
 * come out bit for bit. */
static void check_deep(struct checker *c, const struct run_record *rec, const char *dir)
{
	char path[4400];
	size_t bursts = 0, before = (size_t)c->v->tampered;

	for (size_t i = 0; i < rec->nsteps; i++) {
		const struct step_record *s = &rec->steps[i];

		for (size_t b = 0; b < s->ncaptures; b++) {
			struct capture_info info;
			struct remeasure r = { .s = s, .burst = (uint32_t)b + 1, .info = &info };
			size_t journaled = 0, got;

			memset(&info, 0, sizeof(info));
			for (size_t k = 0; k < s->nshots; k++)
				journaled += s->shots[k].burst == r.burst;
			if (path_join(path, sizeof(path), dir, s->captures[b].name) != 0 ||
			    measure_capture(path, 0, on_shot, &r, &info) != 0) {
				verify_problem(c->v, c->out, 0, "%s: cannot be measured again: %s",
					       s->captures[b].name, rig_last_error());
				capture_info_release(&info);
				continue;
			}
			capture_info_release(&info);
			got = 0;
			for (size_t k = 0; k < r.next; k++)
				got += s->shots[k].burst == r.burst;
			if (r.differs || got != journaled)
				verify_problem(c->v, c->out, 0, "%s: measured again, its shots differ "
					       "from the journal's", s->captures[b].name);
			else if (!same_signal(&s->captures[b].signal, &info.quality))
				verify_problem(c->v, c->out, 0, "%s: measured again, its signal quality "
					       "(noise, hum, clipping, Type A) differs from the journal's",
					       s->captures[b].name);
			bursts++;
		}
	}
	if ((size_t)c->v->tampered == before)
		fprintf(c->out, "ok       %zu captures measured again: every shot and its signal "
			"quality as journaled, bit for bit\n", bursts);
}

void rederive_run(const char *dir, int deep, FILE *out, struct verify_result *v,
		  struct rederived *d)
{
	struct run_record rec;
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct checker c = { .v = v, .out = out };
	struct replay rp = { 0 };
	struct journal_scan st;
	char path[4400];
	size_t nm = 0;

	memset(d, 0, sizeof(*d));
	if (!fx)
		return;
	run_record_init(&rec);
	if (path_format(rec.out_dir, sizeof(rec.out_dir), "%s", dir) != 0 ||
	    path_join(path, sizeof(path), dir, "journal.jsonl") != 0) {
		verify_problem(v, out, 0, "%s", rig_last_error());
		run_record_release(&rec);
		free(fx);
		return;
	}
	rp.rec = &rec;
	rp.fx = fx;
	rp.journal_path = path;
	rp.mismatch = tampered;
	rp.mismatch_ctx = &c;
	/* A journal that does not replay was reported by the chain check. */
	if (journal_scan(path, 0, replay_line, &rp, &st) == 0 && rp.ended) {
		d->replayed = 1;
		check_verdicts(&c, &rec);
		for (size_t i = 0; i < rec.nsteps; i++)
			nm += rec.steps[i].nm;
		if (!c.problems)
			fprintf(out, "ok       %zu measurements judged again from the journal: every "
				"verdict and statistic as journaled, run %s\n", nm,
				verdict_name(rec.verdict));
		if (rederive_check_captures(&rec, dir, tampered, &c) == 0)
			fprintf(out, "ok       every capture has the SHA-256 the journal recorded\n");
		check_reports(&c, &rec, fx, dir);
		check_store(&c, &rec, rp.store_path);
		if (deep)
			check_deep(&c, &rec, dir);
		snprintf(d->run_id, sizeof(d->run_id), "%s", rec.id);
		snprintf(d->verdict, sizeof(d->verdict), "%s", verdict_name(rec.verdict));
		snprintf(d->store_path, sizeof(d->store_path), "%s", rp.store_path);
	}
	run_record_release(&rec);
	free(fx);
}
