#ifndef RIG_REPORTS_MANIFEST_H
#define RIG_REPORTS_MANIFEST_H

/*
 * MANIFEST: the SHA-256 of every artifact of a run directory (reports,
 * journal, captures, everything but the signature files), one
 * "HASH  PATH" line each, sorted: the format of sha256sum, so
 * `sha256sum -c MANIFEST` checks it too. MANIFEST.sig is the station's
 * signature of it (reports/keys.h), station.pub the key that made it.
 */
#include <stddef.h>

#include "reports/keys.h"

#define MANIFEST_PATH_MAX 256

struct manifest_entry {
	char path[MANIFEST_PATH_MAX]; /* relative to the run directory */
	char sha256[65];
};

struct manifest {
	struct manifest_entry *e;
	size_t n, cap;
};

/* Where electronic signatures and their page go (reports/approval.h). */
#define MANIFEST_SIGNATURES_DIR "signatures"

/* Files that are not artifacts: the manifest, its signature, the key, the
 * signatures directory, and half-written replacements of them (which
 * rig verify does not excuse: only rig recover clears them). */
int manifest_excluded(const char *relpath);

/* Every artifact under dir, sorted by path, hashed. */
int manifest_collect(const char *dir, struct manifest *m);

/* Write dir/MANIFEST from the artifacts, sign it into MANIFEST.sig, copy
 * the public key to station.pub. Each file is replaced atomically. */
int manifest_write_signed(const char *dir, const struct station_key *k);

/* Parse dir/MANIFEST; RIG_ERR_INVALID "MANIFEST:LINE: ..." when malformed. */
int manifest_read(const char *dir, struct manifest *m);

void manifest_release(struct manifest *m);

#endif
