#ifndef RIG_REPORTS_VERIFY_H
#define RIG_REPORTS_VERIFY_H

/*
 * rig verify: is a run directory exactly what the station signed? Checks
 * MANIFEST.sig against the station key, every artifact's SHA-256 against
 * MANIFEST, that no artifact was added, the journal's hash chain (and
 * that it ends with run_end), and each electronic signature.
 */
#include <stdio.h>

/*
 * pinned_pub: the station's public key file to trust (NULL: the
 * station.pub in the run directory, which proves integrity but not whose
 * station signed). Prints one line per check to out. Returns 0 when
 * intact, the number of problems found (first one as the last error), or
 * a negative error when dir cannot be checked at all.
 */
int verify_run(const char *dir, const char *pinned_pub, FILE *out);

#endif
