/* The journal reader and the replay behind `rig recover` and `rig verify`
 * (every measurement judged again from what the journal says) on any bytes. */
#include "rig/base/error.h"
#include "rig/base/journal.h"
#include "rig/run/replay.h"
#include "tests/fuzz/fuzz.h"

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture fx;
	struct run_record rec;
	struct replay rp = { .rec = &rec, .fx = &fx, .journal_path = "journal.jsonl",
			     .mismatch = ignore };
	struct journal_scan st;

	run_record_init(&rec);
	journal_scan(fuzz_file(data, size), 1, replay_line, &rp, &st);
	run_record_settle(&rec);
	run_record_release(&rec);
	return 0;
}
