#ifndef RIG_INJECTOR_FIRMWARE_H
#define RIG_INJECTOR_FIRMWARE_H

/*
 * A firmware file for the injector (docs/usb-protocol.md, 3.1): the image
 * (64-byte header + code) followed by the standard DFU suffix. Loading
 * checks the file; the code CRC in the header is the bootloader's to check.
 */
#include <stddef.h>
#include <stdint.h>

#define FW_MAGIC "MIFW"
#define FW_HEADER_LEN 64
#define FW_TEXT 16
#define DFU_SUFFIX_LEN 16

struct firmware {
	char path[4096];
	uint8_t *image;     /* header + code, the bytes to download */
	size_t len;
	uint16_t vid, pid;  /* from the suffix; 0xFFFF: any */
	uint16_t bcd_device;
	char version[FW_TEXT + 1];
	char model[FW_TEXT + 1];
	uint32_t code_len;
};

/* Read and check path: RIG_ERR_INVALID naming the file and what is wrong. */
int firmware_load(struct firmware *fw, const char *path);
void firmware_release(struct firmware *fw);

/* The suffix's dwCRC over n bytes, as dfu-util computes it (CRC-32 without
 * the final inversion). */
uint32_t firmware_suffix_crc(const uint8_t *p, size_t n);

/* Whether the suffix's IDs accept a device with these IDs. */
int firmware_fits(const struct firmware *fw, unsigned vid, unsigned pid);

#endif
