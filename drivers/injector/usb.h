#ifndef RIG_INJECTOR_USB_H
#define RIG_INJECTOR_USB_H

/*
 * The injector's USB transport through libusb-1.0 (docs/usb-protocol.md,
 * section 1): finding a unit by VID:PID and serial in runtime or DFU mode,
 * opening and claiming, bulk and control transfers, unplug detection. Every
 * libusb error becomes a RIG_ERR_* here and nowhere else.
 */
#include <libusb.h>
#include <stddef.h>
#include <stdint.h>

#define INJ_IFACE_CONTROL 0  /* runtime: vendor interface with the bulk pair */
#define INJ_IFACE_DFU_RUNTIME 1
#define INJ_IFACE_DFU 0      /* DFU mode: the only interface */
#define INJ_EP_OUT 0x01
#define INJ_EP_IN 0x81

enum injusb_mode {
	INJUSB_ANY = 0,
	INJUSB_RUNTIME = 1,  /* vendor interface + DFU runtime interface */
	INJUSB_DFU = 2,      /* DFU bootloader */
};

struct injusb {
	libusb_context *ctx;           /* the caller's */
	libusb_device_handle *h;
	enum injusb_mode mode;
	char serial[64];
	char where[40];                /* "bus 001 device 004", for messages */
	int claimed, reattach;         /* interface claimed; kernel driver to give back */
	int iface;
	libusb_hotplug_callback_handle hotplug;
	int has_hotplug;
	volatile int gone;             /* the hotplug callback saw the unit leave */
};

/* A libusb context for rig: 0 or RIG_ERR_IO. */
int injusb_context(libusb_context **ctx);

/*
 * Translate a libusb error (negative LIBUSB_ERROR_*) into a RIG_ERR_* and
 * set the message "<what>: <libusb's words> (<hint>)".
 */
int injusb_error(int lrc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The mode a device's interfaces show; 0 when it is not an injector. */
enum injusb_mode injusb_mode_of(libusb_device *dev);

/* "bus 001 device 004": where a device sits, for messages. */
void injusb_where(libusb_device *dev, char *out, size_t n);

/* A device's serial number string (opens and closes it). */
int injusb_serial(libusb_device *dev, char *sn, size_t n);

/*
 * Open the unit with idVendor vid, idProduct pid (0: any) and serial (""
 * or NULL: any) in the given mode (INJUSB_ANY: either). RIG_ERR_NODEV when
 * none is present, naming what was looked for and what was found instead.
 */
int injusb_open(struct injusb *u, libusb_context *ctx, unsigned vid, unsigned pid,
		const char *serial, enum injusb_mode mode);

/* injusb_open, retried until the unit appears or wait_ms have passed
 * (re-enumeration after a reset). */
int injusb_wait(struct injusb *u, libusb_context *ctx, unsigned vid, const char *serial,
		enum injusb_mode mode, unsigned wait_ms);

/* Claim an interface, detaching a kernel driver bound to it (given back
 * on close). Watches for the unit's departure when libusb can. */
int injusb_claim(struct injusb *u, int iface);

/* Release, give back the kernel driver, close. Safe twice. */
void injusb_close(struct injusb *u);

/* RIG_ERR_NODEV when the unit is known to be gone. */
int injusb_check_present(struct injusb *u);

/*
 * One bulk transfer. A stalled endpoint is cleared (CLEAR_FEATURE
 * ENDPOINT_HALT) and the transfer tried once more. *done gets the bytes
 * moved; errors name what.
 */
int injusb_bulk(struct injusb *u, uint8_t ep, uint8_t *buf, int len, int *done,
		unsigned timeout_ms, const char *what);

/* A control transfer; returns bytes moved (>= 0) or a RIG_ERR_*. */
int injusb_control(struct injusb *u, uint8_t request_type, uint8_t request, uint16_t value,
		   uint16_t index, uint8_t *data, uint16_t len, unsigned timeout_ms,
		   const char *what);

/* USB reset; a unit that re-enumerates (and so vanishes) is not an error. */
int injusb_reset(struct injusb *u);

#endif
