/* The injectors on USB, for `rig list-devices`. */
#include <stdio.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/devices.h"
#include "drivers/injector/protocol.h"
#include "drivers/injector/usb.h"
#include "rig/base/error.h"

/* What a runtime unit says of itself: model and firmware, or why not. */
static void identity(char *out, size_t n, unsigned vid, unsigned pid, const char *serial)
{
	struct fixture_uut cfg = { .vid = vid, .pid = pid, .timeout_ms = 1000 };
	struct uut *uut;

	snprintf(cfg.serial, sizeof(cfg.serial), "%s", serial);
	if (injector_uut_ops.open(&uut, &cfg, NULL) != 0) {
		snprintf(out, n, "(cannot identify: %s)", rig_last_error());
		return;
	}
	snprintf(out, n, "%s firmware %s", uut->id.model, uut->id.firmware);
	injector_uut_ops.close(uut);
}

int injector_list(FILE *out, unsigned vid, unsigned pid)
{
	libusb_context *ctx;
	libusb_device **list;
	ssize_t n;
	int rc, found = 0;

	vid = vid ? vid : INJ_DEFAULT_VID;
	pid = pid ? pid : INJ_DEFAULT_PID;
	if ((rc = injusb_context(&ctx)) != 0)
		return rc;
	n = libusb_get_device_list(ctx, &list);
	if (n < 0) {
		rc = injusb_error((int)n, "listing USB devices");
		libusb_exit(ctx);
		return rc;
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;
		enum injusb_mode mode = injusb_mode_of(list[i]);
		char where[40], sn[64], what[160];

		if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != vid ||
		    dd.idProduct != pid || !mode)
			continue;
		injusb_where(list[i], where, sizeof(where));
		if (injusb_serial(list[i], sn, sizeof(sn)) != 0)
			snprintf(what, sizeof(what), "(cannot open: %s)", rig_last_error());
		else if (mode == INJUSB_DFU)
			snprintf(what, sizeof(what), "DFU mode (bootloader: flash it with rig flash)");
		else
			identity(what, sizeof(what), vid, pid, sn);
		fprintf(out, "usb     %04x:%04x  %s  %-16s  %s\n", vid, pid, where, sn, what);
		found++;
	}
	if (!found)
		fprintf(out, "usb     no injector %04x:%04x present\n", vid, pid);
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return 0;
}
