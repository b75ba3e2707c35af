#include "drivers/injector/firmware.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"

/* The largest image the MI-350's flash holds. */
#define FW_MAX (1024 * 1024)

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

uint32_t firmware_suffix_crc(const uint8_t *p, size_t n)
{
	return ~(uint32_t)crc32(0, p, (uInt)n);
}

static int bad(const struct firmware *fw, const char *why)
{
	return rig_error(RIG_ERR_INVALID, "%s: %s", fw->path, why);
}

/* A NUL-padded header text field. */
static int text(const struct firmware *fw, const uint8_t *p, char *out, const char *what)
{
	size_t n = strnlen((const char *)p, FW_TEXT);

	if (n == 0)
		return rig_error(RIG_ERR_INVALID, "%s: the image header has no %s", fw->path, what);
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Check the suffix and the image header of the n bytes in fw->image. */
static int parse(struct firmware *fw, size_t n)
{
	const uint8_t *s, *h = fw->image;
	int rc;

	if (n < FW_HEADER_LEN + DFU_SUFFIX_LEN)
		return bad(fw, "too short for a firmware file (no DFU suffix)");
	s = fw->image + n - DFU_SUFFIX_LEN;
	if (memcmp(s + 8, "UFD", 3) != 0 || s[11] != DFU_SUFFIX_LEN)
		return bad(fw, "no DFU suffix (not a .dfu file? build it with dfu-suffix)");
	if (le16(s + 6) != 0x0100)
		return bad(fw, "DFU suffix version is not 1.0");
	if (le32(s + 12) != firmware_suffix_crc(fw->image, n - 4))
		return bad(fw, "DFU suffix CRC does not match: the file is damaged");
	fw->bcd_device = le16(s);
	fw->pid = le16(s + 2);
	fw->vid = le16(s + 4);
	fw->len = n - DFU_SUFFIX_LEN;
	if (memcmp(h, FW_MAGIC, 4) != 0)
		return bad(fw, "not an MI-350 image (no MIFW header)");
	if (le16(h + 4) != 1 || le16(h + 6) != FW_HEADER_LEN)
		return bad(fw, "unknown image header version");
	fw->code_len = le32(h + 8);
	if (fw->code_len != fw->len - FW_HEADER_LEN)
		return bad(fw, "image header length does not match the file: truncated?");
	if ((rc = text(fw, h + 16, fw->version, "firmware version")) != 0)
		return rc;
	return text(fw, h + 32, fw->model, "model");
}

int firmware_load(struct firmware *fw, const char *path)
{
	FILE *f;
	size_t n;
	int rc;

	memset(fw, 0, sizeof(*fw));
	if (path_format(fw->path, sizeof(fw->path), "%s", path) != 0)
		return RIG_ERR_INVALID;
	f = fopen(path, "rb");
	if (!f)
		return rig_error_errno(errno == ENOENT ? RIG_ERR_INVALID : RIG_ERR_IO,
				       "%s: cannot open the firmware file", path);
	fw->image = malloc(FW_MAX + DFU_SUFFIX_LEN + 1);
	if (!fw->image) {
		fclose(f);
		return rig_error(RIG_ERR_NOMEM, "%s: out of memory", path);
	}
	n = fread(fw->image, 1, FW_MAX + DFU_SUFFIX_LEN + 1, f);
	rc = ferror(f) ? rig_error_errno(RIG_ERR_IO, "%s: read failed", path)
	     : n > FW_MAX + DFU_SUFFIX_LEN ? bad(fw, "larger than the unit's 1 MiB of flash")
					  : parse(fw, n);
	fclose(f);
	if (rc)
		firmware_release(fw);
	return rc;
}

void firmware_release(struct firmware *fw)
{
	free(fw->image);
	fw->image = NULL;
	fw->len = 0;
}

int firmware_fits(const struct firmware *fw, unsigned vid, unsigned pid)
{
	return (fw->vid == 0xffff || fw->vid == vid) && (fw->pid == 0xffff || fw->pid == pid);
}
