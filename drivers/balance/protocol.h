#ifndef RIG_BALANCE_PROTOCOL_H
#define RIG_BALANCE_PROTOCOL_H

/*
 * MT-SICS replies (Mettler Toledo Standard Interface Command Set, level 0/1),
 * parsed apart from the serial port so they are tested alone. A reply is
 * one line without its CR LF:
 *
 *   S S      12.34567 g     weight: ID, status, value, unit
 *   I4 A "B123456789"       text:   ID, status, quoted parameter
 *   Z A                     acknowledgement
 *   S I / S + / S -         not executable, overload, underload
 *   ES / ET / EL            syntax, transmission, logical error
 */

/* Reply status characters (the second field). */
#define SICS_STABLE 'S'     /* weight: stable */
#define SICS_DYNAMIC 'D'    /* weight: not stable (SI only) */
#define SICS_DONE 'A'       /* command executed */
#define SICS_NOT_NOW 'I'    /* not executable now: busy, or no stability in time */
#define SICS_OVER '+'       /* overload, or above the zero/tare range */
#define SICS_UNDER '-'      /* underload, or below the zero/tare range */

struct sics_reply {
	char id[8];        /* "S", "T", "Z", "I4", "ES", ... */
	char status;       /* one of the above; 0 for ES, ET, EL */
	int has_value;
	double value;      /* weight, in unit */
	char unit[8];
	char text[64];     /* quoted parameter (I2, I4, @) */
};

/*
 * Parse the reply to command cmd ("S", "SI", "T", "Z", "I4", "I2", "@").
 * 0 when the balance did what was asked; otherwise r is still filled as far
 * as it parsed and the return is RIG_ERR_PROTOCOL (malformed, ES, ET, reply
 * to another command), RIG_ERR_DEVICE (EL, overload, underload, out of
 * range) or RIG_ERR_TIMEOUT (status I: busy or not stable in time).
 */
int sics_parse(const char *cmd, const char *line, struct sics_reply *r);

/* A weight reply's value in grams (g, mg and kg accepted). */
int sics_grams(const struct sics_reply *r, double *grams);

#endif
