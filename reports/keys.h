#ifndef RIG_REPORTS_KEYS_H
#define RIG_REPORTS_KEYS_H

/*
 * Station signing keys: Ed25519 (libsodium) in OpenBSD signify's file
 * formats, so a reviewer can check a run's MANIFEST.sig with signify -V as
 * well as with rig verify. A key file is two lines, "untrusted comment:
 * ..." and base64 of: "Ed", an 8-byte key number, then the 32-byte public
 * key (KEY.pub), or for the secret key (mode 0600, not encrypted: kdf
 * rounds 0) "Ed" "BK", rounds, salt, a checksum, the key number and the
 * 64-byte secret key. Signatures are "Ed", the key number and 64 bytes.
 */
#include <stddef.h>
#include <stdio.h>

#define KEY_NUM_BYTES 8
#define KEY_PUB_B64_LEN 64 /* room for the base64 line of a public key */

struct station_key {
	unsigned char keynum[KEY_NUM_BYTES]; /* pairs signatures with their key */
	unsigned char pk[32];
	unsigned char sk[64];                /* zero when only the public key is loaded */
	int has_secret;
	char path[4096];                     /* where it was loaded from */
};

/* The public key beside a secret one: signify's NAME.sec -> NAME.pub,
 * anything else -> PATH.pub. */
int key_public_path(const char *secret, char *out, size_t len);

/* New key pair: path (secret, 0600, must not exist) and its public key. */
int key_generate(const char *path, struct station_key *k);

/* The same for a person's key (rig keygen --person): the comments name them. */
int key_generate_person(const char *path, const char *person, struct station_key *k);

int key_load_secret(const char *path, struct station_key *k);
int key_load_public(const char *path, struct station_key *k);

/* Write k's public key file (comment names the station key). */
int key_write_public(const struct station_key *k, const char *path);

/* k's public key file as a run directory's station.pub holds it, whatever
 * comment the file it was read from had (keys from rig keygen say less). */
void key_public_text(const struct station_key *k, char *out, size_t len);

/*
 * The station key: $RIG_KEY, else $XDG_CONFIG_HOME/rig/station.sec, else
 * ~/.config/rig/station.sec (station.pub beside it). Created on first use, with a notice on
 * notice (if not NULL) saying where and what to register.
 */
int key_station(struct station_key *k, FILE *notice);

/* The key ID: 16 hex digits of SHA-256 of the 32-byte public key (for keys
 * rig makes, also their signify key number). */
void key_id(const struct station_key *k, char out[2 * KEY_NUM_BYTES + 1]);

/* Detached signature of data into sig_path (signify format). */
int key_sign_to_file(const struct station_key *k, const void *data, size_t len,
		     const char *sig_path, const char *comment);

/* 0 when sig_path holds k's valid signature of data; RIG_ERR_INVALID naming why not. */
int key_verify_file(const struct station_key *k, const void *data, size_t len,
		    const char *sig_path);

/* The base64 line of k's public key file, and back (RIG_ERR_INVALID, no message). */
void key_public_base64(const struct station_key *k, char *out, size_t len);
int key_public_from_base64(const char *b64, struct station_key *k);

/* The key number and signature of a signify signature file. */
int key_read_signature(const char *sig_path, unsigned char keynum[KEY_NUM_BYTES],
		       unsigned char sig[64]);

/* 1 when a and b are the same public key (and key number). */
int key_same(const struct station_key *a, const struct station_key *b);

/* Raw Ed25519 signatures, for records that carry their signature inline. */
void key_sign(const struct station_key *k, const void *data, size_t len, unsigned char sig[64]);
int key_verify(const struct station_key *k, const void *data, size_t len,
	       const unsigned char sig[64]);

#endif
