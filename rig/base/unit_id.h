#ifndef RIG_BASE_UNIT_ID_H
#define RIG_BASE_UNIT_ID_H

/*
 * Who the unit under test is and what it was set to: filled by the unit's
 * driver (drivers/uut.h), kept in the run record (rig/base/record.h) and
 * printed by every report, so they live in base where all three can read
 * them.
 */

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

#endif
