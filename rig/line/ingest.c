/*
 * Accepting pushed runs on the central store: a sealed, pending run is
 * accepted only when its manifest hashes to what was pushed, its
 * signature verifies, and the key that made it is trusted for the station
 * the run names (rig.trusted_key). Anything else is rejected with the
 * reason; queries read accepted runs only (docs/line.md).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/keys.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/line/line.h"

/* The signature tools read files: stage the texts in a private folder. */
static int stage(const char *dir, const char *name, const char *text, size_t len,
		 char *path, size_t plen)
{
	FILE *f;

	if (path_join(path, plen, dir, name) != 0)
		return RIG_ERR_INVALID;
	if (!(f = fopen(path, "wb")))
		return rig_error_errno(RIG_ERR_IO, "%s", path);
	if (fwrite(text, 1, len, f) != len || fclose(f) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s", path);
	return 0;
}

/* Why this manifest cannot be accepted, into why ("" when it can). */
static int judge_manifest(const char *tmp, const unsigned char *manifest, size_t mlen,
			  const char *sha, const char *sig, const char *pub,
			  const char *trusted_pub, char *why, size_t len)
{
	char pub_path[4200], sig_path[4200], hex[65], kid[2 * KEY_NUM_BYTES + 1];
	struct station_key k;
	int rc;

	sha256_hex(manifest, mlen, hex);
	if (strcmp(hex, sha)) {
		snprintf(why, len, "manifest does not hash to the pushed %.16s...", sha);
		return 0;
	}
	if (!trusted_pub) {
		snprintf(why, len, "station's key is not trusted by the central store");
		return 0;
	}
	if ((rc = stage(tmp, "station.pub", pub, strlen(pub), pub_path, sizeof(pub_path))) ||
	    (rc = stage(tmp, "MANIFEST.sig", sig, strlen(sig), sig_path, sizeof(sig_path))))
		return rc;
	if (key_load_public(pub_path, &k) != 0) {
		snprintf(why, len, "station.pub: %s", rig_last_error());
		return 0;
	}
	key_id(&k, kid);
	if (key_verify_file(&k, manifest, mlen, sig_path) != 0)
		snprintf(why, len, "signature by key %s: %s", kid, rig_last_error());
	return 0;
}

/* Why the run cannot be accepted ("" when it can). */
static int judge_run(const char *tmp, PGresult *res, int row, const char *trusted_pub,
		     char *why, size_t len)
{
	const char *sha = PQgetvalue(res, row, 2), *sig = PQgetvalue(res, row, 3),
		   *pub = PQgetvalue(res, row, 4);
	size_t mlen;
	/* bytea arrives in text form (\x hex): decode it first. */
	unsigned char *manifest = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, 1),
						  &mlen);
	int rc;

	why[0] = '\0';
	if (!manifest)
		return rig_error(RIG_ERR_NOMEM, "ingest: out of memory");
	rc = judge_manifest(tmp, manifest, mlen, sha, sig, pub, trusted_pub, why, len);
	PQfreemem(manifest);
	return rc;
}

int line_ingest(struct central *c, long *accepted, long *rejected)
{
	char tmp[] = "/tmp/rig-ingest-XXXXXX";
	struct pg_result *r;
	PGresult *res;
	int rc;

	*accepted = *rejected = 0;
	if ((rc = central_check_schema(c)) != 0)
		return rc;
	if (!mkdtemp(tmp))
		return rig_error_errno(RIG_ERR_IO, "making a temporary folder");
	/* The trusted key of the run's station, when the key that signed it
	 * is one: key ids are bound to stations, so a key trusted for another
	 * station does not count. */
	rc = central_query(c, "SELECT r.id, r.manifest, r.manifest_sha256, r.manifest_sig, "
			      "r.station_pub, t.pubkey FROM rig.run r LEFT JOIN rig.trusted_key t "
			      "ON t.station = r.station AND t.pubkey = r.station_pub "
			      "WHERE r.sealed AND r.status = 'pending' ORDER BY r.pushed_at, r.id",
			   0, NULL, &r, "reading pending runs");
	res = (PGresult *)r;
	for (int i = 0; !rc && i < PQntuples(res); i++) {
		char why[512];
		const char *p[3];
		struct pg_result *u;

		rc = judge_run(tmp, res, i, PQgetisnull(res, i, 5) ? NULL : PQgetvalue(res, i, 5),
			       why, sizeof(why));
		if (rc)
			break;
		p[0] = PQgetvalue(res, i, 0);
		p[1] = why[0] ? "rejected" : "accepted";
		p[2] = why;
		rc = central_query(c, "UPDATE rig.run SET status = $2, status_reason = $3 "
				      "WHERE id = $1 AND status = 'pending'", 3, p, &u,
				   "recording the verdict on a pushed run");
		if (!rc)
			PQclear((PGresult *)u);
		if (why[0])
			++*rejected;
		else
			++*accepted;
	}
	PQclear(res);
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/station.pub", tmp);
		unlink(path);
		snprintf(path, sizeof(path), "%s/MANIFEST.sig", tmp);
		unlink(path);
		rmdir(tmp);
	}
	return rc;
}
