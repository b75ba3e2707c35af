#ifndef RIG_DRIVERS_UUT_H
#define RIG_DRIVERS_UUT_H

/*
 * The unit-under-test contract: the injector as its control interface
 * sees it (USB on a real bench, the model on the sim bench). Firing is
 * done by holding the trigger line (struct daq_ops.trigger): the unit
 * fires the armed number of shots at its set rate while the line is held.
 *
 * Every call returns 0 or a negative RIG_ERR_* code with rig_error() set.
 */
#include <stdint.h>

#include "rig/station/fixture.h"

struct bench;

struct uut_identity {
	char model[32];
	char serial[32];
	char firmware[32];
};

struct uut_settings {
	double depth_mm;      /* depth stop */
	double dose_ul;       /* volume per shot */
	double rate_per_min;  /* shot rate in continuous mode */
};

/* Fault flags the unit reports. */
enum uut_fault {
	UUT_FAULT_STUCK_NEEDLE = 1u << 0, /* needle did not retract */
	UUT_FAULT_EMPTY = 1u << 1,        /* cartridge empty */
	UUT_FAULT_OVERTEMP = 1u << 2,
	UUT_FAULT_DEPTH_STOP = 1u << 3,   /* depth stop not at its setting */
};

struct uut_status {
	uint32_t shots_fired; /* the unit's own counter since power-up */
	uint32_t armed_left;  /* shots still to fire in the armed burst */
	int firing;           /* trigger held and shots still to come */
	uint32_t faults;      /* enum uut_fault bits */
};

struct uut {
	const struct uut_ops *ops;
	struct uut_identity id;  /* filled by open */
};

struct uut_ops {
	const char *name;   /* fixture uut.driver value that selects this backend */

	/* Find and open the unit the fixture names; fill (*out)->id. */
	int (*open)(struct uut **out, const struct fixture_uut *cfg, struct bench *bench);

	/* Release the unit. NULL is fine. */
	void (*close)(struct uut *uut);

	/* Apply depth, dose and rate; the unit must accept all three or none. */
	int (*configure)(struct uut *uut, const struct uut_settings *s);

	/* Fire this many shots on the next trigger press (0: continuous until
	 * released). */
	int (*arm)(struct uut *uut, uint32_t shots);

	/* Cancel an armed or running burst. */
	int (*disarm)(struct uut *uut);

	int (*status)(struct uut *uut, struct uut_status *st);

	/* Reboot into the DFU bootloader (for flashing). May be NULL. */
	int (*enter_bootloader)(struct uut *uut);

	/* Load the firmware image at path (in the backend's image format),
	 * restart the unit with it and refresh uut->id, so id.firmware is the
	 * version running now. The unit must be configured again afterwards.
	 * RIG_ERR_INVALID for an image the unit refuses. May be NULL. */
	int (*flash)(struct uut *uut, const char *path);
};

#endif
