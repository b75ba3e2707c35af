#ifndef RIG_TESTS_FWIMAGE_H
#define RIG_TESTS_FWIMAGE_H

/*
 * Firmware files for tests: an MI-350 image (docs/usb-protocol.md 3.1) of
 * code_len deterministic bytes, its DFU suffix added by dfu-util's own
 * dfu-suffix, so the suffix format is the real tool's, not ours.
 */
#include <stddef.h>

enum fwimage_damage {
	FWIMAGE_GOOD,
	FWIMAGE_BAD_CODE,   /* code altered after its CRC went into the header */
	FWIMAGE_BAD_FILE,   /* a byte flipped after the suffix was added */
};

/* Write dir/name; returns its path (static storage per call slot). */
const char *fwimage_write(const char *dir, const char *name, const char *model,
			  const char *version, size_t code_len, enum fwimage_damage damage);

#endif
