/* `rig run SCRIPT [options]`: parse the options, then rig/run/run.c runs. */
#include <stdio.h>

#include "rig/base/error.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/verbs.h"
#include "rig_config.h"

static const char run_usage[] =
	"usage: rig run SCRIPT [options]\n"
	"  --fixture F          station description (default fixtures/sim-bench.lua)\n"
	"  --sim-unit U         simulated unit model (default fixtures/units/nominal.lua);\n"
	"                       S=U for socket S of a fixture with sockets (repeatable)\n"
	"  --serial SERIAL      the serial the operator scanned: checked against the unit's\n"
	"                       before the first shot; a USB injector is opened by it\n"
	"                       (S=SERIAL per socket, repeatable)\n"
	"  --socket S           test only socket S of a fixture with sockets\n"
	"  SCRIPT, F and U are looked up as given, then in ./scripts, ./fixtures,\n"
	"  ./fixtures/units, then in " RIG_DATADIR "/{scripts,fixtures,units}\n"
	"  --seed N             sim randomness (default 1)\n"
	"  --out DIR            run directory (default reports/out/<run-id>)\n"
	"  --operator NAME      recorded in the reports (default $USER)\n"
	"  --realtime           pace the sim to the wall clock\n"
	"  --batch              answer operator prompts automatically (also without a terminal)\n"
	"  --answers FILE       answer prompts through FILE, written by rig serve (docs/serve.md)\n"
	"  --allow-expired-cal  run with an expired calibration certificate (recorded)\n"
	"  --allow-expired-msa  run without an acceptable, recent gauge R&R (recorded)\n"
	"  --quiet              no progress line\n"
	"  --step-timeout S     stop a step whose Lua code runs longer than S seconds\n"
	"                       (default 600; 0: no limit; bursts have their own limits)\n"
	"  --db PATH            results store the run is recorded in\n"
	"                       (default $XDG_DATA_HOME/rig/results.db)\n"
	"  --firmware FILE      image for the script to flash (rig.firmware, rig.uut:flash())\n"
	"  --param NAME=VALUE   a run option the script reads as rig.params.NAME\n";

int run_command(int argc, char **argv)
{
	struct run_options o;

	if (cli_parse_run(argc, argv, &o) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	if (o.help) {
		fputs(run_usage, stdout);
		return 0;
	}
	return run_execute(&o);
}
