/* The Comedi boards present, for `rig list-devices`: every /dev/comediN. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "drivers/comedi/comedi.h"
#include "drivers/devices.h"

/* What the analog inputs and digital lines offer, as one line. */
static void describe(comedi_t *dev, char *out, size_t n)
{
	int ai = comedi_find_subdevice_by_type(dev, COMEDI_SUBD_AI, 0);
	int dio = comedi_find_subdevice_by_type(dev, COMEDI_SUBD_DIO, 0);
	size_t len;

	if (ai < 0) {
		snprintf(out, n, "no analog inputs");
		return;
	}
	len = (size_t)snprintf(out, n, "%d AI, maxdata %u, ranges",
			       comedi_get_n_channels(dev, (unsigned)ai),
			       (unsigned)comedi_get_maxdata(dev, (unsigned)ai, 0));
	for (int r = 0; r < comedi_get_n_ranges(dev, (unsigned)ai, 0) && len < n; r++) {
		comedi_range *rg = comedi_get_range(dev, (unsigned)ai, 0, (unsigned)r);

		if (rg)
			len += (size_t)snprintf(out + len, n - len, "%s%g..%g", r ? "," : " ", rg->min,
						rg->max);
	}
	if (len < n)
		len += (size_t)snprintf(out + len, n - len, " V, %s",
					(comedi_get_subdevice_flags(dev, (unsigned)ai) & SDF_CMD_READ)
						? "streams" : "no streaming");
	if (dio >= 0 && len < n)
		snprintf(out + len, n - len, "; DIO subdevice %d, %d lines", dio,
			 comedi_get_n_channels(dev, (unsigned)dio));
}

int cdaq_list(FILE *out)
{
	int found = 0;

	for (int i = 0; i < COMEDI_NDEVICES; i++) {
		char path[32], what[200];
		comedi_t *dev;

		snprintf(path, sizeof(path), "/dev/comedi%d", i);
		if (access(path, F_OK) != 0)
			continue;
		found++;
		dev = comedi_open(path);
		if (!dev) {
			int err = comedi_errno();

			fprintf(out, "comedi  %-13s (cannot open: %s%s)\n", path, comedi_strerror(err),
				err == EACCES ? ": add the station user to the device's group" : "");
			continue;
		}
		describe(dev, what, sizeof(what));
		fprintf(out, "comedi  %-13s %s (driver %s): %s\n", path, comedi_get_board_name(dev),
			comedi_get_driver_name(dev), what);
		comedi_close(dev);
	}
	if (!found)
		fprintf(out, "comedi  no board present (no /dev/comedi* device file: is its driver "
			     "loaded?)\n");
	return 0;
}
