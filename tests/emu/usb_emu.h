#ifndef RIG_TESTS_USB_EMU_H
#define RIG_TESTS_USB_EMU_H

/*
 * An emulated MI-350 injector on a umockdev testbed: sysfs descriptors for
 * libusb's enumeration and an ioctl handler for /dev/bus/usb/001/NNN that
 * answers usbfs URBs (the approach of libusb's own tests/umockdev.c). The
 * handler runs in umockdev's worker thread while the client waits in ioctl.
 *
 * Behind the USB plumbing (usb_emu.c) sit the unit's control protocol
 * (usb_unit.c), answered from the sim model active in this process, and its
 * DFU bootloader (usb_dfu.c). The test injects faults one reply at a time.
 *
 * Only one testbed may live per process: one emulator per (forked) test.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <umockdev.h>

#include "drivers/injector/protocol.h"

struct sim_model;

/* Faults injected into the next reply on the IN endpoint (or OUT for
 * USB_EMU_STALL_OUT); each is used once. */
enum usb_emu_fault {
	USB_EMU_NONE,
	USB_EMU_GARBAGE,    /* reply replaced by bytes that are no frame */
	USB_EMU_BAD_CRC,    /* one CRC bit flipped */
	USB_EMU_TRUNCATED,  /* last three bytes cut */
	USB_EMU_SILENT,     /* no reply at all: the host times out */
	USB_EMU_STALE,      /* the reply arrives after a stale reply to an earlier request */
	USB_EMU_STALL_IN,   /* IN endpoint halts once; the reply waits for CLEAR_HALT */
	USB_EMU_STALL_OUT,  /* OUT endpoint halts once; the request is lost */
};

enum usb_emu_mode { USB_EMU_RUNTIME, USB_EMU_DFU };

#define USB_EMU_MAX_OUT 32
#define USB_EMU_IMAGE_MAX (256 * 1024)

struct usb_emu {
	/* Identity, set before usb_emu_start (defaults: MI-350, MI350-000123, 2.4.1). */
	char model[16];
	char serial[32];
	char firmware[16];
	int kernel_driver;          /* a kernel driver holds interface 0 until detached */
	/* Several units on one testbed (with other emulators): each on a port
	 * of its own (sysfs path, device numbers) and its own sim model. */
	UMockdevTestbed *testbed;   /* NULL: a testbed of its own */
	unsigned port;              /* root hub port, 1..4 (0: 1) */
	struct sim_model *sim;      /* the model it answers from; NULL: sim_model_active() */

	/* What the test looks at, under lock. */
	pthread_mutex_t lock;
	unsigned requests[256];     /* per command code */
	unsigned notifications;     /* SHOT/FAULT frames sent */
	int claimed, driver_detached, halts_cleared, resets, enumerations;
	enum usb_emu_mode mode;
	int unplugged;
	unsigned dfu_blocks;        /* DNLOAD blocks with data accepted */
	uint8_t dfu_status, dfu_state;

	/* Faults, set by the test. */
	enum usb_emu_fault fault;
	int dfu_fail_block;         /* >= 0: that block fails with errWRITE */

	/* Private. */
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	int devnum;                 /* of the current enumeration */
	int first_devnum;           /* of its port's prepared device numbers */
	char syspath[48];
	char devnode[32];
	GList *in_pending, *completed, *discarded; /* UMockdevIoctlData of URBs */
	/* Control URBs done, each with its client: another process may read a
	 * descriptor (a serial) while the unit's owner streams. */
	GList *control_done;        /* struct control_done (usb_emu.c) */
	UMockdevIoctlClient *bulk_client; /* whose bulk URBs the lists hold (not a reference) */
	struct {
		uint8_t bytes[INJ_MAX_FRAME + 8];
		size_t len;
	} out[USB_EMU_MAX_OUT];
	size_t nout;
	int stalled_in, stalled_out;
	uint32_t notified;          /* model shots already notified */
	uint32_t faults_notified;
	uint8_t notify_seq;
	int detach_pending;         /* DFU_DETACH or ENTER_BOOTLOADER seen */
	uint8_t image[USB_EMU_IMAGE_MAX];
	size_t image_len;
	unsigned next_block;
	int busy_poll;              /* the next GETSTATUS reports dfuDNBUSY */
};

/* Create the testbed and plug the unit in (runtime mode). 0 or -1. */
int usb_emu_start(struct usb_emu *e);
void usb_emu_stop(struct usb_emu *e);

void usb_emu_set_fault(struct usb_emu *e, enum usb_emu_fault f);

/* Pull the cable: the device leaves sysfs with a remove uevent, and every
 * transfer on an open handle fails with ENODEV. */
void usb_emu_unplug(struct usb_emu *e);

/* The sim model the unit plays (handler thread). */
struct sim_model *usb_emu_model(const struct usb_emu *e);

/* Snapshot of a counter under the lock. */
unsigned usb_emu_requests(struct usb_emu *e, uint8_t code);

/* ---- between the parts of the emulator (handler thread only) ---- */

/* usb_unit.c: a request frame arrived on bulk OUT; queue what the unit sends. */
void usb_unit_request(struct usb_emu *e, const uint8_t *buf, size_t len);

/* usb_dfu.c: a class request to the DFU interface. Returns the bytes of
 * data for an IN request, 0 for OUT, -1 to stall. */
int usb_dfu_request(struct usb_emu *e, uint8_t request_type, uint8_t request, uint16_t value,
		    uint8_t *data, uint16_t len);

/* usb_emu.c: queue a frame for the IN endpoint; re-enumerate in a mode. */
void usb_emu_send(struct usb_emu *e, const struct inj_frame *f);
void usb_emu_reenumerate(struct usb_emu *e, enum usb_emu_mode mode);

#endif
