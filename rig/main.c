/*
 * rig: hardware-in-the-loop test and certification of meso-injectors.
 * main() only dispatches verbs; each lives in its own file.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "rig/cli.h"
#include "rig/error.h"
#include "rig/flash.h"
#include "rig/list_devices.h"
#include "rig/measure_cmd.h"
#include "rig/records_cmd.h"
#include "rig/recover.h"
#include "rig/regress/verbs.h"
#include "rig/run.h"
#include "rig/stats_cmd.h"
#include "rig/trust_cmd.h"

static const char usage[] =
	"usage: rig COMMAND [ARGS]\n"
	"\n"
	"  run SCRIPT [--fixture F] [--sim-unit U] [--seed N] [--out DIR]\n"
	"             [--operator NAME] [--realtime] [--batch] [--allow-expired-cal] [--quiet]\n"
	"             [--step-timeout S] [--db PATH] [--firmware FILE] [--param N=V]\n"
	"                       run a test script (default: the sim bench)\n"
	"  verify DIR [--key STATION.pub] [--deep]\n"
	"                       authenticate a run directory and re-derive its verdicts\n"
	"  sign DIR --meaning authored|reviewed|approved|rejected --operator NAME\n"
	"       --key PERSONAL.sec\n"
	"                       add an electronic signature to a run\n"
	"  trust add PUBKEY --name NAME --role station|operator|reviewer|approver\n"
	"  trust list|remove    the keys rig verify accepts\n"
	"  stats k --n N [--confidence 0.95] [--coverage 0.975] [--sides 1|2]\n"
	"          [--method exact|howe|natrella]\n"
	"                       normal tolerance-interval factor\n"
	"  stats n [--confidence 0.95] [--coverage 0.975] [--sides 1|2]\n"
	"                       values a distribution-free interval needs\n"
	"  recover [DIR]        close out an interrupted run as ABORTED\n"
	"  keygen --out KEYFILE [--person NAME]\n"
	"                       create a signing key (the station's: $RIG_KEY or\n"
	"                       ~/.config/rig/station.key, made on first run)\n"
	"  list-devices [--fixture F]\n"
	"                       Comedi, USB and serial devices present\n"
	"  flash FILE --unit SERIAL [--fixture F]\n"
	"                       update an injector's firmware (USB DFU) and verify it\n"
	"  measure CAPTURE [--csv]\n"
	"                       measure the shots in a raw capture file\n"
	"  history [--serial S] [--firmware V] ...\n"
	"                       runs in the results store (--db PATH; default\n"
	"                       $XDG_DATA_HOME/rig/results.db)\n"
	"  diff [BASE] RUN      compare a run with its baseline: exit 1 on a regression\n"
	"  baseline set|show RUN\n"
	"                       the run later runs of a firmware branch are compared with\n"
	"  trend --requirement R [--out FILE]\n"
	"                       X-bar and S control charts across runs\n"
	"\n"
	"Exit status: 0 all PASS, 1 any FAIL or INDETERMINATE, 2 the run could not complete.\n"
	"See rig(1) and docs/.\n";

static const char run_usage[] =
	"usage: rig run SCRIPT [options]\n"
	"  --fixture F          station description (default fixtures/sim-bench.lua)\n"
	"  --sim-unit U         simulated unit model (default fixtures/units/nominal.lua)\n"
	"  --seed N             sim randomness (default 1)\n"
	"  --out DIR            run directory (default reports/out/<run-id>)\n"
	"  --operator NAME      recorded in the reports (default $USER)\n"
	"  --realtime           pace the sim to the wall clock\n"
	"  --batch              answer operator prompts automatically (also without a terminal)\n"
	"  --allow-expired-cal  run with an expired calibration certificate (recorded)\n"
	"  --quiet              no progress line\n"
	"  --step-timeout S     stop a step whose Lua code runs longer than S seconds\n"
	"                       (default 600; 0: no limit; bursts have their own limits)\n"
	"  --db PATH            results store the run is recorded in\n"
	"                       (default $XDG_DATA_HOME/rig/results.db)\n"
	"  --firmware FILE      image for the script to flash (rig.firmware, rig.uut:flash())\n"
	"  --param NAME=VALUE   a run option the script reads as rig.params.NAME\n";

static int cmd_run(int argc, char **argv)
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
	return run_command(&o);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} verbs[] = {
		{ "run", cmd_run },
		{ "measure", measure_command },
		{ "verify", verify_command },
		{ "stats", stats_command },
		{ "recover", recover_command },
		{ "keygen", keygen_command },
		{ "sign", sign_command },
		{ "trust", trust_command },
		{ "list-devices", list_devices_command },
		{ "flash", flash_command },
		{ "history", history_command },
		{ "diff", diff_command },
		{ "baseline", baseline_command },
		{ "trend", trend_command },
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "rig: libsodium failed to initialise\n");
		return 2;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("rig %s\n", RIG_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rig: unknown command \"%s\" (see rig --help)\n", argv[1]);
	return 2;
}
