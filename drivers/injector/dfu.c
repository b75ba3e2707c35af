#include "drivers/injector/dfu.h"

#include <stdio.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/injector/firmware.h"
#include "drivers/injector/protocol.h"
#include "drivers/injector/usb.h"
#include "rig/base/clock.h"
#include "rig/base/error.h"

#define REQ_OUT (LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT)
#define REQ_IN (LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_IN)
#define MAX_POLLS 1000          /* GETSTATUS rounds for one step */
#define MAX_POLL_MS 5000        /* a longer bwPollTimeout is a broken device */

const char *dfu_state_name(unsigned state)
{
	static const char *const names[] = {
		"appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY", "dfuDNLOAD-IDLE",
		"dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET", "dfuUPLOAD-IDLE",
		"dfuERROR",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown state";
}

const char *dfu_status_name(unsigned status)
{
	static const char *const names[] = {
		"OK",
		"errTARGET (image not for this device)",
		"errFILE (image fails the device's checks)",
		"errWRITE (device cannot write memory)",
		"errERASE (memory erase failed)",
		"errCHECK_ERASED (memory erase check failed)",
		"errPROG (program memory failed)",
		"errVERIFY (programmed memory failed verification)",
		"errADDRESS (address out of range)",
		"errNOTDONE (end of download before all data)",
		"errFIRMWARE (firmware corrupt, cannot leave DFU mode)",
		"errVENDOR (vendor-specific error)",
		"errUSBR (unexpected USB reset)",
		"errPOR (unexpected power-on reset)",
		"errUNKNOWN",
		"errSTALLEDPKT (device stalled an unexpected request)",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

struct functional {
	uint8_t attributes;
	uint16_t detach_timeout_ms, transfer_size;
};

/* The DFU functional descriptor that follows interface iface. */
static int functional_of(struct injusb *u, int iface, struct functional *fd)
{
	struct libusb_config_descriptor *cfg;
	int lrc = libusb_get_active_config_descriptor(libusb_get_device(u->h), &cfg), found = 0;

	if (lrc)
		return injusb_error(lrc, "unit %s: reading its configuration", u->serial);
	if (iface < cfg->bNumInterfaces && cfg->interface[iface].num_altsetting > 0) {
		const struct libusb_interface_descriptor *d = &cfg->interface[iface].altsetting[0];

		for (int i = 0; i + 9 <= d->extra_length && !found; i += d->extra[i] ? d->extra[i] : 1)
			if (d->extra[i] >= 9 && d->extra[i + 1] == 0x21) {
				fd->attributes = d->extra[i + 2];
				fd->detach_timeout_ms = (uint16_t)(d->extra[i + 3] | d->extra[i + 4] << 8);
				fd->transfer_size = (uint16_t)(d->extra[i + 5] | d->extra[i + 6] << 8);
				found = 1;
			}
	}
	libusb_free_config_descriptor(cfg);
	if (!found || fd->transfer_size == 0)
		return rig_error(RIG_ERR_PROTOCOL, "unit %s: interface %d has no DFU functional "
						   "descriptor",
				 u->serial, iface);
	return 0;
}

struct dfu_status_reply {
	uint8_t status, state;
	unsigned poll_ms;
};

static int get_status(struct injusb *u, unsigned timeout_ms, struct dfu_status_reply *st)
{
	uint8_t b[DFU_STATUS_LEN];
	int n = injusb_control(u, REQ_IN, DFU_GETSTATUS, 0, INJ_IFACE_DFU, b, sizeof(b), timeout_ms,
			       "DFU_GETSTATUS");

	if (n < 0)
		return n;
	if (n != DFU_STATUS_LEN)
		return rig_error(RIG_ERR_PROTOCOL, "unit %s: DFU_GETSTATUS returned %d bytes, not 6",
				 u->serial, n);
	st->status = b[0];
	st->poll_ms = (unsigned)(b[1] | b[2] << 8 | b[3] << 16);
	st->state = b[4];
	return 0;
}

static int request(struct injusb *u, uint8_t req, uint16_t value, uint8_t *data, uint16_t len,
		   unsigned timeout_ms, const char *what)
{
	int n = injusb_control(u, REQ_OUT, req, value, INJ_IFACE_DFU, data, len, timeout_ms, what);

	return n < 0 ? n : 0;
}

/*
 * GETSTATUS until the device reaches want (or, for the manifest, any state
 * in want_mask). A device error is cleared (DFU_CLRSTATUS) and reported.
 */
static int poll_until(struct injusb *u, unsigned timeout_ms, unsigned want_mask, const char *step,
		      struct dfu_status_reply *st)
{
	for (int i = 0; i < MAX_POLLS; i++) {
		int rc = get_status(u, timeout_ms, st);

		if (rc)
			return rc;
		if (st->status != DFU_OK || st->state == DFU_ERROR) {
			request(u, DFU_CLRSTATUS, 0, NULL, 0, timeout_ms, "DFU_CLRSTATUS");
			return rig_error(RIG_ERR_DEVICE, "unit %s rejected %s: %s (state %s)", u->serial,
					 step, dfu_status_name(st->status), dfu_state_name(st->state));
		}
		if (want_mask & (1u << st->state))
			return 0;
		if (st->state != DFU_DNBUSY && st->state != DFU_DNLOAD_SYNC &&
		    st->state != DFU_MANIFEST_SYNC && st->state != DFU_MANIFEST)
			return rig_error(RIG_ERR_PROTOCOL, "unit %s: unexpected DFU state %s during %s",
					 u->serial, dfu_state_name(st->state), step);
		clock_sleep_ms(st->poll_ms < MAX_POLL_MS ? st->poll_ms : MAX_POLL_MS);
	}
	return rig_error(RIG_ERR_TIMEOUT, "unit %s: %s did not finish after %d status polls",
			 u->serial, step, MAX_POLLS);
}

/* Ask the runtime unit to detach, dfu-util style: DFU_DETACH, then a USB
 * reset unless the unit detaches by itself. */
static int detach(libusb_context *ctx, const struct flash_request *rq, unsigned vid, unsigned pid)
{
	struct injusb u;
	struct functional fd;
	int rc;

	if ((rc = injusb_open(&u, ctx, vid, pid, rq->serial, INJUSB_RUNTIME)) == 0 &&
	    (rc = injusb_claim(&u, INJ_IFACE_DFU_RUNTIME)) == 0 &&
	    (rc = functional_of(&u, INJ_IFACE_DFU_RUNTIME, &fd)) == 0) {
		int n = injusb_control(&u, REQ_OUT, DFU_DETACH, fd.detach_timeout_ms,
				       INJ_IFACE_DFU_RUNTIME, NULL, 0, rq->timeout_ms, "DFU_DETACH");

		rc = n < 0 ? n : 0;
		if (!rc && !(fd.attributes & DFU_WILL_DETACH))
			rc = injusb_reset(&u);
	}
	injusb_close(&u);
	return rc;
}

/* The identity of the runtime unit, through the uut backend's IDENTIFY. */
static int identify(const struct flash_request *rq, unsigned vid, unsigned pid,
		    struct uut_identity *id)
{
	struct fixture_uut cfg = { .vid = vid, .pid = pid, .timeout_ms = rq->timeout_ms };
	struct uut *uut;
	int rc;

	snprintf(cfg.serial, sizeof(cfg.serial), "%s", rq->serial);
	if ((rc = injector_uut_ops.open(&uut, &cfg, NULL)) != 0)
		return rc;
	*id = uut->id;
	injector_uut_ops.close(uut);
	return 0;
}

static int download(struct injusb *u, const struct flash_request *rq, const struct firmware *fw,
		    struct flash_result *res)
{
	struct functional fd;
	struct dfu_status_reply st;
	uint16_t block = 0;
	int rc;

	if ((rc = injusb_claim(u, INJ_IFACE_DFU)) != 0 ||
	    (rc = functional_of(u, INJ_IFACE_DFU, &fd)) != 0 ||
	    (rc = get_status(u, rq->timeout_ms, &st)) != 0)
		return rc;
	/* A previous update may have left the bootloader in error or mid-way. */
	if (st.state == DFU_ERROR)
		rc = request(u, DFU_CLRSTATUS, 0, NULL, 0, rq->timeout_ms, "DFU_CLRSTATUS");
	else if (st.state != DFU_IDLE)
		rc = request(u, DFU_ABORT, 0, NULL, 0, rq->timeout_ms, "DFU_ABORT");
	if (rc || (rc = poll_until(u, rq->timeout_ms, 1u << DFU_IDLE, "the start", &st)) != 0)
		return rc;
	for (size_t off = 0; off < fw->len; off += fd.transfer_size, block++) {
		size_t n = fw->len - off < fd.transfer_size ? fw->len - off : fd.transfer_size;
		char step[48];

		snprintf(step, sizeof(step), "block %u", block);
		if ((rc = request(u, DFU_DNLOAD, block, fw->image + off, (uint16_t)n, rq->timeout_ms,
				  "DFU_DNLOAD")) != 0 ||
		    (rc = poll_until(u, rq->timeout_ms, 1u << DFU_DNLOAD_IDLE, step, &st)) != 0)
			return rc;
		res->bytes = off + n;
		res->blocks = block + 1u;
		if (rq->progress)
			rq->progress(rq->ctx, res->bytes, fw->len);
	}
	if ((rc = request(u, DFU_DNLOAD, block, NULL, 0, rq->timeout_ms, "DFU_DNLOAD (end)")) != 0)
		return rc;
	rc = poll_until(u, rq->timeout_ms, 1u << DFU_MANIFEST_WAIT_RESET | 1u << DFU_IDLE,
			"the image in manifestation", &st);
	if (rc == RIG_ERR_DEVICE)
		return rig_error(rc, "%s; the unit stays in DFU mode until a valid image is flashed",
				 rig_last_error());
	/* Out of DFU mode: not manifestation-tolerant units wait for this reset. */
	return rc ? rc : injusb_reset(u);
}

int injector_flash(const struct flash_request *rq, struct flash_result *res)
{
	struct flash_request r = *rq;
	unsigned vid = rq->vid ? rq->vid : INJ_DEFAULT_VID, pid = rq->pid ? rq->pid : INJ_DEFAULT_PID;
	struct firmware fw;
	struct uut_identity id;
	libusb_context *ctx = NULL;
	struct injusb u = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	if (!r.timeout_ms)
		r.timeout_ms = 1000;
	if (!r.enumerate_ms)
		r.enumerate_ms = 10000;
	if (!r.serial || !r.serial[0])
		return rig_error(RIG_ERR_INVALID, "flash: name the unit (--unit SERIAL)");
	if ((rc = firmware_load(&fw, r.file)) != 0)
		return rc;
	if (!firmware_fits(&fw, vid, pid)) {
		rc = rig_error(RIG_ERR_INVALID, "%s: built for USB %04x:%04x, the unit is %04x:%04x",
			       r.file, fw.vid, fw.pid, vid, pid);
		goto out;
	}
	if ((rc = injusb_context(&ctx)) != 0 ||
	    (rc = injusb_open(&u, ctx, vid, 0, r.serial, INJUSB_ANY)) != 0)
		goto out;
	if (u.mode == INJUSB_RUNTIME) {
		injusb_close(&u);
		if ((rc = identify(&r, vid, pid, &id)) != 0)
			goto out;
		if (strcmp(id.model, fw.model) != 0) {
			rc = rig_error(RIG_ERR_INVALID, "%s: an image for %s, the unit %s is a %s",
				       r.file, fw.model, r.serial, id.model);
			goto out;
		}
		snprintf(res->before, sizeof(res->before), "%s", id.firmware);
		if ((rc = detach(ctx, &r, vid, pid)) != 0 ||
		    (rc = injusb_wait(&u, ctx, vid, r.serial, INJUSB_DFU, r.enumerate_ms)) != 0)
			goto out;
	}
	rc = download(&u, &r, &fw, res);
	injusb_close(&u);
	if (rc || (rc = injusb_wait(&u, ctx, vid, r.serial, INJUSB_RUNTIME, r.enumerate_ms)) != 0)
		goto out;
	injusb_close(&u);
	if ((rc = identify(&r, vid, pid, &res->after)) != 0)
		goto out;
	if (strcmp(res->after.firmware, fw.version) != 0)
		rc = rig_error(RIG_ERR_DEVICE, "unit %s reports firmware %s after flashing %s (%s)",
			       r.serial, res->after.firmware, fw.version, r.file);
out:
	injusb_close(&u);
	if (ctx)
		libusb_exit(ctx);
	firmware_release(&fw);
	return rc;
}
