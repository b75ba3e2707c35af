#ifndef RIG_REPORTS_APPROVAL_H
#define RIG_REPORTS_APPROVAL_H

/*
 * Electronic signatures on a signed run (21 CFR Part 11 §11.50, §11.70):
 * each is one JSON line of SIGNATURES in the run directory with the
 * signer's printed name, the UTC time of signing, the meaning (reviewed,
 * approved, rejected) and the SHA-256 of the MANIFEST it signs, Ed25519-
 * signed with the signer's key. Binding the signature to the manifest
 * means it cannot be moved to another record, and any change to an
 * artifact after signing shows as a broken manifest under it.
 */
#include <stdio.h>

#include "reports/keys.h"

/* NULL when meaning is one of the accepted ones, else the list to show. */
const char *approval_check_meaning(const char *meaning);

/* Sign dir's MANIFEST as name with meaning; appends to dir/SIGNATURES. */
int approval_sign(const char *dir, const struct station_key *k, const char *name,
		  const char *meaning);

/*
 * Check every line of dir/SIGNATURES (absent: none, 0). Prints one line
 * per signature to out; returns the number of bad ones, with the first
 * problem as the last error.
 */
int approval_verify(const char *dir, const char *manifest_sha256, FILE *out);

#endif
