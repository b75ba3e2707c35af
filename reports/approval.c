#include "reports/approval.h"

#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/timefmt.h"

#define SIGNATURES_MAX_BYTES (1u << 20)

static const char *const meanings[] = { "reviewed", "approved", "rejected", NULL };

const char *approval_check_meaning(const char *meaning)
{
	for (size_t i = 0; meanings[i]; i++)
		if (!strcmp(meaning, meanings[i]))
			return NULL;
	return "reviewed, approved or rejected";
}

/* The bytes signed: every field of the record but the signature, in a fixed form. */
static void signed_text(char *buf, size_t len, const char *name, const char *time_utc,
			const char *meaning, const char *manifest_sha256)
{
	snprintf(buf, len, "rig-esignature/1\nname: %s\ntime: %s\nmeaning: %s\nmanifest-sha256: %s\n",
		 name, time_utc, meaning, manifest_sha256);
}

static int manifest_hash(const char *dir, char hex[65])
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	return file_sha256_hex(path, hex);
}

int approval_sign(const char *dir, const struct station_key *k, const char *name,
		  const char *meaning)
{
	char path[4400], now[32], manifest[65], text[1024], id[2 * KEY_NUM_BYTES + 1];
	char sig64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char pk64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	unsigned char sig[64];
	char *line;
	int fd, rc;

	if ((rc = manifest_hash(dir, manifest)) != 0)
		return rc;
	time_format_iso(time(NULL), now, sizeof(now));
	signed_text(text, sizeof(text), name, now, meaning, manifest);
	key_sign(k, text, strlen(text), sig);
	key_id(k, id);
	sodium_bin2base64(sig64, sizeof(sig64), sig, 64, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(pk64, sizeof(pk64), k->pk, 32, sodium_base64_VARIANT_ORIGINAL);
	{
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "time",
				      now, "meaning", meaning, "manifest_sha256", manifest,
				      "key_id", id, "public_key", pk64, "signature", sig64);

		line = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(j);
	}
	if (!line)
		return rig_error(RIG_ERR_NOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/SIGNATURES", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%s\n", line) < 0 || fsync(fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot append the signature", path);
	if (fd >= 0)
		close(fd);
	free(line);
	return rc;
}

/* Why the signature record line is not valid for manifest, or NULL. */
static const char *check_line(const char *line, const char *manifest, FILE *out)
{
	json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *when = json_string_value(json_object_get(j, "time"));
	const char *meaning = json_string_value(json_object_get(j, "meaning"));
	const char *signs = json_string_value(json_object_get(j, "manifest_sha256"));
	const char *pk64 = json_string_value(json_object_get(j, "public_key"));
	const char *sig64 = json_string_value(json_object_get(j, "signature"));
	const char *why = NULL;
	struct station_key k = { 0 };
	unsigned char sig[64];
	char text[1024];
	size_t got_pk = 0, got_sig = 0;

	if (!name || !when || !meaning || !signs || !pk64 || !sig64 ||
	    sodium_base642bin(k.pk, 32, pk64, strlen(pk64), NULL, &got_pk, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || got_pk != 32 ||
	    sodium_base642bin(sig, 64, sig64, strlen(sig64), NULL, &got_sig, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || got_sig != 64)
		why = "malformed signature record";
	else {
		signed_text(text, sizeof(text), name, when, meaning, signs);
		if (key_verify(&k, text, strlen(text), sig) != 0)
			why = "signature does not match its record (name, time or meaning changed)";
		else if (strcmp(signs, manifest))
			why = "signs another MANIFEST (the record changed after it was signed)";
		fprintf(out, "%-8s %s by %s at %s (key %s)\n", why ? "BAD" : "ok", meaning, name,
			when, json_string_value(json_object_get(j, "key_id")));
	}
	json_decref(j);
	return why;
}

int approval_verify(const char *dir, const char *manifest_sha256, FILE *out)
{
	char path[4400], *text, *line, *save = NULL;
	size_t len, lineno = 0;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/SIGNATURES", dir);
	if (access(path, F_OK) != 0)
		return 0;
	if (file_read_all(path, SIGNATURES_MAX_BYTES, &text, &len) != 0)
		return 1; /* unreadable: its message is the last error */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *why = check_line(line, manifest_sha256, out);

		lineno++;
		if (why && !bad++)
			rig_error(RIG_ERR_INVALID, "SIGNATURES:%zu: %s", lineno, why);
	}
	free(text);
	return bad;
}
