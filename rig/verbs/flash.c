#include "rig/verbs/verbs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/injector/dfu.h"
#include "rig/base/error.h"
#include "rig/station/fixture.h"

static const char usage[] =
	"usage: rig flash FILE --unit SERIAL [--fixture F]\n"
	"  FILE          firmware image with its DFU suffix (docs/usb-protocol.md)\n"
	"  --unit SERIAL the injector to update (its USB serial number)\n"
	"  --fixture F   take the unit's USB IDs and timeout from this fixture\n";

static void progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	fprintf(stderr, "\rflashing: %zu of %zu bytes", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static int fail(void)
{
	fprintf(stderr, "rig: %s\n", rig_last_error());
	return 2;
}

int flash_command(int argc, char **argv)
{
	static struct fixture fx;
	struct flash_request rq = { 0 };
	struct flash_result res;
	const char *fixture = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
			rq.serial = argv[++i];
		} else if (!strcmp(argv[i], "--fixture") && i + 1 < argc) {
			fixture = argv[++i];
		} else if (argv[i][0] != '-' && !rq.file) {
			rq.file = argv[i];
		} else {
			fprintf(stderr, "rig: flash: unexpected argument \"%s\"\n%s", argv[i], usage);
			return 2;
		}
	}
	if (!rq.file || !rq.serial) {
		fprintf(stderr, "rig: flash needs FILE and --unit SERIAL\n%s", usage);
		return 2;
	}
	if (fixture) {
		if (fixture_load(&fx, fixture) != 0)
			return fail();
		rq.vid = fx.uut.vid;
		rq.pid = fx.uut.pid;
		rq.timeout_ms = fx.uut.timeout_ms;
	}
	if (isatty(STDERR_FILENO))
		rq.progress = progress;
	if (injector_flash(&rq, &res) != 0)
		return fail();
	printf("flashed %s: firmware %s -> %s (%zu bytes in %u blocks), verified\n", rq.serial,
	       res.before[0] ? res.before : "(was in DFU mode)", res.after.firmware, res.bytes,
	       res.blocks);
	return 0;
}
