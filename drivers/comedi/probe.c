/*
 * Comedi boards present on this machine: every /dev/comediN that exists,
 * with what its analog inputs offer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/comedi/comedi.h"

static void describe(comedi_t *dev, struct daq_found *f)
{
	int ai = comedi_find_subdevice_by_type(dev, COMEDI_SUBD_AI, 0);
	int dio = comedi_find_subdevice_by_type(dev, COMEDI_SUBD_DIO, 0);
	size_t len = 0;

	snprintf(f->board, sizeof(f->board), "%s", comedi_get_board_name(dev));
	snprintf(f->driver_name, sizeof(f->driver_name), "%s", comedi_get_driver_name(dev));
	if (ai < 0) {
		snprintf(f->detail, sizeof(f->detail), "no analog inputs");
		return;
	}
	len = (size_t)snprintf(f->detail, sizeof(f->detail), "%d AI, maxdata %u, ranges",
			       comedi_get_n_channels(dev, (unsigned)ai),
			       (unsigned)comedi_get_maxdata(dev, (unsigned)ai, 0));
	for (int r = 0; r < comedi_get_n_ranges(dev, (unsigned)ai, 0) && len < sizeof(f->detail); r++) {
		comedi_range *rg = comedi_get_range(dev, (unsigned)ai, 0, (unsigned)r);

		if (rg)
			len += (size_t)snprintf(f->detail + len, sizeof(f->detail) - len, "%s%g..%g",
						r ? "," : " ", rg->min, rg->max);
	}
	if (len < sizeof(f->detail))
		len += (size_t)snprintf(f->detail + len, sizeof(f->detail) - len, " V%s",
					(comedi_get_subdevice_flags(dev, (unsigned)ai) & SDF_CMD_READ)
						? ", streams" : ", no streaming");
	if (dio >= 0 && len < sizeof(f->detail))
		snprintf(f->detail + len, sizeof(f->detail) - len, "; DIO subdevice %d, %d lines", dio,
			 comedi_get_n_channels(dev, (unsigned)dio));
}

int cdaq_probe(void (*found)(void *ctx, const struct daq_found *dev), void *ctx)
{
	for (int i = 0; i < COMEDI_NDEVICES; i++) {
		struct daq_found f = { 0 };
		comedi_t *dev;

		snprintf(f.device, sizeof(f.device), "/dev/comedi%d", i);
		if (access(f.device, F_OK) != 0)
			continue;
		dev = comedi_open(f.device);
		if (dev) {
			describe(dev, &f);
			comedi_close(dev);
		} else {
			snprintf(f.detail, sizeof(f.detail), "cannot open: %s%s",
				 comedi_strerror(comedi_errno()),
				 comedi_errno() == EACCES ? " (add the user to the device's group)"
							  : "");
		}
		found(ctx, &f);
	}
	return 0;
}
