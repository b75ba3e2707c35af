#include "rig/verbs/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

int cli_parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!text || !*text || *text == '-' || *text == '+')
		return rig_error(RIG_ERR_INVALID, "%s needs a whole number, got \"%s\"", opt,
				 text ? text : "");
	v = strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return rig_error(RIG_ERR_INVALID, "%s needs a whole number up to %llu, got \"%s\"",
				 opt, (unsigned long long)max, text);
	*out = v;
	return 0;
}

int cli_parse_double(const char *opt, const char *text, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = text ? strtod(text, &end) : 0;
	if (!text || !*text || errno || *end || !isfinite(v))
		return rig_error(RIG_ERR_INVALID, "%s needs a number, got \"%s\"", opt,
				 text ? text : "");
	*out = v;
	return 0;
}

/* --param NAME=VALUE: a Lua identifier and a value the script reads as a string. */
static int parse_param(struct run_options *o, const char *text)
{
	const char *eq = strchr(text, '=');
	size_t n = eq ? (size_t)(eq - text) : 0;

	if (!eq || n == 0 || n > 31 || strspn(text, "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != n ||
	    (text[0] >= '0' && text[0] <= '9'))
		return rig_error(RIG_ERR_INVALID, "--param needs NAME=VALUE with NAME a word of 1 to "
				 "31 letters, digits or _, got \"%s\"", text);
	if (strlen(eq + 1) > 255)
		return rig_error(RIG_ERR_INVALID, "--param %.*s: value longer than 255 bytes",
				 (int)n, text);
	for (int i = 0; i < o->nparams; i++)
		if (!strncmp(o->params[i], text, n + 1))
			return rig_error(RIG_ERR_INVALID, "--param %.*s given twice", (int)n, text);
	if (o->nparams == (int)(sizeof(o->params) / sizeof(o->params[0])))
		return rig_error(RIG_ERR_INVALID, "at most %zu --param options",
				 sizeof(o->params) / sizeof(o->params[0]));
	o->params[o->nparams++] = text;
	return 0;
}

/* --sim-unit and --serial: "SOCKET=VALUE" for one socket (a socket name
 * is letters, digits, '-' and '_'), else VALUE for every socket. */
static int socket_value(const char *text, const char *opt, const char **list, int *n,
			const char **plain)
{
	size_t name = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

	if (name == 0 || text[name] != '=') {
		*plain = text;
		return 0;
	}
	if (!text[name + 1])
		return rig_error(RIG_ERR_INVALID, "%s %s needs a value after '='", opt, text);
	if (*n >= 16)
		return rig_error(RIG_ERR_INVALID, "at most 16 %s SOCKET=... options", opt);
	list[(*n)++] = text;
	return 0;
}

int cli_parse_run(int argc, char **argv, struct run_options *o)
{
	enum { OPT_FIXTURE = 256, OPT_SIM_UNIT, OPT_SEED, OPT_OUT, OPT_OPERATOR, OPT_REALTIME,
	       OPT_BATCH, OPT_ALLOW_EXPIRED, OPT_QUIET, OPT_STEP_TIMEOUT, OPT_DB, OPT_FIRMWARE,
	       OPT_PARAM, OPT_SOCKET, OPT_SERIAL };
	static const struct option longopts[] = {
		{ "fixture", required_argument, NULL, OPT_FIXTURE },
		{ "sim-unit", required_argument, NULL, OPT_SIM_UNIT },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "realtime", no_argument, NULL, OPT_REALTIME },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "allow-expired-cal", no_argument, NULL, OPT_ALLOW_EXPIRED },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "step-timeout", required_argument, NULL, OPT_STEP_TIMEOUT },
		{ "db", required_argument, NULL, OPT_DB },
		{ "firmware", required_argument, NULL, OPT_FIRMWARE },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc, li = -1;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->step_timeout_s = 600;
	optind = 0; /* GNU: full reinitialisation, so parsing can be repeated */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, &li)) != -1) {
		/* --sim-unit '' must not quietly mean the default */
		if (optarg && !optarg[0] && li >= 0)
			return rig_error(RIG_ERR_INVALID, "--%s needs a value (see rig run --help)",
					 longopts[li].name);
		li = -1;
		switch (c) {
		case OPT_FIXTURE: o->fixture = optarg; break;
		case OPT_SIM_UNIT:
			if ((rc = socket_value(optarg, "--sim-unit", o->socket_units,
					       &o->nsocket_units, &o->sim_unit)) != 0)
				return rc;
			break;
		case OPT_SERIAL:
			if ((rc = socket_value(optarg, "--serial", o->socket_serials,
					       &o->nsocket_serials, &o->serial)) != 0)
				return rc;
			break;
		case OPT_SOCKET: o->socket = optarg; break;
		case OPT_SEED:
			if ((rc = cli_parse_u64("--seed", optarg, INT64_MAX, &o->seed)) != 0)
				return rc;
			break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_OPERATOR:
			if (!optarg[0] || strlen(optarg) > 63)
				return rig_error(RIG_ERR_INVALID,
						 "--operator needs a name of 1 to 63 characters");
			o->operator_name = optarg;
			break;
		case OPT_REALTIME: o->realtime = 1; break;
		case OPT_BATCH: o->batch = 1; break;
		case OPT_ALLOW_EXPIRED: o->allow_expired_cal = 1; break;
		case OPT_QUIET: o->quiet = 1; break;
		case OPT_STEP_TIMEOUT:
			if ((rc = cli_parse_double("--step-timeout", optarg, &o->step_timeout_s)) != 0)
				return rc;
			if (!(o->step_timeout_s >= 0 && o->step_timeout_s <= 1e6))
				return rig_error(RIG_ERR_INVALID,
						 "--step-timeout needs 0 to 1000000 seconds (0: no limit)");
			break;
		case OPT_DB: o->db = optarg; break;
		case OPT_FIRMWARE: o->firmware = optarg; break;
		case OPT_PARAM:
			if ((rc = parse_param(o, optarg)) != 0)
				return rc;
			break;
		case 'h': o->help = 1; return 0;
		case ':':
			return rig_error(RIG_ERR_INVALID, "%s needs a value (see rig run --help)",
					 argv[optind - 1]);
		default:
			return rig_error(RIG_ERR_INVALID, "unknown option %s (see rig run --help)",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return rig_error(RIG_ERR_INVALID, "run needs a SCRIPT (see rig run --help)");
	o->script = argv[optind++];
	o->argc = argc;
	o->argv = argv;
	if (optind < argc)
		return rig_error(RIG_ERR_INVALID, "unexpected argument \"%s\" after the script",
				 argv[optind]);
	return 0;
}
