/*
 * rig: hardware-in-the-loop test and certification of meso-injectors.
 * main() only dispatches verbs; each lives in its own file.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/verbs/verbs.h"
#include "rig_config.h"

static const char usage[] =
	"usage: rig COMMAND [ARGS]\n"
	"\n"
	"  run SCRIPT [--fixture F] [--sim-unit U] [--seed N] [--out DIR]\n"
	"             [--operator NAME] [--realtime] [--batch] [--allow-expired-cal]\n"
	"             [--allow-expired-msa] [--quiet]\n"
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
	"                       ~/.config/rig/station.sec, made on first run)\n"
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
	"  serve [--listen ADDR:PORT]\n"
	"                       the operator station in the browser (docs/serve.md)\n"
	"  user add|del|list [NAME] [--role operator|qa|admin]\n"
	"                       the users of rig serve (password from the terminal or stdin)\n"
	"  sync [--to CONNINFO] push closed runs to the line's central store (PostgreSQL)\n"
	"  line [--db CONNINFO] yields, capability and station comparison across the line\n"
	"  msa grr|type1 [--requirement R] [--setting S] [--json] ...\n"
	"                       gauge R&R or Type 1 study of the station (docs/msa.md)\n"
	"\n"
	"Exit status: 0 all PASS, 1 any FAIL or INDETERMINATE, 2 the run could not complete.\n"
	"See rig(1) and " RIG_DOCDIR "/.\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} verbs[] = {
		{ "run", run_command },
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
		{ "serve", serve_command },
		{ "user", user_command },
		{ "sync", sync_command },
		{ "line", line_command },
		{ "msa", msa_command },
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
