#ifndef RIG_FIXTURE_H
#define RIG_FIXTURE_H

/*
 * A fixture file (fixtures/NAME.lua) describes one test station: which driver
 * serves the DAQ, the unit under test and the balance; the DAQ's channel
 * map with each sensor's calibration and certificate; the environment; and
 * the expanded measurement uncertainty (k = 2) of each measured quantity,
 * which becomes the guard band of the verdicts. docs/file-formats.md has the
 * reference; fixtures/sim-bench.lua is the worked example.
 *
 * The description lives in base because every layer reads it (drivers
 * open what it names, measurement calibrates with it, reports print it);
 * loading it from its file is the station's (rig/station/fixture_load.h).
 */
#include <stddef.h>

#define FIXTURE_MAX_CHANNELS 8
#define FIXTURE_MAX_UNCERTAINTIES 16
#define FIXTURE_MAX_POLY 4

/* Where a sensor's traceability ends: its calibration certificate. */
struct fixture_certificate {
	char id[64];       /* certificate number, e.g. "DKD-K-12345-2026-07" */
	char issuer[64];   /* calibration laboratory */
	char calibrated[16]; /* YYYY-MM-DD: day of the calibration ("" not recorded) */
	char due[16];      /* YYYY-MM-DD: last day the calibration is valid */
	int line;          /* line of "due" in the fixture file, for messages */
};

/* How an analog input is referenced (comedi's AREF_*). */
enum fixture_aref {
	FIXTURE_AREF_GROUND,  /* single-ended against AI GND (RSE): the default */
	FIXTURE_AREF_COMMON,  /* single-ended against AI SENSE (NRSE) */
	FIXTURE_AREF_DIFF,    /* differential pair */
	FIXTURE_AREF_OTHER,
};

struct fixture_channel {
	char name[32];      /* role: displacement, plunger, trigger, temperature */
	char unit[16];      /* physical unit after calibration: mm, ul, V, degC */
	int number;         /* hardware channel number on the AI subdevice */
	double range_v[2];  /* electrical input range to select, volts */
	enum fixture_aref aref;
	double poly[FIXTURE_MAX_POLY]; /* code -> unit, c0 + c1*code + ... (comedi_polynomial_t) */
	int poly_order;     /* highest power used in poly */
	char sensor[64];    /* sensor make/model/serial */
	struct fixture_certificate cert;
	/* Sim bench only: the sensor's imperfections the sim synthesises. */
	double sim_noise;          /* white noise, rms, in unit */
	double sim_drift_per_s;    /* baseline drift, unit per second */
	double sim_hum, sim_hum_hz;/* mains hum: amplitude in unit, 50 or 60 Hz */
	int sim_clips;             /* the sensor saturates above sim_clip_above (0: never) */
	double sim_clip_above;
	int sim_stuck;             /* the converter reads only sim_stuck_code (0: working) */
	unsigned sim_stuck_code;
	/* Displacement only: how the station's depth stop rings (0: the unit's own). */
	double sim_ring_hz, sim_ring_overshoot_mm, sim_ring_tau_ms;
	double sim_gain;           /* the sensor's true gain against its calibration
				    * (1: as calibrated; 1.0125 reads 1.25 % high) */
	int line;           /* line of the channel's "name" in the fixture, for messages */
};

struct fixture_daq {
	char driver[16];      /* "sim" or "comedi" */
	char device[128];     /* e.g. /dev/comedi0 */
	char board[64];       /* expected board name; a different board refuses to run */
	int ai_subdevice;     /* -1: find the first analog-input subdevice */
	int dio_subdevice;    /* -1: find the first digital I/O subdevice */
	int trigger_line;     /* DIO line wired to the injector's trigger input */
	double rate_hz;       /* requested scan rate (per channel) */
	unsigned bits;        /* ADC resolution; the sim quantises to it */
	unsigned block_scans; /* scans per block handed to the engine */
	/* comedilib soft-calibration file (comedi_soft_calibrate); "" the
	 * board's default path, used when present. */
	char calibration_file[256];
	size_t nchannels;
	struct fixture_channel channels[FIXTURE_MAX_CHANNELS];
	int device_line;      /* lines of "device" and "rate_hz" in the fixture */
	int rate_line;        /* (0 when absent), for messages */
};

struct fixture_uut {
	char driver[16];     /* "sim" or "injector" */
	unsigned vid, pid;   /* USB IDs of the injector */
	char serial[64];     /* pick this unit when several are plugged in; "" any */
	unsigned timeout_ms; /* per request */
};

struct fixture_scale {
	char driver[16];     /* "sim", "mtsics" or "" (no balance) */
	char port[128];      /* serial device, e.g. /dev/ttyACM0 */
	unsigned baud;
	char model[64];
	struct fixture_certificate cert;
	double readability_mg; /* display resolution d */
	unsigned timeout_ms;   /* for a stable reading */
};

/* The DAQ's sample clock (or the reference that disciplines it): every time
 * and rate rig measures is traceable to it. */
struct fixture_timebase {
	char model[64];      /* "" : none declared */
	struct fixture_certificate cert;
};

struct fixture_environment {
	double temperature_c;   /* of the test liquid (water) */
	double pressure_kpa;    /* air pressure */
	double humidity_pct;
	double evaporation_mg_per_s; /* measured evaporation rate of the weighing vessel */
};

#define FIXTURE_MAX_BUDGET 10

/* One input of an uncertainty budget (GUM, JCGM 100; docs/msa.md). */
struct fixture_budget_item {
	char name[48];
	char dist[16];       /* normal, rectangular, triangular, u-shaped */
	char from[8];        /* "": the value stated; "msa": the station's latest
	                      * gauge study replaces value (k 1) and dof */
	double value;        /* normal: expanded uncertainty at k; else half-width */
	double k;            /* coverage factor of a normal value */
	double sensitivity;  /* c_i */
	double dof;          /* INFINITY when exactly known */
	double u, contribution; /* filled by fixture_budget_combine */
	int line;
};

struct fixture_budget {
	size_t n;            /* 0: no budget, U stated directly */
	struct fixture_budget_item item[FIXTURE_MAX_BUDGET];
	double p;            /* coverage probability (0.9545) */
	double uc, dof_eff, k, expanded; /* the combination */
};

/* Expanded uncertainty U of one measured quantity, in its unit: stated
 * (k = 2), or combined from a budget (k from Welch-Satterthwaite). */
struct fixture_uncertainty {
	char quantity[32];  /* measurement name as judged: depth_mm, volume_ul, ... */
	double u;
	/* Relative part, percent of the value (used when > 0; U = u + rel% * value). */
	double rel_pct;
	struct fixture_budget budget;
};

/*
 * Measurement-system analysis (docs/msa.md): how long a gauge study stays
 * valid, and on the sim bench the variation a study sees besides the
 * station's own repeatability.
 */
struct fixture_msa {
	double valid_days;        /* a GR&R older than this blocks certification; 0: no limit */
	double sim_part_sd_mm;    /* sim: part-to-part spread of true depth */
	double sim_operator_sd_mm; /* sim: each operator's systematic loading offset */
	double sim_load_sd_mm;    /* sim: each loading's own offset (part x operator) */
};

/*
 * A test socket of a station that tests several units at once: its own
 * unit connection and DAQ channel group; the balance stays the station's
 * and is shared, one socket at a time (docs/file-formats.md, sockets).
 */
#define FIXTURE_MAX_SOCKETS 8
struct fixture_socket {
	char name[16];
	struct fixture_uut uut;
	int trigger_line;     /* -1: the daq's */
	size_t nchannels;     /* 0: the daq's channel list */
	struct fixture_channel channels[FIXTURE_MAX_CHANNELS];
};

struct fixture {
	char path[4096];
	char name[64];
	char station[64];     /* station ID printed in reports */
	char sha256[65];      /* of the fixture file as loaded */
	struct fixture_daq daq;
	struct fixture_uut uut;
	struct fixture_scale scale;
	struct fixture_timebase timebase;
	struct fixture_environment env;
	size_t nuncertainties;
	struct fixture_uncertainty uncertainties[FIXTURE_MAX_UNCERTAINTIES];
	size_t nsockets;      /* 0: one unit at a time, as uut and daq say */
	struct fixture_socket sockets[FIXTURE_MAX_SOCKETS];
	char socket[16];      /* the socket this process tests ("": none) */
	struct fixture_msa msa;
};

/* Index of the channel with this role, or -1. */
int fixture_channel(const struct fixture *fx, const char *name);

/* U (k = 2) for quantity at value, 0 when the fixture declares none. */
double fixture_uncertainty(const struct fixture *fx, const char *quantity, double value);
/* The coverage factor of that U: the budget's k when combined from one,
 * else 2 (stated; also for a quantity the fixture does not name). */
double fixture_coverage_k(const struct fixture *fx, const char *quantity);

/*
 * Calibration interlock: 0 when every certificate is valid on date
 * (YYYY-MM-DD), else RIG_ERR_INTERLOCK naming the first expired one.
 */
int fixture_check_calibration(const struct fixture *fx, const char *date);

#endif
