/* The picture of an operator prompt (prompt_image.h). */
#include "rig/script/prompt_image.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/base/utf8.h"

/* Where text holds needle, ignoring ASCII case; NUL bytes are ordinary. */
static int holds_nocase(const unsigned char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++) {
		size_t k = 0;

		while (k < n && tolower(text[i + k]) == needle[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

const char *prompt_image_kind(const unsigned char *data, size_t len, const char **why)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	char bad[96];

	if (len >= 24 && !memcmp(data, png, sizeof(png))) {
		/* the first chunk is IHDR, 13 bytes long, with a width and height */
		if (memcmp(data + 8, "\0\0\0\15IHDR", 8) != 0) {
			*why = "a PNG signature without its IHDR chunk";
			return NULL;
		}
		if (!memcmp(data + 16, "\0\0\0\0", 4) || !memcmp(data + 20, "\0\0\0\0", 4)) {
			*why = "a PNG image of width or height 0";
			return NULL;
		}
		return "png";
	}
	if (len >= 4 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
		if (data[len - 2] != 0xff || data[len - 1] != 0xd9) {
			*why = "a JPEG image without its end marker (cut short?)";
			return NULL;
		}
		return "jpeg";
	}
	if (holds_nocase(data, len, "<svg")) {
		if (utf8_problem((const char *)data, len, bad, sizeof(bad)) ||
		    memchr(data, '\0', len)) {
			*why = "an SVG image that is not UTF-8 text";
			return NULL;
		}
		/* shown to operators and served by rig serve: a picture, never a program */
		if (holds_nocase(data, len, "<script") || holds_nocase(data, len, "javascript:") ||
		    holds_nocase(data, len, "<foreignobject")) {
			*why = "an SVG image with a script or foreign content";
			return NULL;
		}
		return "svg";
	}
	*why = "neither a PNG, a JPEG nor an SVG image";
	return NULL;
}

/* The kind of image an extension promises, or NULL. */
static const char *kind_of_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return NULL;
	if (!strcasecmp(dot, ".png"))
		return "png";
	if (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"))
		return "jpeg";
	if (!strcasecmp(dot, ".svg"))
		return "svg";
	return NULL;
}

static int plain_relative(const char *rel)
{
	const char *p = rel;

	if (!*rel || strlen(rel) >= sizeof(((struct prompt_image *)0)->name))
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || p[0] == '.' ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") < n)
			return 0;
		p += n;
		if (*p == '/' && !*++p)
			return 0; /* a trailing slash: no file */
	}
	return 1;
}

int prompt_image_take(const char *script_dir, const char *run_dir, const char *rel,
		      struct prompt_image *out)
{
	char src[4400], dir[4400], dst[4500];
	const char *want, *got, *why = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!plain_relative(rel))
		return rig_error(RIG_ERR_INVALID, "image \"%s\": a path relative to the script, of "
				 "names of letters, digits, '.', '_' and '-' (none starting with "
				 "'.')", rel);
	if (!(want = kind_of_name(rel)))
		return rig_error(RIG_ERR_INVALID, "image %s: name a .png, .jpg, .jpeg or .svg file",
				 rel);
	if (path_join(src, sizeof(src), script_dir, rel) != 0)
		return RIG_ERR_INVALID;
	if (stat(src, &st) != 0)
		return rig_error_errno(RIG_ERR_INVALID, "image %s", src);
	if (!S_ISREG(st.st_mode))
		return rig_error(RIG_ERR_INVALID, "image %s: not a file", src);
	if (st.st_size == 0 || (unsigned long long)st.st_size > PROMPT_IMAGE_MAX_BYTES)
		return rig_error(RIG_ERR_INVALID, "image %s: %lld bytes; 1 to %u allowed", src,
				 (long long)st.st_size, PROMPT_IMAGE_MAX_BYTES);
	if ((rc = file_read_all(src, PROMPT_IMAGE_MAX_BYTES, (char **)&data, &len)) != 0)
		return rc;
	if (!(got = prompt_image_kind(data, len, &why)))
		rc = rig_error(RIG_ERR_INVALID, "image %s: %s", src, why);
	else if (strcmp(got, want) != 0)
		rc = rig_error(RIG_ERR_INVALID, "image %s: its name says %s, its content is %s",
			       src, want, got);
	if (!rc) {
		snprintf(out->name, sizeof(out->name), "%s", rel);
		sha256_hex(data, len, out->sha256);
		snprintf(out->path, sizeof(out->path), "images/%.16s.%s", out->sha256,
			 !strcmp(got, "jpeg") ? "jpg" : got);
		if (path_join(dir, sizeof(dir), run_dir, "images") != 0 ||
		    path_join(dst, sizeof(dst), run_dir, out->path) != 0)
			rc = RIG_ERR_INVALID;
		/* the same picture shown twice is one file */
		else if (access(dst, F_OK) != 0 && (rc = file_mkdirs(dir, 0755)) == 0)
			rc = file_replace_write(dst, data, len);
	}
	free(data);
	return rc;
}
