#include "tests/lib/fwimage.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

const char *fwimage_write(const char *dir, const char *name, const char *model,
			  const char *version, size_t code_len, enum fwimage_damage damage)
{
	static char paths[4][4200];
	static unsigned slot;
	char *path = paths[slot++ % 4], cmd[4400];
	size_t n = 64 + code_len;
	uint8_t *img = calloc(1, n);
	FILE *f;

	ck_assert_ptr_nonnull(img);
	memcpy(img, "MIFW", 4);
	img[4] = 1;
	img[6] = 64;
	put32(img + 8, (uint32_t)code_len);
	strncpy((char *)img + 16, version, 16);
	strncpy((char *)img + 32, model, 16);
	for (size_t i = 0; i < code_len; i++)
		img[64 + i] = (uint8_t)(i * 131 + 7);
	put32(img + 12, (uint32_t)crc32(0, img + 64, (uInt)code_len));
	if (damage == FWIMAGE_BAD_CODE)
		img[64 + code_len / 2] ^= 0x10;
	snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(img, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	free(img);
	snprintf(cmd, sizeof(cmd), "dfu-suffix -v 1209 -p 0001 -d 0x0250 -a '%s' >/dev/null", path);
	ck_assert_msg(system(cmd) == 0, "dfu-suffix failed (is dfu-util installed?)");
	if (damage == FWIMAGE_BAD_FILE) {
		f = fopen(path, "r+b");
		ck_assert_ptr_nonnull(f);
		fseek(f, 100, SEEK_SET);
		fputc(0xA5, f);
		ck_assert_int_eq(fclose(f), 0);
	}
	return path;
}
