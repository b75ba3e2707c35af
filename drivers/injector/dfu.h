#ifndef RIG_INJECTOR_DFU_H
#define RIG_INJECTOR_DFU_H

/*
 * Firmware update by USB DFU 1.1 (docs/usb-protocol.md, section 3), the
 * sequence dfu-util follows: detach, download in blocks with GETSTATUS
 * polling, manifest, re-enumeration, then the new version is verified.
 */
#include <stddef.h>
#include <stdint.h>

#include "drivers/uut.h"

/* DFU 1.1 class requests, states and status codes. */
enum dfu_request {
	DFU_DETACH = 0, DFU_DNLOAD = 1, DFU_UPLOAD = 2, DFU_GETSTATUS = 3,
	DFU_CLRSTATUS = 4, DFU_GETSTATE = 5, DFU_ABORT = 6,
};

enum dfu_state {
	DFU_APP_IDLE = 0, DFU_APP_DETACH = 1, DFU_IDLE = 2, DFU_DNLOAD_SYNC = 3,
	DFU_DNBUSY = 4, DFU_DNLOAD_IDLE = 5, DFU_MANIFEST_SYNC = 6, DFU_MANIFEST = 7,
	DFU_MANIFEST_WAIT_RESET = 8, DFU_UPLOAD_IDLE = 9, DFU_ERROR = 10,
};

enum dfu_status {
	DFU_OK = 0, DFU_ERR_TARGET = 1, DFU_ERR_FILE = 2, DFU_ERR_WRITE = 3,
	DFU_ERR_ERASE = 4, DFU_ERR_CHECK_ERASED = 5, DFU_ERR_PROG = 6, DFU_ERR_VERIFY = 7,
	DFU_ERR_ADDRESS = 8, DFU_ERR_NOTDONE = 9, DFU_ERR_FIRMWARE = 10, DFU_ERR_VENDOR = 11,
	DFU_ERR_USBR = 12, DFU_ERR_POR = 13, DFU_ERR_UNKNOWN = 14, DFU_ERR_STALLEDPKT = 15,
};

/* bmAttributes of the functional descriptor. */
#define DFU_CAN_DNLOAD 0x01
#define DFU_CAN_UPLOAD 0x02
#define DFU_MANIFESTATION_TOLERANT 0x04
#define DFU_WILL_DETACH 0x08

#define DFU_STATUS_LEN 6  /* bStatus, bwPollTimeout[3], bState, iString */

const char *dfu_state_name(unsigned state);
const char *dfu_status_name(unsigned status);

struct flash_request {
	const char *file;
	const char *serial;      /* the unit to flash; required */
	unsigned vid, pid;       /* runtime IDs; 0: the defaults */
	unsigned timeout_ms;     /* per request; 0: 1000 */
	unsigned enumerate_ms;   /* wait for re-enumeration; 0: 10000 */
	/* Called after every block. May be NULL. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *ctx;
};

struct flash_result {
	char before[32];         /* firmware before ("" when found in DFU mode) */
	struct uut_identity after;
	size_t bytes;
	unsigned blocks;
};

/* `rig flash`: 0 when the unit runs the image's version afterwards. */
int injector_flash(const struct flash_request *rq, struct flash_result *res);

#endif
