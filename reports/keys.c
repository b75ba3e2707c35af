#include "reports/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"

#define COMMENT "untrusted comment: "
#define PUB_BYTES (2 + KEY_NUM_BYTES + 32)
#define SIG_BYTES (2 + KEY_NUM_BYTES + 64)
#define SEC_BYTES (2 + 2 + 4 + 16 + 8 + KEY_NUM_BYTES + 64)
#define KEY_FILE_MAX 4096

/* Two lines: the comment and base64 of blob. */
static int write_key_file(const char *path, int flags, unsigned mode, const char *comment,
			  const unsigned char *blob, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(SEC_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	FILE *f;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode);

	if (fd < 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create", path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create", path);
	}
	sodium_bin2base64(b64, sizeof(b64), blob, len, sodium_base64_VARIANT_ORIGINAL);
	fprintf(f, "%s%s\n%s\n", COMMENT, comment, b64);
	return file_close_synced(f, path);
}

/* The base64 line of a signify file, decoded; must be exactly len bytes. */
static int read_key_file(const char *path, unsigned char *blob, size_t len)
{
	char *text, *nl;
	size_t n, got;
	int rc = file_read_all(path, KEY_FILE_MAX, &text, &n);

	if (rc)
		return rc;
	nl = strchr(text, '\n');
	if (strncmp(text, COMMENT, strlen(COMMENT)) || !nl) {
		free(text);
		return rig_error(RIG_ERR_INVALID, "%s:1: not a signify file (\"%s\" expected)", path,
				 COMMENT);
	}
	nl[1 + strcspn(nl + 1, "\r\n")] = '\0';
	rc = sodium_base642bin(blob, len, nl + 1, strlen(nl + 1), NULL, &got, NULL,
			       sodium_base64_VARIANT_ORIGINAL);
	free(text);
	if (rc != 0 || got != len || memcmp(blob, "Ed", 2))
		return rig_error(RIG_ERR_INVALID, "%s:2: not an Ed25519 %s (wrong length or "
				 "algorithm)", path, len == SIG_BYTES ? "signature" : "key");
	return 0;
}

static void public_blob(const struct station_key *k, unsigned char blob[PUB_BYTES])
{
	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, k->keynum, KEY_NUM_BYTES);
	memcpy(blob + 2 + KEY_NUM_BYTES, k->pk, 32);
}

static int write_public(const struct station_key *k, const char *path, const char *comment)
{
	unsigned char blob[PUB_BYTES];

	public_blob(k, blob);
	return write_key_file(path, O_TRUNC, 0644, comment, blob, sizeof(blob));
}

int key_write_public(const struct station_key *k, const char *path)
{
	return write_public(k, path, "rig station public key");
}

void key_public_base64(const struct station_key *k, char *out, size_t len)
{
	unsigned char blob[PUB_BYTES];

	public_blob(k, blob);
	sodium_bin2base64(out, len, blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
}

void key_public_text(const struct station_key *k, char *out, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(PUB_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	key_public_base64(k, b64, sizeof(b64));
	snprintf(out, len, "%srig station public key\n%s\n", COMMENT, b64);
}

int key_public_from_base64(const char *b64, struct station_key *k)
{
	unsigned char blob[PUB_BYTES];
	size_t got = 0;

	memset(k, 0, sizeof(*k));
	if (sodium_base642bin(blob, sizeof(blob), b64, strlen(b64), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != sizeof(blob) || memcmp(blob, "Ed", 2))
		return RIG_ERR_INVALID;
	memcpy(k->keynum, blob + 2, KEY_NUM_BYTES);
	memcpy(k->pk, blob + 2 + KEY_NUM_BYTES, 32);
	return 0;
}

/* The key ID: the first 8 bytes of SHA-256 of the 32-byte Ed25519 public
 * key, so anyone holding the key computes it (docs/reports.md). */
static void derived_id(const unsigned char pk[32], unsigned char id[KEY_NUM_BYTES])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, 32);
	memcpy(id, h, KEY_NUM_BYTES);
}

/* kind: "station " for the station's own key, "" for a key made by rig
 * keygen (its comment claims no more than it knows); person: a personal
 * key's holder, named in its comments. */
static int generate(const char *path, const char *kind, const char *person,
		    struct station_key *k)
{
	unsigned char blob[SEC_BYTES] = { 0 }, digest[crypto_hash_sha512_BYTES];
	char pub[4200], comment[128];
	int rc;

	memset(k, 0, sizeof(*k));
	/* Both names checked before a key is made that could not be written. */
	if ((rc = path_format(k->path, sizeof(k->path), "%s", path)) != 0 ||
	    (rc = key_public_path(path, pub, sizeof(pub))) != 0)
		return rc;
	crypto_sign_keypair(k->pk, k->sk);
	/* signify's key number, random there, is the key ID here: a signature
	 * then names the key the way rig's records do. */
	derived_id(k->pk, k->keynum);
	k->has_secret = 1;
	crypto_hash_sha512(digest, k->sk, sizeof(k->sk));
	memcpy(blob, "EdBK", 4);          /* kdf rounds (4 bytes) 0, salt 0: not encrypted */
	memcpy(blob + 24, digest, 8);     /* checksum: first bytes of SHA-512(secret key) */
	memcpy(blob + 32, k->keynum, KEY_NUM_BYTES);
	memcpy(blob + 40, k->sk, 64);
	if (person)
		snprintf(comment, sizeof(comment), "rig personal secret key of %s", person);
	else
		snprintf(comment, sizeof(comment), "rig %ssecret key", kind);
	rc = write_key_file(path, O_EXCL, 0600, comment, blob, sizeof(blob));
	sodium_memzero(blob, sizeof(blob));
	if (rc)
		return rc;
	if (person)
		snprintf(comment, sizeof(comment), "rig public key of %s", person);
	else
		snprintf(comment, sizeof(comment), "rig %spublic key", kind);
	return write_public(k, pub, comment);
}

int key_generate(const char *path, struct station_key *k)
{
	return generate(path, "", NULL, k);
}

int key_generate_person(const char *path, const char *person, struct station_key *k)
{
	return generate(path, "", person, k);
}

int key_load_secret(const char *path, struct station_key *k)
{
	unsigned char blob[SEC_BYTES], digest[crypto_hash_sha512_BYTES];
	struct stat st;
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = path_format(k->path, sizeof(k->path), "%s", path)) != 0)
		return rc;
	if (stat(path, &st) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot read key", path);
	if (st.st_mode & 077)
		return rig_error(RIG_ERR_INVALID, "%s: secret key readable by others (chmod 600 %s)",
				 path, path);
	if ((rc = read_key_file(path, blob, sizeof(blob))) != 0)
		return rc;
	if (memcmp(blob + 2, "BK", 2) || memcmp(blob + 4, "\0\0\0\0", 4)) {
		sodium_memzero(blob, sizeof(blob));
		return rig_error(RIG_ERR_UNSUPPORTED, "%s: passphrase-protected keys are not "
				 "supported (create one with rig keygen)", path);
	}
	memcpy(k->keynum, blob + 32, KEY_NUM_BYTES);
	memcpy(k->sk, blob + 40, 64);
	crypto_hash_sha512(digest, k->sk, sizeof(k->sk));
	rc = sodium_memcmp(digest, blob + 24, 8);
	sodium_memzero(blob, sizeof(blob));
	if (rc != 0) {
		sodium_memzero(k->sk, sizeof(k->sk));
		return rig_error(RIG_ERR_INVALID, "%s:2: secret key checksum mismatch (file damaged)",
				 path);
	}
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	k->has_secret = 1;
	return 0;
}

int key_public_path(const char *secret, char *out, size_t len)
{
	size_t n = strlen(secret);

	if (n > 4 && !strcmp(secret + n - 4, ".sec"))
		return path_format(out, len, "%.*s.pub", (int)(n - 4), secret);
	return path_format(out, len, "%s.pub", secret);
}

int key_load_public(const char *path, struct station_key *k)
{
	unsigned char blob[PUB_BYTES];
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = path_format(k->path, sizeof(k->path), "%s", path)) != 0 ||
	    (rc = read_key_file(path, blob, sizeof(blob))) != 0)
		return rc;
	memcpy(k->keynum, blob + 2, KEY_NUM_BYTES);
	memcpy(k->pk, blob + 2 + KEY_NUM_BYTES, 32);
	return 0;
}

static int default_path(char *out, size_t len)
{
	const char *env = getenv("RIG_KEY"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (env && env[0])
		return path_format(out, len, "%s", env);
	if (xdg && xdg[0])
		return path_format(out, len, "%s/rig/station.sec", xdg);
	if (home && home[0])
		return path_format(out, len, "%s/.config/rig/station.sec", home);
	return rig_error(RIG_ERR_INVALID, "no station key: set RIG_KEY or HOME");
}

int key_station(struct station_key *k, FILE *notice)
{
	char path[4096], pub[4200], id[2 * KEY_NUM_BYTES + 1];
	int rc = default_path(path, sizeof(path));

	if (rc)
		return rc;
	if (access(path, F_OK) == 0)
		return key_load_secret(path, k);
	if ((rc = file_mkdirs_parent(path, 0700)) != 0)
		return rc;
	rc = generate(path, "station ", NULL, k);
	if (rc && access(path, F_OK) == 0) /* another rig made it meanwhile */
		return key_load_secret(path, k);
	if (!rc && notice) {
		key_id(k, id);
		if (key_public_path(path, pub, sizeof(pub)) != 0)
			snprintf(pub, sizeof(pub), "the .pub file beside it");
		fprintf(notice, "rig: created station signing key %s (key id %s); register %s "
			"with QA so reviewers trust it (rig trust add PUB --name STATION --role station)\n", path, id, pub);
	}
	return rc;
}

void key_id(const struct station_key *k, char out[2 * KEY_NUM_BYTES + 1])
{
	unsigned char id[KEY_NUM_BYTES];

	derived_id(k->pk, id);
	sodium_bin2hex(out, 2 * KEY_NUM_BYTES + 1, id, KEY_NUM_BYTES);
}

int key_read_signature(const char *sig_path, unsigned char keynum[KEY_NUM_BYTES],
		       unsigned char sig[64])
{
	unsigned char blob[SIG_BYTES];
	int rc = read_key_file(sig_path, blob, sizeof(blob));

	if (rc)
		return rc;
	memcpy(keynum, blob + 2, KEY_NUM_BYTES);
	memcpy(sig, blob + 2 + KEY_NUM_BYTES, 64);
	return 0;
}

int key_same(const struct station_key *a, const struct station_key *b)
{
	return !memcmp(a->pk, b->pk, 32) && !memcmp(a->keynum, b->keynum, KEY_NUM_BYTES);
}

void key_sign(const struct station_key *k, const void *data, size_t len, unsigned char sig[64])
{
	crypto_sign_detached(sig, NULL, data, len, k->sk);
}

int key_verify(const struct station_key *k, const void *data, size_t len,
	       const unsigned char sig[64])
{
	return crypto_sign_verify_detached(sig, data, len, k->pk) == 0 ? 0 : RIG_ERR_INVALID;
}

int key_sign_to_file(const struct station_key *k, const void *data, size_t len,
		     const char *sig_path, const char *comment)
{
	unsigned char blob[SIG_BYTES];

	if (!k->has_secret)
		return rig_error(RIG_ERR_INVALID, "%s: no secret key to sign with", k->path);
	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, k->keynum, KEY_NUM_BYTES);
	key_sign(k, data, len, blob + 2 + KEY_NUM_BYTES);
	return write_key_file(sig_path, O_TRUNC, 0644, comment, blob, sizeof(blob));
}

int key_verify_file(const struct station_key *k, const void *data, size_t len,
		    const char *sig_path)
{
	unsigned char blob[SIG_BYTES];
	char want[2 * KEY_NUM_BYTES + 1], got[2 * KEY_NUM_BYTES + 1];
	int rc = read_key_file(sig_path, blob, sizeof(blob));

	if (rc)
		return rc;
	if (memcmp(blob + 2, k->keynum, KEY_NUM_BYTES)) {
		key_id(k, want);
		sodium_bin2hex(got, sizeof(got), blob + 2, KEY_NUM_BYTES);
		return rig_error(RIG_ERR_INVALID, "signed by key %s, not by key %s", got, want);
	}
	if (key_verify(k, data, len, blob + 2 + KEY_NUM_BYTES) != 0)
		return rig_error(RIG_ERR_INVALID, "signature does not match (the signed file or "
				 "the signature was changed)");
	return 0;
}
