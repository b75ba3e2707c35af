#ifndef RIG_REPORTS_VERIFY_H
#define RIG_REPORTS_VERIFY_H

/*
 * rig verify, the records half: is a run directory exactly what a trusted
 * station signed, and is every electronic signature on it by a trusted
 * person? Checks MANIFEST.sig against a station key of the trust store
 * (reports/trust.h) or a pinned one, that station.pub is that key, every
 * artifact's SHA-256 against MANIFEST, that nothing (file, directory,
 * name) is present that MANIFEST does not list, the journal's hash chain
 * up to run_end, and the signature chain (reports/approval.h). Re-deriving
 * the verdicts from the journal is rig's part (rig/rederive.h).
 */
#include <stdio.h>

#include "reports/trust.h"

struct verify_result {
	int tampered;          /* problems that show a change */
	int untrusted;         /* signers the trust store does not vouch for */
	char first[1024];      /* the first problem, in words */
	char manifest_sha256[65];
	char station_id[2 * KEY_NUM_BYTES + 1]; /* who signed MANIFEST */
	char station_name[TRUST_NAME_MAX];      /* as the trust store names it */
};

/* Record a problem (TAMPERED or UNTRUSTED line on out; the first kept). */
void verify_problem(struct verify_result *v, FILE *out, int untrusted, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * pinned_pub: the station's public key file to accept (NULL: the trust
 * store's station keys). t: the trust store (persons' keys, and station
 * keys when nothing is pinned). store_head: the signature chain head the
 * results store keeps for this run ("" when it has none; NULL: not
 * looked up). Prints one line per check to out. Returns 0 when checked
 * (see v for what was found), or a negative error when dir cannot be
 * checked at all (not a run directory, pinned key unreadable).
 */
int verify_run(const char *dir, const char *pinned_pub, const struct trust *t, FILE *out,
	       struct verify_result *v);

#endif
