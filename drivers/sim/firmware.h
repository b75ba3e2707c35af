#ifndef RIG_SIM_FIRMWARE_H
#define RIG_SIM_FIRMWARE_H

/*
 * Sim firmware images (docs/file-formats.md, "Sim firmware image"): what
 * `rig.uut:flash(path)` loads into a sim unit. A real image changes how
 * the firmware drives the mechanism; a sim image states that change as
 * numbers applied on top of the sim unit file (the hardware), so two
 * builds can differ in a controlled way: a 3 % dose under-delivery, a
 * 0.1 mm depth shift, doubled dose noise.
 */
#include "drivers/sim/unit.h"

struct sim_firmware {
	char path[4096];
	char version[32];
	char model[32];
	struct {
		double offset_mm, gain, noise_gain;   /* offset added; gains multiply */
	} depth;
	struct {
		double offset_ul, gain, noise_gain;
	} dose;
	struct {
		double gain, jitter_gain;
	} rate;
};

/* Load and check path; errors name file:line. */
int sim_firmware_load(struct sim_firmware *fw, const char *path);

/* The unit hw running fw: out = hw with fw's changes and version. */
void sim_firmware_apply(const struct sim_firmware *fw, const struct sim_unit *hw,
			struct sim_unit *out);

#endif
