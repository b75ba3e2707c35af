/*
 * The USB side of the emulated injector: descriptors in the testbed's sysfs,
 * (re-)enumeration with uevents, and the usbfs ioctls libusb sends to
 * /dev/bus/usb/001/NNN, URBs included. Facts this relies on are in
 * shared/notes/emulated-devices.md: resolve the ioctl argument and the URB
 * buffer, keep the URB's data until it is reaped, and hand it back with
 * umockdev_ioctl_data_set_ptr().
 */
#include "tests/emu/usb_emu.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <string.h>

#include "drivers/injector/dfu.h"
#include "drivers/injector/usb.h"
#include "drivers/sim/model.h"
#include "tests/emu/sim_active.h"

#define BUS 1
#define FIRST_DEVNUM 2
#define ENUMERATIONS 8 /* device numbers prepared for re-enumeration */

#define DFU_ATTRIBUTES 0x01      /* bitCanDnload only */

struct control_done {
	UMockdevIoctlClient *client;
	UMockdevIoctlData *urb;
};
#define DFU_DETACH_TIMEOUT 1000
#define DFU_TRANSFER_SIZE 256

static void hex(GString *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", p[i]);
}

static size_t put(uint8_t *at, const uint8_t *bytes, size_t n)
{
	memcpy(at, bytes, n);
	return n;
}

/* Device descriptor then configuration descriptor, as sysfs "descriptors". */
static size_t descriptors(const struct usb_emu *e, uint8_t *d)
{
	const uint8_t dfu_functional[] = { 9, 0x21, DFU_ATTRIBUTES, DFU_DETACH_TIMEOUT & 0xff,
					   DFU_DETACH_TIMEOUT >> 8, DFU_TRANSFER_SIZE & 0xff,
					   DFU_TRANSFER_SIZE >> 8, 0x10, 0x01 };
	int major = 0, minor = 0, patch = 0;
	uint16_t bcd;
	size_t n = 0, cfg;

	sscanf(e->firmware, "%d.%d.%d", &major, &minor, &patch);
	bcd = (uint16_t)((major / 10) << 12 | (major % 10) << 8 | (minor % 10) << 4 | (patch % 10));
	n += put(d + n,
		 (const uint8_t[]){ 18, 1, 0x00, 0x02, 0, 0, 0, 64, INJ_DEFAULT_VID & 0xff,
				    INJ_DEFAULT_VID >> 8, INJ_DEFAULT_PID & 0xff, INJ_DEFAULT_PID >> 8,
				    (uint8_t)bcd, (uint8_t)(bcd >> 8), 1, 2, 3, 1 },
		 18);
	cfg = n;
	n += put(d + n, (const uint8_t[]){ 9, 2, 0, 0, e->mode == USB_EMU_DFU ? 1 : 2, 1, 0, 0x80, 50 },
		 9);
	if (e->mode == USB_EMU_RUNTIME) {
		n += put(d + n, (const uint8_t[]){ 9, 4, 0, 0, 2, 0xff, 0, 0, 0 }, 9);
		n += put(d + n, (const uint8_t[]){ 7, 5, 0x01, 2, 64, 0, 0 }, 7);
		n += put(d + n, (const uint8_t[]){ 7, 5, 0x81, 2, 64, 0, 0 }, 7);
		n += put(d + n, (const uint8_t[]){ 9, 4, 1, 0, 0, 0xfe, 1, 1, 0 }, 9);
	} else {
		n += put(d + n, (const uint8_t[]){ 9, 4, 0, 0, 0, 0xfe, 1, 2, 4 }, 9);
	}
	n += put(d + n, dfu_functional, sizeof(dfu_functional));
	d[cfg + 2] = (uint8_t)(n - cfg);
	return n;
}

static void plug(struct usb_emu *e)
{
	uint8_t d[128];
	GString *s = g_string_new(NULL);
	GError *err = NULL;

	snprintf(e->devnode, sizeof(e->devnode), "/dev/bus/usb/%03d/%03d", BUS, e->devnum);
	g_string_append_printf(s,
			       "P: /devices/usb1/1-%u\nN: bus/usb/%03d/%03d\n"
			       "E: SUBSYSTEM=usb\nE: DRIVER=usb\nE: DEVTYPE=usb_device\n"
			       "E: BUSNUM=%03d\nE: DEVNUM=%03d\nE: DEVNAME=%s\n"
			       "A: busnum=%d\\n\nA: devnum=%d\\n\nA: speed=12\\n\n"
			       "A: bConfigurationValue=1\\n\nA: serial=%s\\n\nH: descriptors=",
			       e->port, BUS, e->devnum, BUS, e->devnum, e->devnode, BUS, e->devnum,
			       e->serial);
	hex(s, d, descriptors(e, d));
	g_string_append_c(s, '\n');
	if (!umockdev_testbed_add_from_string(e->tb, s->str, &err))
		g_error("usb_emu: %s", err->message);
	g_string_free(s, TRUE);
	umockdev_testbed_uevent(e->tb, e->syspath, "add");
	e->unplugged = 0;
	e->enumerations++;
}

static void drop_urbs(GList **l)
{
	g_list_free_full(*l, g_object_unref);
	*l = NULL;
}

static void drop_control(struct usb_emu *e)
{
	for (GList *l = e->control_done; l; l = l->next) {
		struct control_done *c = l->data;

		g_object_unref(c->client);
		g_object_unref(c->urb);
		g_free(c);
	}
	g_list_free(e->control_done);
	e->control_done = NULL;
}

static void unplug(struct usb_emu *e)
{
	if (e->unplugged)
		return;
	umockdev_testbed_uevent(e->tb, e->syspath, "remove");
	umockdev_testbed_remove_device(e->tb, e->syspath);
	e->unplugged = 1;
	e->nout = 0;
	e->stalled_in = e->stalled_out = 0;
}

void usb_emu_reenumerate(struct usb_emu *e, enum usb_emu_mode mode)
{
	unplug(e);
	if (e->devnum + 1 >= e->first_devnum + ENUMERATIONS)
		g_error("usb_emu: out of prepared device numbers");
	e->devnum++;
	e->mode = mode;
	e->detach_pending = 0;
	e->dfu_state = mode == USB_EMU_DFU ? DFU_IDLE : DFU_APP_IDLE;
	e->dfu_status = DFU_OK;
	plug(e);
}

void usb_emu_send(struct usb_emu *e, const struct inj_frame *f)
{
	static const uint8_t garbage[] = "\x5a\x00\xffHELLO";
	enum usb_emu_fault fault = f->type == INJ_REPLY ? e->fault : USB_EMU_NONE;

	if (fault != USB_EMU_NONE && fault != USB_EMU_STALL_OUT)
		e->fault = USB_EMU_NONE;
	if (fault == USB_EMU_SILENT || e->nout + 2 > USB_EMU_MAX_OUT)
		return;
	if (fault == USB_EMU_STALE) {
		struct inj_frame old = *f;

		old.seq--;
		e->out[e->nout].len = inj_encode(&old, e->out[e->nout].bytes);
		e->nout++;
	}
	if (fault == USB_EMU_STALL_IN)
		e->stalled_in = 1;
	if (fault == USB_EMU_GARBAGE) {
		memcpy(e->out[e->nout].bytes, garbage, sizeof(garbage) - 1);
		e->out[e->nout++].len = sizeof(garbage) - 1;
		return;
	}
	e->out[e->nout].len = inj_encode(f, e->out[e->nout].bytes);
	if (fault == USB_EMU_BAD_CRC)
		e->out[e->nout].bytes[e->out[e->nout].len - 1] ^= 0x01;
	if (fault == USB_EMU_TRUNCATED)
		e->out[e->nout].len -= 3;
	e->nout++;
}

/* UTF-16LE string descriptor i, into data; returns its length. */
static int string_descriptor(const struct usb_emu *e, unsigned i, uint8_t *data, uint16_t len)
{
	const char *text[] = { NULL, "rig project", e->mode == USB_EMU_DFU ? "MI-350 DFU" : "MI-350",
			       e->serial, "firmware" };
	uint8_t d[2 + 2 * 40];
	size_t n = 2;

	if (i >= sizeof(text) / sizeof(text[0]))
		return -1;
	if (i == 0) {
		d[n++] = 0x09; /* English (US) */
		d[n++] = 0x04;
	}
	for (const char *c = text[i]; i && *c && n + 2 <= sizeof(d); c++) {
		d[n++] = (uint8_t)*c;
		d[n++] = 0;
	}
	d[0] = (uint8_t)n;
	d[1] = 3;
	n = n < len ? n : len;
	memcpy(data, d, n);
	return (int)n;
}

/* A control transfer: bytes of data moved, or -1 to stall. */
static int control(struct usb_emu *e, const uint8_t *setup, uint8_t *data)
{
	uint8_t type = setup[0], request = setup[1];
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
	uint16_t index = (uint16_t)(setup[4] | setup[5] << 8);
	uint16_t len = (uint16_t)(setup[6] | setup[7] << 8);
	int dfu_iface = e->mode == USB_EMU_DFU ? 0 : 1;

	if (type == 0x80 && request == 6 && value >> 8 == 3)
		return string_descriptor(e, value & 0xff, data, len);
	if ((type & 0x7f) == 0x21 && index == dfu_iface)
		return usb_dfu_request(e, type, request, value, data, len);
	return -1;
}

static void submit(struct usb_emu *e, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb),
								  NULL);
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
	UMockdevIoctlData *buf = urb->buffer_length > 0
					 ? umockdev_ioctl_data_resolve(urb_data,
								       G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
								       (gsize)urb->buffer_length, NULL)
					 : NULL;
	uint8_t *bytes = buf ? buf->data : NULL;

	urb->status = 0;
	urb->actual_length = 0;
	if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
		int r = control(e, bytes, bytes + 8);
		struct control_done *c = g_new(struct control_done, 1);

		urb->status = r < 0 ? -EPIPE : 0;
		urb->actual_length = r < 0 ? 0 : r;
		c->client = g_object_ref(client);
		c->urb = urb_data;
		e->control_done = g_list_append(e->control_done, c);
	} else if (urb->endpoint == INJ_EP_OUT) {
		e->bulk_client = client;
		if (e->fault == USB_EMU_STALL_OUT) {
			e->fault = USB_EMU_NONE;
			e->stalled_out = 1;
		}
		if (e->stalled_out) {
			urb->status = -EPIPE;
		} else {
			usb_unit_request(e, bytes, (size_t)urb->buffer_length);
			urb->actual_length = urb->buffer_length;
		}
		e->completed = g_list_append(e->completed, urb_data);
	} else {
		e->bulk_client = client;
		e->in_pending = g_list_append(e->in_pending, urb_data);
	}
	if (buf)
		g_object_unref(buf);
	umockdev_ioctl_client_complete(client, 0, 0);
}

/* The next URB to hand back to client, or NULL: its own control URBs
 * first, then the unit's bulk traffic. */
static UMockdevIoctlData *next_reap(struct usb_emu *e, UMockdevIoctlClient *client,
				    int *self_detach)
{
	UMockdevIoctlData *d;
	struct usbdevfs_urb *urb;
	GList **from = e->discarded ? &e->discarded : e->completed ? &e->completed : NULL;

	for (GList *l = e->control_done; l; l = l->next) {
		struct control_done *c = l->data;

		if (c->client != client)
			continue;
		d = c->urb;
		g_object_unref(c->client);
		g_free(c);
		e->control_done = g_list_delete_link(e->control_done, l);
		return d;
	}
	/* Only the process that streams with the unit reaps its traffic. */
	if (client != e->bulk_client)
		return NULL;

	if (!from && e->in_pending && (e->stalled_in || e->nout))
		from = &e->in_pending;
	if (!from)
		return NULL;
	d = (*from)->data;
	*from = g_list_delete_link(*from, *from);
	urb = (struct usbdevfs_urb *)d->data;
	if (from == &e->discarded) {
		urb->status = -ENOENT;
	} else if (from == &e->in_pending && e->stalled_in) {
		urb->status = -EPIPE;
	} else if (from == &e->in_pending) {
		size_t n = e->out[0].len;

		if ((int)n > urb->buffer_length) {
			urb->status = -EOVERFLOW;
			n = (size_t)urb->buffer_length;
		}
		memcpy(urb->buffer, e->out[0].bytes, n);
		urb->actual_length = (int)n;
		memmove(&e->out[0], &e->out[1], --e->nout * sizeof(e->out[0]));
		*self_detach = e->detach_pending == 2 && e->nout == 0;
	}
	return d;
}

static void reap(struct usb_emu *e, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	int self_detach = 0;
	UMockdevIoctlData *d = next_reap(e, client, &self_detach);
	UMockdevIoctlData *slot;

	if (!d) {
		umockdev_ioctl_client_complete(client, -1, EAGAIN);
		return;
	}
	slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
	umockdev_ioctl_data_set_ptr(slot, 0, d);
	umockdev_ioctl_client_complete(client, 0, 0);
	g_object_unref(slot);
	g_object_unref(d);
	/* ENTER_BOOTLOADER: the unit leaves the bus once its reply is out. */
	if (self_detach)
		usb_emu_reenumerate(e, USB_EMU_DFU);
}

static void discard(struct usb_emu *e, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	gulong addr = (gulong) * (void **)arg->data;

	for (GList *l = e->in_pending; l; l = l->next)
		if (((UMockdevIoctlData *)l->data)->client_addr == addr) {
			e->discarded = g_list_append(e->discarded, l->data);
			e->in_pending = g_list_delete_link(e->in_pending, l);
			umockdev_ioctl_client_complete(client, 0, 0);
			return;
		}
	umockdev_ioctl_client_complete(client, -1, EINVAL);
}

/* An ioctl whose argument points to an unsigned int (interface, endpoint). */
static unsigned uint_arg(UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);
	unsigned v = *(unsigned *)d->data;

	g_object_unref(d);
	return v;
}

static int driver_bound(const struct usb_emu *e, unsigned iface)
{
	return e->kernel_driver && iface == 0 && !e->driver_detached && e->mode == USB_EMU_RUNTIME;
}

static void getdriver(struct usb_emu *e, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver),
							   NULL);
	struct usbdevfs_getdriver *gd = (struct usbdevfs_getdriver *)d->data;

	if (driver_bound(e, gd->interface)) {
		snprintf(gd->driver, sizeof(gd->driver), "mi350_hid");
		umockdev_ioctl_client_complete(client, 0, 0);
	} else {
		umockdev_ioctl_client_complete(client, -1, ENODATA);
	}
	g_object_unref(d);
}

static void usbfs_ioctl(struct usb_emu *e, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), NULL);
	struct usbdevfs_ioctl *io = (struct usbdevfs_ioctl *)d->data;

	if (io->ioctl_code == (int)USBDEVFS_DISCONNECT)
		e->driver_detached = 1;
	else if (io->ioctl_code == (int)USBDEVFS_CONNECT)
		e->driver_detached = 0;
	umockdev_ioctl_client_complete(client, 0, 0);
	g_object_unref(d);
}

static void reset(struct usb_emu *e, UMockdevIoctlClient *client)
{
	e->resets++;
	/* A unit that comes back as another device: the kernel reports the old
	 * one gone (ENODEV), then the new one enumerates. */
	if (e->detach_pending == 1 || (e->mode == USB_EMU_DFU && e->dfu_state == DFU_MANIFEST_WAIT_RESET)) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		usb_emu_reenumerate(e, e->mode == USB_EMU_DFU ? USB_EMU_RUNTIME : USB_EMU_DFU);
		return;
	}
	umockdev_ioctl_client_complete(client, 0, 0);
}

static void claim(struct usb_emu *e, UMockdevIoctlClient *client, unsigned iface)
{
	if (driver_bound(e, iface)) {
		umockdev_ioctl_client_complete(client, -1, EBUSY);
		return;
	}
	e->claimed |= 1 << iface;
	umockdev_ioctl_client_complete(client, 0, 0);
}

static void clear_halt(struct usb_emu *e, UMockdevIoctlClient *client, unsigned ep)
{
	e->halts_cleared++;
	if (ep == INJ_EP_IN)
		e->stalled_in = 0;
	else
		e->stalled_out = 0;
	umockdev_ioctl_client_complete(client, 0, 0);
}

static void capabilities(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

	*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
			      USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
	umockdev_ioctl_client_complete(client, 0, 0);
	g_object_unref(d);
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer data)
{
	struct usb_emu *e = data;
	unsigned request = (unsigned)umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	const struct sim_model *m = usb_emu_model(e);

	(void)handler;
	pthread_mutex_lock(&e->lock);
	sim_models_lock();
	/* The sim unit's usb_disconnect fault: a bus-powered unit drops off. */
	if (m && m->disconnected)
		unplug(e);
	if (request == USBDEVFS_GET_CAPABILITIES) {
		capabilities(client, arg);
	} else if (e->unplugged || strcmp(umockdev_ioctl_client_get_devnode(client), e->devnode)) {
		/* A handle on a device that left (unplug, re-enumeration). */
		umockdev_ioctl_client_complete(client, -1, ENODEV);
	} else {
		switch (request) {
		case USBDEVFS_SUBMITURB: submit(e, client, arg); break;
		case USBDEVFS_REAPURB:
		case USBDEVFS_REAPURBNDELAY: reap(e, client, arg); break;
		case USBDEVFS_DISCARDURB: discard(e, client, arg); break;
		case USBDEVFS_CLAIMINTERFACE: claim(e, client, uint_arg(arg)); break;
		case USBDEVFS_RELEASEINTERFACE:
			e->claimed &= ~(1 << uint_arg(arg));
			umockdev_ioctl_client_complete(client, 0, 0);
			break;
		case USBDEVFS_GETDRIVER: getdriver(e, client, arg); break;
		case USBDEVFS_IOCTL: usbfs_ioctl(e, client, arg); break;
		case USBDEVFS_CLEAR_HALT: clear_halt(e, client, uint_arg(arg)); break;
		case USBDEVFS_RESET: reset(e, client); break;
		case USBDEVFS_SETINTERFACE:
		case USBDEVFS_SETCONFIGURATION: umockdev_ioctl_client_complete(client, 0, 0); break;
		default: umockdev_ioctl_client_complete(client, -1, ENOTTY); break;
		}
	}
	sim_models_unlock();
	pthread_mutex_unlock(&e->lock);
	return TRUE;
}

int usb_emu_start(struct usb_emu *e)
{
	if (!e->model[0])
		snprintf(e->model, sizeof(e->model), "MI-350");
	if (!e->serial[0])
		snprintf(e->serial, sizeof(e->serial), "MI350-000123");
	if (!e->firmware[0])
		snprintf(e->firmware, sizeof(e->firmware), "2.4.1");
	e->dfu_fail_block = -1;
	if (!e->port)
		e->port = 1;
	e->first_devnum = FIRST_DEVNUM + (int)(e->port - 1) * ENUMERATIONS;
	snprintf(e->syspath, sizeof(e->syspath), "/sys/devices/usb1/1-%u", e->port);
	pthread_mutex_init(&e->lock, NULL);
	e->tb = e->testbed ? g_object_ref(e->testbed) : umockdev_testbed_new();
	e->handler = umockdev_ioctl_base_new();
	g_object_connect(e->handler, "signal-after::handle-ioctl", on_ioctl, e, NULL);
	/* Handlers first: adding a device creates its node (notes/emulated-devices.md). */
	for (int n = e->first_devnum; n < e->first_devnum + ENUMERATIONS; n++) {
		char node[32];
		GError *err = NULL;

		snprintf(node, sizeof(node), "/dev/bus/usb/%03d/%03d", BUS, n);
		if (!umockdev_testbed_attach_ioctl(e->tb, node, e->handler, &err)) {
			g_printerr("usb_emu: %s\n", err->message);
			return -1;
		}
	}
	e->devnum = e->first_devnum;
	e->mode = USB_EMU_RUNTIME;
	pthread_mutex_lock(&e->lock);
	plug(e);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

void usb_emu_stop(struct usb_emu *e)
{
	drop_urbs(&e->in_pending);
	drop_urbs(&e->completed);
	drop_urbs(&e->discarded);
	drop_control(e);
	g_clear_object(&e->handler);
	g_clear_object(&e->tb);
	pthread_mutex_destroy(&e->lock);
}

struct sim_model *usb_emu_model(const struct usb_emu *e)
{
	return e->sim ? e->sim : sim_model_active();
}

void usb_emu_set_fault(struct usb_emu *e, enum usb_emu_fault f)
{
	pthread_mutex_lock(&e->lock);
	e->fault = f;
	pthread_mutex_unlock(&e->lock);
}

void usb_emu_unplug(struct usb_emu *e)
{
	pthread_mutex_lock(&e->lock);
	unplug(e);
	pthread_mutex_unlock(&e->lock);
}

unsigned usb_emu_requests(struct usb_emu *e, uint8_t code)
{
	unsigned n;

	pthread_mutex_lock(&e->lock);
	n = e->requests[code];
	pthread_mutex_unlock(&e->lock);
	return n;
}
