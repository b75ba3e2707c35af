/* Serial ports a balance may sit on, for `rig list-devices`. */
#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/devices.h"
#include "rig/base/error.h"

#define BY_ID "/dev/serial/by-id"

/* The stable /dev/serial/by-id name udev gave port, or "". */
static void by_id(const char *port, char *out, size_t n)
{
	DIR *d = opendir(BY_ID);
	struct dirent *de;

	out[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char link[PATH_MAX + 16], target[PATH_MAX];

		snprintf(link, sizeof(link), "%s/%s", BY_ID, de->d_name);
		if (de->d_name[0] != '.' && realpath(link, target) && !strcmp(target, port)) {
			snprintf(out, n, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
}

/* Identify the fixture's balance on its port: serial and model, or why not. */
static void probe_balance(FILE *out, const struct fixture_scale *cfg)
{
	struct scale *sc;

	if (mtsics_scale_ops.open(&sc, cfg, NULL) != 0) {
		fprintf(out, "balance %-14s  (cannot identify: %s)\n", cfg->port, rig_last_error());
		return;
	}
	fprintf(out, "balance %-14s  MT-SICS serial %s, %s\n", cfg->port, sc->serial, sc->model);
	mtsics_scale_ops.close(sc);
}

int balance_list(FILE *out, const struct fixture_scale *probe)
{
	static const char *const patterns[] = { "/dev/ttyACM*", "/dev/ttyUSB*" };
	int found = 0;

	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		glob_t g;

		if (glob(patterns[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char id[256];

			by_id(g.gl_pathv[i], id, sizeof(id));
			fprintf(out, "serial  %-14s  %s\n", g.gl_pathv[i], id);
			found++;
		}
		globfree(&g);
	}
	if (!found)
		fprintf(out, "serial  no USB serial port present\n");
	if (probe && !strcmp(probe->driver, "mtsics"))
		probe_balance(out, probe);
	return 0;
}
