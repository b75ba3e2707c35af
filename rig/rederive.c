#include "rig/rederive.h"

#include <stdlib.h>
#include <string.h>

#include "rig/error.h"
#include "rig/journal.h"
#include "rig/replay.h"

void rederive_run(const char *dir, int deep, FILE *out, struct verify_result *v,
		  struct rederived *d)
{
	struct run_record rec;
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct replay rp = { 0 };
	struct journal_scan st;
	char path[4400];

	(void)deep;
	memset(d, 0, sizeof(*d));
	if (!fx)
		return;
	run_record_init(&rec);
	snprintf(rec.out_dir, sizeof(rec.out_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	rp.rec = &rec;
	rp.fx = fx;
	rp.journal_path = path;
	if (journal_scan(path, 0, replay_line, &rp, &st) == 0 && rp.ended) {
		d->replayed = 1;
		snprintf(d->run_id, sizeof(d->run_id), "%s", rec.id);
		snprintf(d->verdict, sizeof(d->verdict), "%s", verdict_name(rec.verdict));
		snprintf(d->store_path, sizeof(d->store_path), "%s", rp.store_path);
	}
	(void)out;
	(void)v;
	run_record_release(&rec);
	free(fx);
}
