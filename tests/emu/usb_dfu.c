/*
 * The emulated unit's DFU 1.1 bootloader (docs/usb-protocol.md, section
 * 3): the state machine of the DFU specification, a flash of
 * USB_EMU_IMAGE_MAX bytes, and the checks a bootloader makes of an image
 * before it runs it (header, model, code CRC).
 */
#include "tests/emu/usb_emu.h"

#include <string.h>
#include <zlib.h>

#include "drivers/injector/dfu.h"
#include "drivers/injector/firmware.h"

#define POLL_MS 2

static int fail(struct usb_emu *e, uint8_t status)
{
	e->dfu_status = status;
	e->dfu_state = DFU_ERROR;
	return -1;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

/* What the bootloader checks before it agrees to run an image. */
static uint8_t check_image(struct usb_emu *e, char *version)
{
	const uint8_t *h = e->image;
	char model[FW_TEXT + 1] = "";

	if (e->image_len < FW_HEADER_LEN || memcmp(h, FW_MAGIC, 4) != 0 ||
	    le32(h + 8) != e->image_len - FW_HEADER_LEN)
		return DFU_ERR_FILE;
	memcpy(model, h + 32, FW_TEXT);
	if (strcmp(model, e->model) != 0)
		return DFU_ERR_TARGET;
	if (crc32(0, h + FW_HEADER_LEN, (uInt)(e->image_len - FW_HEADER_LEN)) != le32(h + 12))
		return DFU_ERR_VERIFY;
	memcpy(version, h + 16, FW_TEXT);
	version[FW_TEXT] = '\0';
	return DFU_OK;
}

static int dnload(struct usb_emu *e, uint16_t block, const uint8_t *data, uint16_t len)
{
	if (len == 0) {
		if (e->dfu_state != DFU_DNLOAD_IDLE)
			return fail(e, DFU_ERR_NOTDONE);
		e->dfu_state = DFU_MANIFEST_SYNC;
		return 0;
	}
	if (e->dfu_state != DFU_IDLE && e->dfu_state != DFU_DNLOAD_IDLE)
		return fail(e, DFU_ERR_STALLEDPKT);
	if (e->dfu_state == DFU_IDLE) {
		e->image_len = 0;
		e->next_block = 0;
	}
	if (block != e->next_block)
		return fail(e, DFU_ERR_ADDRESS);
	if (e->image_len + len > sizeof(e->image))
		return fail(e, DFU_ERR_ADDRESS);
	memcpy(e->image + e->image_len, data, len);
	e->image_len += len;
	e->next_block++;
	e->dfu_blocks++;
	e->busy_poll = 1;
	e->dfu_state = DFU_DNLOAD_SYNC;
	return 0;
}

/* GETSTATUS moves the state machine on, then reports. */
static int get_status(struct usb_emu *e, uint8_t *data, uint16_t len)
{
	char version[FW_TEXT + 1];
	unsigned poll = 0;
	uint8_t reported;

	if (len < DFU_STATUS_LEN)
		return fail(e, DFU_ERR_STALLEDPKT);
	if (e->dfu_state == DFU_DNLOAD_SYNC && (int)e->next_block - 1 == e->dfu_fail_block) {
		e->dfu_status = DFU_ERR_WRITE;
		e->dfu_state = DFU_ERROR;
	} else if (e->dfu_state == DFU_DNLOAD_SYNC && e->busy_poll) {
		/* Busy writing: report dfuDNBUSY, back in dfuDNLOAD-SYNC after the poll. */
		e->busy_poll = 0;
		poll = POLL_MS;
	} else if (e->dfu_state == DFU_DNLOAD_SYNC) {
		e->dfu_state = DFU_DNLOAD_IDLE;
	} else if (e->dfu_state == DFU_MANIFEST_SYNC) {
		uint8_t verdict = check_image(e, version);

		if (verdict != DFU_OK) {
			e->dfu_status = verdict;
			e->dfu_state = DFU_ERROR;
		} else {
			memcpy(e->firmware, version, sizeof(e->firmware) - 1);
			e->dfu_state = DFU_MANIFEST;
			poll = POLL_MS;
		}
	} else if (e->dfu_state == DFU_MANIFEST) {
		e->dfu_state = DFU_MANIFEST_WAIT_RESET; /* not manifestation-tolerant */
	}
	reported = e->dfu_state == DFU_DNLOAD_SYNC && poll ? DFU_DNBUSY : e->dfu_state;
	data[0] = e->dfu_status;
	data[1] = (uint8_t)poll;
	data[2] = 0;
	data[3] = 0;
	data[4] = reported;
	data[5] = 0;
	return DFU_STATUS_LEN;
}

int usb_dfu_request(struct usb_emu *e, uint8_t request_type, uint8_t request, uint16_t value,
		    uint8_t *data, uint16_t len)
{
	int in = request_type & 0x80;

	if (e->mode == USB_EMU_RUNTIME) {
		/* Runtime: only DETACH (and status queries) are served. */
		if (request == DFU_DETACH && !in) {
			e->dfu_state = DFU_APP_DETACH;
			e->detach_pending = 1;
			return 0;
		}
		if (request == DFU_GETSTATUS && in && len >= DFU_STATUS_LEN) {
			memset(data, 0, DFU_STATUS_LEN);
			data[4] = e->dfu_state;
			return DFU_STATUS_LEN;
		}
		return -1;
	}
	switch (request) {
	case DFU_DNLOAD:
		return in ? fail(e, DFU_ERR_STALLEDPKT) : dnload(e, value, data, len);
	case DFU_GETSTATUS:
		return in ? get_status(e, data, len) : fail(e, DFU_ERR_STALLEDPKT);
	case DFU_GETSTATE:
		if (!in || len < 1)
			return fail(e, DFU_ERR_STALLEDPKT);
		data[0] = e->dfu_state;
		return 1;
	case DFU_CLRSTATUS:
		if (e->dfu_state != DFU_ERROR)
			return fail(e, DFU_ERR_STALLEDPKT);
		e->dfu_state = DFU_IDLE;
		e->dfu_status = DFU_OK;
		return 0;
	case DFU_ABORT:
		if (e->dfu_state != DFU_IDLE && e->dfu_state != DFU_DNLOAD_IDLE &&
		    e->dfu_state != DFU_UPLOAD_IDLE)
			return fail(e, DFU_ERR_STALLEDPKT);
		e->dfu_state = DFU_IDLE;
		return 0;
	}
	return fail(e, DFU_ERR_STALLEDPKT);
}
