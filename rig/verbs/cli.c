#include "rig/verbs/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/utf8.h"

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

#define CLI_MAX_OPTIONS 32

static int store_value(const struct cli_option *o, const char *value)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s", o->name);
	switch (o->arg) {
	case CLI_FLAG: *(int *)o->out = 1; return 0;
	case CLI_TEXT: *(const char **)o->out = value; return 0;
	case CLI_U64: return cli_parse_u64(opt, value, o->max, o->out);
	case CLI_DOUBLE: return cli_parse_double(opt, value, o->out);
	default: return o->call(o->out, opt, value);
	}
}

int cli_options(const struct cli_verb *v, int argc, char **argv, int *first)
{
	struct option longopts[CLI_MAX_OPTIONS + 2];
	char shorts[CLI_MAX_OPTIONS + 4] = ":h";
	size_t n = 0, ns = 2;
	char why[96];
	int c, rc;

	for (; v->options[n].name; n++) {
		const struct cli_option *o = &v->options[n];

		if (n == CLI_MAX_OPTIONS)
			return rig_error(RIG_ERR_INVALID, "%s: more than %d options", v->verb,
					 CLI_MAX_OPTIONS);
		longopts[n] = (struct option){ o->name,
					       o->arg == CLI_FLAG ? no_argument : required_argument,
					       NULL, 256 + (int)n };
		if (o->letter && o->arg == CLI_FLAG)
			shorts[ns++] = (char)o->letter;
	}
	shorts[ns] = '\0';
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0; /* GNU: full reinitialisation, so parsing can be repeated */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct cli_option *o = NULL;

		if (c == 'h')
			return CLI_HELP;
		if (c == ':')
			return rig_error(RIG_ERR_INVALID, "%s needs a value (see rig %s --help)",
					 argv[optind - 1], v->verb);
		if (c >= 256)
			o = &v->options[c - 256];
		for (size_t i = 0; !o && c != '?' && v->options[i].name; i++)
			if (v->options[i].letter == c)
				o = &v->options[i];
		if (!o)
			return rig_error(RIG_ERR_INVALID, "unknown option %s (see rig %s --help)",
					 argv[optind - 1], v->verb);
		/* --sim-unit '' must not quietly mean the default */
		if (v->nonempty && optarg && !optarg[0])
			return rig_error(RIG_ERR_INVALID, "--%s needs a value (see rig %s --help)",
					 o->name, v->verb);
		/* Every value may reach the journal: text in rig's one form. */
		if (optarg && utf8_problem(optarg, strlen(optarg), why, sizeof(why)))
			return rig_error(RIG_ERR_INVALID, "--%s: %s", o->name, why);
		if ((rc = store_value(o, optarg)) != 0)
			return rc;
	}
	*first = optind;
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

static int parse_sim_unit(void *out, const char *opt, const char *value)
{
	struct run_options *o = out;

	return socket_value(value, opt, o->socket_units, &o->nsocket_units, &o->sim_unit);
}

static int parse_serial(void *out, const char *opt, const char *value)
{
	struct run_options *o = out;

	return socket_value(value, opt, o->socket_serials, &o->nsocket_serials, &o->serial);
}

static int parse_operator(void *out, const char *opt, const char *value)
{
	(void)opt;
	if (!value[0] || strlen(value) > 63)
		return rig_error(RIG_ERR_INVALID, "--operator needs a name of 1 to 63 characters");
	*(const char **)out = value;
	return 0;
}

static int parse_step_timeout(void *out, const char *opt, const char *value)
{
	double *s = out;
	int rc = cli_parse_double(opt, value, s);

	if (!rc && !(*s >= 0 && *s <= 1e6))
		return rig_error(RIG_ERR_INVALID,
				 "--step-timeout needs 0 to 1000000 seconds (0: no limit)");
	return rc;
}

static int parse_param_option(void *out, const char *opt, const char *value)
{
	(void)opt;
	return parse_param(out, value);
}

int cli_parse_run(int argc, char **argv, struct run_options *o)
{
	const struct cli_option options[] = {
		{ .name = "fixture", .arg = CLI_TEXT, .out = &o->fixture },
		{ .name = "sim-unit", .arg = CLI_CALL, .out = o, .call = parse_sim_unit },
		{ .name = "seed", .arg = CLI_U64, .out = &o->seed, .max = INT64_MAX },
		{ .name = "out", .arg = CLI_TEXT, .out = &o->out },
		{ .name = "operator", .arg = CLI_CALL, .out = &o->operator_name, .call = parse_operator },
		{ .name = "realtime", .arg = CLI_FLAG, .out = &o->realtime },
		{ .name = "batch", .arg = CLI_FLAG, .out = &o->batch },
		{ .name = "allow-expired-cal", .arg = CLI_FLAG, .out = &o->allow_expired_cal },
		{ .name = "allow-expired-msa", .arg = CLI_FLAG, .out = &o->allow_expired_msa },
		{ .name = "quiet", .arg = CLI_FLAG, .out = &o->quiet },
		{ .name = "step-timeout", .arg = CLI_CALL, .out = &o->step_timeout_s,
		  .call = parse_step_timeout },
		{ .name = "db", .arg = CLI_TEXT, .out = &o->db },
		{ .name = "firmware", .arg = CLI_TEXT, .out = &o->firmware },
		{ .name = "param", .arg = CLI_CALL, .out = o, .call = parse_param_option },
		{ .name = "answers", .arg = CLI_TEXT, .out = &o->answers },
		{ .name = "socket", .arg = CLI_TEXT, .out = &o->socket },
		{ .name = "serial", .arg = CLI_CALL, .out = o, .call = parse_serial },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "run", .options = options, .nonempty = 1 };
	char why[96];
	int rc, i;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->step_timeout_s = 600;
	rc = cli_options(&verb, argc, argv, &i);
	if (rc == CLI_HELP) {
		o->help = 1;
		return 0;
	}
	if (rc)
		return rc;
	if (i >= argc)
		return rig_error(RIG_ERR_INVALID, "run needs a SCRIPT (see rig run --help)");
	o->script = argv[i++];
	if (utf8_problem(o->script, strlen(o->script), why, sizeof(why)))
		return rig_error(RIG_ERR_INVALID, "script path: %s", why);
	o->argc = argc;
	o->argv = argv;
	if (i < argc)
		return rig_error(RIG_ERR_INVALID, "unexpected argument \"%s\" after the script",
				 argv[i]);
	return 0;
}
