#include "drivers/injector/usb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rig/base/clock.h"
#include "rig/base/error.h"

#define WAIT_STEP_MS 50

int injusb_context(libusb_context **ctx)
{
	int lrc = libusb_init(ctx);

	return lrc ? injusb_error(lrc, "libusb initialisation") : 0;
}

int injusb_error(int lrc, const char *fmt, ...)
{
	static const struct {
		int lrc, err;
		const char *hint;
	} map[] = {
		{ LIBUSB_ERROR_TIMEOUT, RIG_ERR_TIMEOUT, "" },
		{ LIBUSB_ERROR_NO_DEVICE, RIG_ERR_NODEV, " (unplugged or powered off?)" },
		{ LIBUSB_ERROR_NOT_FOUND, RIG_ERR_NODEV, "" },
		{ LIBUSB_ERROR_ACCESS, RIG_ERR_IO,
		  " (no permission: install the udev rule of docs/hardware.md)" },
		{ LIBUSB_ERROR_BUSY, RIG_ERR_IO, " (another program holds the unit)" },
		{ LIBUSB_ERROR_PIPE, RIG_ERR_DEVICE, " (the unit stalled the endpoint)" },
		{ LIBUSB_ERROR_OVERFLOW, RIG_ERR_PROTOCOL, " (the unit sent more than a frame)" },
		{ LIBUSB_ERROR_NO_MEM, RIG_ERR_NOMEM, "" },
	};
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].lrc == lrc)
			return rig_error(map[i].err, "%s: %s%s", what, libusb_strerror(lrc),
					 map[i].hint);
	return rig_error(RIG_ERR_IO, "%s: %s", what, libusb_strerror(lrc));
}

static int has_bulk_pair(const struct libusb_interface_descriptor *d)
{
	int out = 0, in = 0;

	for (int e = 0; e < d->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];

		if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		out |= ep->bEndpointAddress == INJ_EP_OUT;
		in |= ep->bEndpointAddress == INJ_EP_IN;
	}
	return out && in;
}

enum injusb_mode injusb_mode_of(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg;
	enum injusb_mode mode = INJUSB_ANY;
	int vendor = 0, dfu_runtime = 0;

	if (libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return 0;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *d;

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		d = &cfg->interface[i].altsetting[0];
		if (d->bInterfaceClass == LIBUSB_CLASS_APPLICATION && d->bInterfaceSubClass == 1) {
			dfu_runtime |= d->bInterfaceProtocol == 1;
			if (d->bInterfaceProtocol == 2)
				mode = INJUSB_DFU;
		}
		if (d->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC && has_bulk_pair(d))
			vendor = 1;
	}
	libusb_free_config_descriptor(cfg);
	if (!mode && vendor && dfu_runtime)
		mode = INJUSB_RUNTIME;
	return mode;
}

static void describe(char *out, size_t n, unsigned vid, unsigned pid, const char *serial,
		     enum injusb_mode mode)
{
	snprintf(out, n, "injector %04x:", vid);
	if (pid)
		snprintf(out + strlen(out), n - strlen(out), "%04x", pid);
	else
		snprintf(out + strlen(out), n - strlen(out), "*");
	if (serial && serial[0])
		snprintf(out + strlen(out), n - strlen(out), " with serial \"%s\"", serial);
	if (mode == INJUSB_DFU)
		snprintf(out + strlen(out), n - strlen(out), " in DFU mode");
}

void injusb_where(libusb_device *dev, char *out, size_t n)
{
	snprintf(out, n, "bus %03u device %03u", libusb_get_bus_number(dev),
		 libusb_get_device_address(dev));
}

/* Open dev and read its serial number string; a libusb error or 0. */
static int open_serial(libusb_device *dev, libusb_device_handle **h, char *sn, size_t n)
{
	struct libusb_device_descriptor dd;
	int lrc = libusb_get_device_descriptor(dev, &dd);

	sn[0] = '\0';
	if (!lrc)
		lrc = libusb_open(dev, h);
	if (!lrc && dd.iSerialNumber &&
	    libusb_get_string_descriptor_ascii(*h, dd.iSerialNumber, (unsigned char *)sn, (int)n) < 0)
		sn[0] = '\0';
	return lrc;
}

int injusb_serial(libusb_device *dev, char *sn, size_t n)
{
	libusb_device_handle *h;
	int lrc = open_serial(dev, &h, sn, n);

	if (lrc)
		return injusb_error(lrc, "USB device at bus %03u device %03u",
				    libusb_get_bus_number(dev), libusb_get_device_address(dev));
	libusb_close(h);
	return 0;
}

int injusb_open(struct injusb *u, libusb_context *ctx, unsigned vid, unsigned pid,
		const char *serial, enum injusb_mode mode)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	char wanted[160], seen[200] = "", denied[120] = "";
	int denied_lrc = 0;

	memset(u, 0, sizeof(*u));
	u->ctx = ctx;
	u->iface = -1;
	describe(wanted, sizeof(wanted), vid, pid, serial, mode);
	if (n < 0)
		return injusb_error((int)n, "listing USB devices");
	for (ssize_t i = 0; i < n && !u->h; i++) {
		struct libusb_device_descriptor dd;
		enum injusb_mode m;
		char sn[64];
		int lrc;

		if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != vid ||
		    (pid && dd.idProduct != pid))
			continue;
		m = injusb_mode_of(list[i]);
		if (!m || (mode && m != mode))
			continue;
		injusb_where(list[i], u->where, sizeof(u->where));
		lrc = open_serial(list[i], &u->h, sn, sizeof(sn));
		if (lrc) {
			denied_lrc = lrc;
			snprintf(denied, sizeof(denied), "%s", u->where);
			continue;
		}
		if (serial && serial[0] && strcmp(sn, serial) != 0) {
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s\"%s\"",
				 seen[0] ? ", " : "", sn);
			libusb_close(u->h);
			u->h = NULL;
			continue;
		}
		u->mode = m;
		snprintf(u->serial, sizeof(u->serial), "%s", sn);
	}
	libusb_free_device_list(list, 1);
	if (u->h)
		return 0;
	if (denied_lrc)
		return injusb_error(denied_lrc, "%s at %s cannot be opened", wanted, denied);
	return rig_error(RIG_ERR_NODEV, "no %s on USB (%s%s; check the cable, or uut.vid/pid/serial "
					"in the fixture)",
			 wanted, seen[0] ? "found serials " : "none plugged in", seen);
}

int injusb_wait(struct injusb *u, libusb_context *ctx, unsigned vid, const char *serial,
		enum injusb_mode mode, unsigned wait_ms)
{
	long long deadline = clock_ms() + wait_ms;
	int rc;

	while ((rc = injusb_open(u, ctx, vid, 0, serial, mode)) == RIG_ERR_NODEV &&
	       clock_ms() < deadline)
		clock_sleep_ms(WAIT_STEP_MS);
	if (rc == RIG_ERR_NODEV)
		return rig_error(RIG_ERR_NODEV, "unit \"%s\" did not re-enumerate%s within %u ms (%s)",
				 serial, mode == INJUSB_DFU ? " in DFU mode" : "", wait_ms,
				 rig_last_error());
	return rc;
}

static int LIBUSB_CALL departed(libusb_context *ctx, libusb_device *dev,
				libusb_hotplug_event event, void *arg)
{
	struct injusb *u = arg;

	(void)ctx;
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && u->h && dev == libusb_get_device(u->h))
		u->gone = 1;
	return 0;
}

int injusb_claim(struct injusb *u, int iface)
{
	struct libusb_device_descriptor dd;
	int lrc = libusb_kernel_driver_active(u->h, iface);

	if (lrc == 1) {
		lrc = libusb_detach_kernel_driver(u->h, iface);
		if (lrc)
			return injusb_error(lrc, "unit %s: detaching the kernel driver of interface %d",
					    u->serial, iface);
		u->reattach = 1;
	}
	lrc = libusb_claim_interface(u->h, iface);
	if (lrc)
		return injusb_error(lrc, "unit %s: claiming interface %d", u->serial, iface);
	u->claimed = 1;
	u->iface = iface;
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_get_device_descriptor(libusb_get_device(u->h), &dd) == 0 &&
	    libusb_hotplug_register_callback(u->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
					     dd.idVendor, dd.idProduct, LIBUSB_HOTPLUG_MATCH_ANY,
					     departed, u, &u->hotplug) == 0)
		u->has_hotplug = 1;
	return 0;
}

void injusb_close(struct injusb *u)
{
	if (u->has_hotplug)
		libusb_hotplug_deregister_callback(u->ctx, u->hotplug);
	u->has_hotplug = 0;
	if (u->h && u->claimed && !u->gone) {
		libusb_release_interface(u->h, u->iface);
		if (u->reattach)
			libusb_attach_kernel_driver(u->h, u->iface);
	}
	if (u->h)
		libusb_close(u->h);
	u->h = NULL;
	u->claimed = u->reattach = 0;
}

static int gone(struct injusb *u)
{
	u->gone = 1;
	return rig_error(RIG_ERR_NODEV,
			 "unit %s left the USB bus (unplugged or powered off; data up to "
			 "here is kept)",
			 u->serial);
}

int injusb_check_present(struct injusb *u)
{
	struct timeval zero = { 0, 0 };

	/* Deliver pending hotplug events to departed(). */
	if (u->has_hotplug && !u->gone)
		libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	return u->gone ? gone(u) : 0;
}

int injusb_bulk(struct injusb *u, uint8_t ep, uint8_t *buf, int len, int *done,
		unsigned timeout_ms, const char *what)
{
	int lrc = libusb_bulk_transfer(u->h, ep, buf, len, done, timeout_ms);

	if (lrc == LIBUSB_ERROR_PIPE) {
		lrc = libusb_clear_halt(u->h, ep);
		if (!lrc)
			lrc = libusb_bulk_transfer(u->h, ep, buf, len, done, timeout_ms);
	}
	if (lrc == LIBUSB_ERROR_NO_DEVICE)
		return gone(u);
	if (lrc == LIBUSB_ERROR_TIMEOUT)
		return rig_error(RIG_ERR_TIMEOUT, "unit %s did not %s within %u ms (firmware hung, "
						  "or the cable?)",
				 u->serial, what, timeout_ms);
	return lrc ? injusb_error(lrc, "unit %s: %s", u->serial, what) : 0;
}

int injusb_control(struct injusb *u, uint8_t request_type, uint8_t request, uint16_t value,
		   uint16_t index, uint8_t *data, uint16_t len, unsigned timeout_ms,
		   const char *what)
{
	int lrc = libusb_control_transfer(u->h, request_type, request, value, index, data, len,
					  timeout_ms);

	if (lrc == LIBUSB_ERROR_NO_DEVICE)
		return gone(u);
	return lrc < 0 ? injusb_error(lrc, "unit %s: %s", u->serial, what) : lrc;
}

int injusb_reset(struct injusb *u)
{
	int lrc = libusb_reset_device(u->h);

	if (lrc == LIBUSB_ERROR_NOT_FOUND || lrc == LIBUSB_ERROR_NO_DEVICE) {
		u->gone = 1;
		return 0;
	}
	return lrc ? injusb_error(lrc, "unit %s: USB reset", u->serial) : 0;
}
