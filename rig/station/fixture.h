#ifndef RIG_FIXTURE_H
#define RIG_FIXTURE_H

/*
 * A fixture file (fixtures/NAME.lua) describes one test station: which driver
 * serves the DAQ, the unit under test and the balance; the DAQ's channel
 * map with each sensor's calibration and certificate; the environment; and
 * the expanded measurement uncertainty (k = 2) of each measured quantity,
 * which becomes the guard band of the verdicts. docs/file-formats.md has the
 * reference; fixtures/sim-bench.lua is the worked example.
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

/* Expanded uncertainty U (k = 2) of one measured quantity, in its unit. */
struct fixture_uncertainty {
	char quantity[32];  /* measurement name as judged: depth_mm, volume_ul, ... */
	double u;
	/* Relative part, percent of the value (used when > 0; U = u + rel% * value). */
	double rel_pct;
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
};

int fixture_load(struct fixture *fx, const char *path);

/* Make socket `name` the fixture's unit and channels: a run of one socket
 * sees a one-socket station. RIG_ERR_INVALID naming the sockets there are. */
int fixture_select_socket(struct fixture *fx, const char *name);

/* Index of the channel with this role, or -1. */
int fixture_channel(const struct fixture *fx, const char *name);

/* U (k = 2) for quantity at value, 0 when the fixture declares none. */
double fixture_uncertainty(const struct fixture *fx, const char *quantity, double value);

/*
 * Calibration interlock: 0 when every certificate is valid on date
 * (YYYY-MM-DD), else RIG_ERR_INTERLOCK naming the first expired one.
 */
int fixture_check_calibration(const struct fixture *fx, const char *date);

#endif
