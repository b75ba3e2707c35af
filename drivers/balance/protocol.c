#include "drivers/balance/protocol.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"

/* The reply ID each command answers with. */
static const char *reply_id(const char *cmd)
{
	if (!strcmp(cmd, "@"))
		return "I4";
	if (!strcmp(cmd, "SI"))
		return "S";
	return cmd;
}

/* Commands whose reply carries a weight, and those carrying quoted text. */
static int weighs(const char *cmd)
{
	return !strcmp(cmd, "S") || !strcmp(cmd, "SI") || !strcmp(cmd, "T");
}

static int texts(const char *cmd)
{
	return !strcmp(cmd, "@") || !strcmp(cmd, "I4") || !strcmp(cmd, "I2");
}

static int general_error(const char *cmd, const char *id)
{
	if (!strcmp(id, "ES"))
		return rig_error(RIG_ERR_PROTOCOL,
				 "balance answered ES to \"%s\": syntax error (command not known "
				 "to this balance)",
				 cmd);
	if (!strcmp(id, "ET"))
		return rig_error(RIG_ERR_PROTOCOL,
				 "balance answered ET to \"%s\": transmission error (check baud rate, "
				 "parity and cable)",
				 cmd);
	return rig_error(RIG_ERR_DEVICE,
			 "balance answered EL to \"%s\": logical error (command not executable "
			 "in the balance's present state)",
			 cmd);
}

static int refused(const char *cmd, char status)
{
	switch (status) {
	case SICS_NOT_NOW:
		return rig_error(RIG_ERR_TIMEOUT,
				 "balance answered \"%s I\": not executable now (busy, or no stable "
				 "reading in time: draught or vibration?)",
				 reply_id(cmd));
	case SICS_OVER:
		return rig_error(RIG_ERR_DEVICE, "balance answered \"%s +\": %s", reply_id(cmd),
				 !strcmp(cmd, "Z") || !strcmp(cmd, "T") ? "load above the zero/tare range"
									: "overload");
	default:
		return rig_error(RIG_ERR_DEVICE, "balance answered \"%s -\": %s (is the weighing pan "
						 "in place?)",
				 reply_id(cmd),
				 !strcmp(cmd, "Z") || !strcmp(cmd, "T") ? "load below the zero/tare range"
									: "underload");
	}
}

static int malformed(const char *cmd, const char *line, const char *why)
{
	return rig_error(RIG_ERR_PROTOCOL, "balance reply to \"%s\" is malformed (%s): \"%.60s\"",
			 cmd, why, line);
}

static int parse_weight(const char *cmd, const char *line, const char *p, struct sics_reply *r)
{
	char *end;
	size_t n;

	errno = 0;
	r->value = strtod(p, &end);
	if (end == p || errno || !isfinite(r->value))
		return malformed(cmd, line, "no weight value");
	/* The weight field is 10 characters wide: no balance reads more. */
	if (fabs(r->value) >= 1e10)
		return malformed(cmd, line, "weight beyond any balance's display");
	p = end + strspn(end, " ");
	n = strcspn(p, " ");
	if (n == 0 || n >= sizeof(r->unit) || p[n + strspn(p + n, " ")])
		return malformed(cmd, line, "no unit after the weight");
	memcpy(r->unit, p, n);
	r->unit[n] = '\0';
	r->has_value = 1;
	return 0;
}

static int parse_text(const char *cmd, const char *line, const char *p, struct sics_reply *r)
{
	const char *close;

	if (*p != '"' || !(close = strchr(p + 1, '"')) || close[1])
		return malformed(cmd, line, "expected a quoted text");
	if ((size_t)(close - p - 1) >= sizeof(r->text))
		return malformed(cmd, line, "text too long");
	snprintf(r->text, sizeof(r->text), "%.*s", (int)(close - p - 1), p + 1);
	return 0;
}

int sics_parse(const char *cmd, const char *line, struct sics_reply *r)
{
	const char *p = line;
	size_t n;
	char ok;

	memset(r, 0, sizeof(*r));
	for (const char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return malformed(cmd, line, "control or non-ASCII byte");
	n = strcspn(p, " ");
	if (n == 0 || n >= sizeof(r->id))
		return malformed(cmd, line, "no reply ID");
	memcpy(r->id, p, n);
	p += n;
	if (!strcmp(r->id, "ES") || !strcmp(r->id, "ET") || !strcmp(r->id, "EL")) {
		if (*p)
			return malformed(cmd, line, "text after a general error");
		return general_error(cmd, r->id);
	}
	if (strcmp(r->id, reply_id(cmd)) != 0)
		return rig_error(RIG_ERR_PROTOCOL,
				 "balance answered \"%.60s\" to \"%s\" (a reply to another command: "
				 "is another program using the port?)",
				 line, cmd);
	if (p[0] != ' ' || !p[1] || (p[2] && p[2] != ' '))
		return malformed(cmd, line, "no status");
	r->status = p[1];
	p += 2;
	p += strspn(p, " ");
	if (r->status == SICS_NOT_NOW || r->status == SICS_OVER || r->status == SICS_UNDER) {
		if (*p)
			return malformed(cmd, line, "text after the status");
		return refused(cmd, r->status);
	}
	ok = weighs(cmd) ? SICS_STABLE : SICS_DONE;
	if (r->status != ok && !(r->status == SICS_DYNAMIC && !strcmp(cmd, "SI")))
		return malformed(cmd, line, "unknown status");
	if (weighs(cmd))
		return parse_weight(cmd, line, p, r);
	if (texts(cmd))
		return parse_text(cmd, line, p, r);
	return *p ? malformed(cmd, line, "unexpected text") : 0;
}

int sics_grams(const struct sics_reply *r, double *grams)
{
	static const struct {
		const char *unit;
		double grams;
	} units[] = { { "g", 1 }, { "mg", 1e-3 }, { "kg", 1e3 } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (r->has_value && !strcmp(r->unit, units[i].unit)) {
			*grams = r->value * units[i].grams;
			return 0;
		}
	return rig_error(RIG_ERR_PROTOCOL,
			 "balance reports weight in \"%s\" (set its unit 1 to g, mg or kg)", r->unit);
}
