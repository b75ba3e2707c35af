#ifndef RIG_REPORTS_APPROVAL_H
#define RIG_REPORTS_APPROVAL_H

/*
 * Electronic signatures on a signed run (21 CFR Part 11 §11.50, §11.70,
 * §11.200): a chain of records in the run directory's signatures/ folder.
 * Record N is the text file signatures/N.txt (N = 1, 2, ...) and its
 * signify signature signatures/N.txt.sig by the signer's personal key:
 *
 *   rig-esignature/2
 *   run: RUN-ID
 *   record: N
 *   name: PRINTED NAME
 *   key-id: 16 hex digits, SHA-256 of the signer's public key (first 8 bytes)
 *   meaning: authored | reviewed | approved | rejected
 *   time: YYYY-MM-DDTHH:MM:SSZ
 *   manifest-sha256: SHA-256 of MANIFEST
 *   previous-sha256: SHA-256 of record N-1's text (record 1: of MANIFEST)
 *   page-html-sha256: SHA-256 of signatures/page.html written with it
 *   page-pdf-sha256: SHA-256 of signatures/page.pdf written with it
 *
 * every line ending in "\n" and nothing else: the bytes signed. The chain
 * is anchored in the manifest, so a record cannot move to another run or
 * survive a change to it; the previous-record hash makes a deleted or
 * reordered record visible, and the results store keeps the chain's head
 * (the SHA-256 of the last record) so that deleting the last ones or
 * restoring an older copy is too. page.html and page.pdf list every
 * signature's printed name, time and meaning (§11.50(b)); the last record
 * covers them.
 */
#include <stdio.h>

#include "reports/trust.h"
#include "reports/verify.h"

struct approval_record {
	long seq;
	char run[64];
	char name[TRUST_NAME_MAX];
	char key_id[2 * KEY_NUM_BYTES + 1];
	char meaning[16];
	char time[32];
	char manifest[65];
	char previous[65];
	char page_html[65];
	char page_pdf[65];
	char sha256[65];   /* of the record's text: what the next one names */
};

/* NULL when meaning is one of the accepted ones, else the list to show. */
const char *approval_check_meaning(const char *meaning);

/* The record's text (the signed bytes) into buf; its length. */
size_t approval_text(const struct approval_record *r, char *buf, size_t len);

/*
 * What a person may sign, checked before anything is written: RIG_ERR_INVALID
 * naming why not (approved on a run that did not PASS, the same signer and
 * meaning twice).
 */
struct approval_request {
	const char *dir, *run_id, *run_verdict, *manifest_sha256;
	const char *name, *meaning;
};

/*
 * 0 when every file the signature chain of run directory dir may hold can
 * be named (rig/base/paths.h), or RIG_ERR_INVALID with "path too long": a
 * run too deep for its signatures is refused before anything is written.
 */
int approval_check_dir(const char *dir);

/*
 * Append record N+1 signed with k (already checked to be the person's
 * trusted key), re-render the signature page and return the chain's new
 * length and head.
 */
int approval_sign(const struct approval_request *rq, const struct station_key *k,
		  long *records, char head[65]);

/*
 * Check the chain in dir/signatures against the manifest, the trust store
 * and the run's verdict. Problems go to v (TAMPERED or UNTRUSTED lines on
 * out); *records and head are the chain found (0 and the manifest's hash
 * when there is none).
 */
void approval_verify(const struct approval_request *rq, const struct trust *t, FILE *out,
		     struct verify_result *v, long *records, char head[65]);

#endif
