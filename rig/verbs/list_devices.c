#include "rig/verbs/list_devices.h"
#include "rig/verbs/verbs.h"

#include <string.h>

#include "drivers/devices.h"
#include "rig/base/error.h"

int list_devices(FILE *out, const struct fixture *fx)
{
	int injector = fx && !strcmp(fx->uut.driver, "injector");
	int rc = cdaq_list(out);

	if (!rc)
		rc = injector_list(out, injector ? fx->uut.vid : 0, injector ? fx->uut.pid : 0);
	return rc ? rc : balance_list(out, fx ? &fx->scale : NULL);
}

int list_devices_command(int argc, char **argv)
{
	static struct fixture fx;
	const char *fixture = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fixture") && i + 1 < argc) {
			fixture = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: rig list-devices [--fixture F]\n"
			     "  Comedi boards, injectors on USB, serial ports; with a fixture, its USB IDs and its "
			     "balance identified");
			return 0;
		} else {
			fprintf(stderr, "rig: list-devices: unexpected argument \"%s\" (usage: rig "
					"list-devices [--fixture F])\n",
				argv[i]);
			return 2;
		}
	}
	rc = fixture ? fixture_load(&fx, fixture) : 0;
	if (!rc)
		rc = list_devices(stdout, fixture ? &fx : NULL);
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	return 0;
}
