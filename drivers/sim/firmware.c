#include "drivers/sim/firmware.h"

#include <stdio.h>
#include <string.h>

#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"

/* What tells a sim image from any other Lua file. */
#define SIM_IMAGE_KIND "rig sim firmware"

static int read_image(struct df_table *root, struct sim_firmware *fw)
{
	static const char *const keys[] = { "image", "version", "model", "depth", "dose", "rate",
					     NULL };
	const struct sim_number_field depth[] = {
		{ "offset_mm", -2, 2, &fw->depth.offset_mm },
		{ "gain", 0.5, 2, &fw->depth.gain },
		{ "noise_gain", 0, 10, &fw->depth.noise_gain },
	};
	const struct sim_number_field dose[] = {
		{ "offset_ul", -50, 50, &fw->dose.offset_ul },
		{ "gain", 0.5, 2, &fw->dose.gain },
		{ "noise_gain", 0, 10, &fw->dose.noise_gain },
	};
	const struct sim_number_field rate[] = {
		{ "gain", 0.5, 2, &fw->rate.gain },
		{ "jitter_gain", 0, 10, &fw->rate.jitter_gain },
	};
	char kind[32] = "";
	int rc;

	if ((rc = df_check_keys(root, keys)) < 0 ||
	    (rc = df_string(root, "image", kind, sizeof(kind))) < 0)
		return rc;
	if (strcmp(kind, SIM_IMAGE_KIND) != 0)
		return df_fail(root, "image", "must be \"%s\": not a sim firmware image",
			       SIM_IMAGE_KIND);
	if ((rc = df_string(root, "version", fw->version, sizeof(fw->version))) < 0)
		return rc;
	if (rc == 0 || !fw->version[0])
		return df_fail(root, "version", "a firmware image needs its version");
	if ((rc = df_string(root, "model", fw->model, sizeof(fw->model))) < 0 ||
	    (rc = sim_read_numbers(root, "depth", depth, 3)) < 0 ||
	    (rc = sim_read_numbers(root, "dose", dose, 3)) < 0)
		return rc;
	return sim_read_numbers(root, "rate", rate, 2);
}

int sim_firmware_load(struct sim_firmware *fw, const char *path)
{
	struct datafile df;
	struct df_table root;
	int rc;

	memset(fw, 0, sizeof(*fw));
	if (path_format(fw->path, sizeof(fw->path), "%s", path) != 0)
		return RIG_ERR_INVALID;
	snprintf(fw->model, sizeof(fw->model), "MI-350");
	fw->depth.gain = fw->depth.noise_gain = 1;
	fw->dose.gain = fw->dose.noise_gain = 1;
	fw->rate.gain = fw->rate.jitter_gain = 1;
	rc = datafile_load(&df, path, &root);
	if (rc == 0)
		rc = read_image(&root, fw);
	datafile_release(&df);
	return rc < 0 ? rc : 0;
}

void sim_firmware_apply(const struct sim_firmware *fw, const struct sim_unit *hw,
			struct sim_unit *out)
{
	*out = *hw;
	snprintf(out->firmware, sizeof(out->firmware), "%s", fw->version);
	out->depth.offset_mm += fw->depth.offset_mm;
	out->depth.gain *= fw->depth.gain;
	out->depth.noise_mm *= fw->depth.noise_gain;
	out->dose.offset_ul += fw->dose.offset_ul;
	out->dose.gain *= fw->dose.gain;
	out->dose.noise_pct *= fw->dose.noise_gain;
	out->rate.gain *= fw->rate.gain;
	out->rate.jitter_ms *= fw->rate.jitter_gain;
}
