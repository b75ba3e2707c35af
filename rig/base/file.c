#include "rig/base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"

int file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open", path);
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *grown;

			cap = cap ? cap * 2 : 8192;
			grown = realloc(data, cap + 1);
			if (!grown) {
				free(data);
				fclose(f);
				return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
			}
			data = grown;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			free(data);
			fclose(f);
			return rig_error(RIG_ERR_INVALID, "%s: file too large (over %zu bytes)", path,
					 max);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(data);
		fclose(f);
		return rig_error_errno(RIG_ERR_IO, "%s: read failed", path);
	}
	fclose(f);
	data[n] = '\0';
	*buf = data;
	*len = n;
	return 0;
}

static void to_hex(const unsigned char *digest, char hex[65])
{
	sodium_bin2hex(hex, 65, digest, crypto_hash_sha256_BYTES);
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	to_hex(digest, hex);
}

int file_sha256_hex(const char *path, char hex[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	unsigned char chunk[65536];
	FILE *f = fopen(path, "rb");
	struct stat sb;
	size_t got;

	if (!f)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open", path);
	/* What is hashed is recorded as a file: a pipe or device never ends. */
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return rig_error(RIG_ERR_INVALID, "%s: not a regular file", path);
	}
	crypto_hash_sha256_init(&st);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		crypto_hash_sha256_update(&st, chunk, got);
	if (ferror(f)) {
		fclose(f);
		return rig_error_errno(RIG_ERR_IO, "%s: read failed", path);
	}
	fclose(f);
	crypto_hash_sha256_final(&st, digest);
	to_hex(digest, hex);
	return 0;
}

int file_mkdirs(const char *path, unsigned mode)
{
	char buf[4096];

	if (path_format(buf, sizeof(buf), "%s", path) != 0)
		return RIG_ERR_INVALID;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return rig_error_errno(RIG_ERR_IO, "%s: cannot create directory", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create directory", buf);
	return 0;
}

int file_mkdirs_parent(const char *path, unsigned mode)
{
	char dir[4096];
	char *slash;

	if (path_format(dir, sizeof(dir), "%s", path) != 0)
		return RIG_ERR_INVALID;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return file_mkdirs(dir, mode);
}

int file_create(const char *path, FILE **out)
{
	*out = fopen(path, "w");
	if (!*out)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create", path);
	return 0;
}

int file_part_path(const char *path, char *out, size_t len)
{
	return path_format(out, len, "%s.part", path);
}

int file_replace_open(const char *path, FILE **out)
{
	char part[4200];

	if (file_part_path(path, part, sizeof(part)) != 0)
		return RIG_ERR_INVALID;
	return file_create(part, out);
}

int file_replace_write(const char *path, const void *data, size_t len)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	if (fwrite(data, 1, len, f) != len) {
		rc = rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
		file_replace_abandon(f, path);
		return rc;
	}
	return file_replace_commit(f, path);
}

int file_replace_finish(const char *path)
{
	char part[4200];

	if (file_part_path(path, part, sizeof(part)) != 0)
		return RIG_ERR_INVALID;
	if (rename(part, path) != 0) {
		int rc = rig_error_errno(RIG_ERR_IO, "%s: cannot move into place", part);

		unlink(part);
		return rc;
	}
	return 0;
}

int file_replace_commit(FILE *f, const char *path)
{
	char part[4200];
	int rc;

	if (file_part_path(path, part, sizeof(part)) != 0) {
		fclose(f); /* file_replace_open named it: not reached */
		return RIG_ERR_INVALID;
	}
	if ((rc = file_close_synced(f, path)) != 0) {
		unlink(part);
		return rc;
	}
	return file_replace_finish(path);
}

void file_replace_abandon(FILE *f, const char *path)
{
	char part[4200];

	fclose(f);
	if (file_part_path(path, part, sizeof(part)) == 0)
		unlink(part);
}

int file_close_synced(FILE *f, const char *path)
{
	int failed = fflush(f) != 0 || ferror(f);

	if (!failed && fsync(fileno(f)) != 0)
		failed = 1;
	if (failed) {
		int saved = errno;

		fclose(f);
		errno = saved;
		return rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
	}
	if (fclose(f) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
	return 0;
}

int file_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = 0;

	if (fd < 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open directory", dir);
	if (fsync(fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: fsync failed", dir);
	close(fd);
	return rc;
}

void file_csv_text(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
