#include "drivers/sim/unit.h"
#include "drivers/backends.h"

#include <stdio.h>
#include <string.h>

#include "rig/base/datafile.h"
#include "rig/base/error.h"
#include "rig/base/paths.h"

static const char *const fault_names[] = {
	[SIM_FAULT_USB_DISCONNECT] = "usb_disconnect",
	[SIM_FAULT_DAQ_OVERRUN] = "daq_overrun",
	[SIM_FAULT_STUCK_NEEDLE] = "stuck_needle",
	[SIM_FAULT_BALANCE_UNSTABLE] = "balance_unstable",
};

void sim_unit_defaults(struct sim_unit *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->model, sizeof(u->model), "MI-350");
	snprintf(u->serial, sizeof(u->serial), "SIM-0001");
	snprintf(u->firmware, sizeof(u->firmware), "2.4.1");
	u->depth.gain = 1.0;
	u->depth.noise_mm = 0.03;
	u->depth.min_mm = 0.5;   /* the MI-350's settings */
	u->depth.max_mm = 6;
	u->dose.gain = 1.0;
	u->dose.noise_pct = 1.5;
	u->dose.min_ul = 10;
	u->dose.max_ul = 100;
	u->rate.gain = 1.0;
	u->rate.jitter_ms = 1.5;
	u->rate.min_per_min = 1;
	u->rate.max_per_min = 350;
	u->stroke.rise_ms = 3.0;
	u->stroke.overshoot_mm = 0.02;
	u->stroke.ring_hz = 600;
	u->stroke.ring_tau_ms = 1.0;
	u->stroke.retract_ms = 4.0;
	u->stroke.bounce_mm = 0.04;
	u->latency_ms = 5.0;
}

int sim_read_numbers(struct df_table *root, const char *name, const struct sim_number_field *f,
		     size_t n)
{
	const char *keys[16];
	struct df_table t;
	int rc = df_table(root, name, &t);

	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		keys[i] = f[i].key;
	keys[n] = NULL;
	rc = df_check_keys(&t, keys);
	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = df_number_in(&t, f[i].key, f[i].lo, f[i].hi, f[i].out);
	df_close(&t);
	return rc < 0 ? rc : 0;
}

static int read_fault(struct df_table *list, size_t i, struct sim_fault *f)
{
	static const char *const keys[] = { "kind", "at_shot", NULL };
	struct df_table t;
	char kind[32] = "";
	double at = 1;
	int rc = df_item_table(list, i, &t);

	if (rc < 0)
		return rc;
	if ((rc = df_check_keys(&t, keys)) < 0 ||
	    (rc = df_string(&t, "kind", kind, sizeof(kind))) < 0 ||
	    (rc = df_number_in(&t, "at_shot", 1, 1e9, &at)) < 0)
		goto out;
	rc = -1;
	for (size_t k = 0; k < sizeof(fault_names) / sizeof(fault_names[0]); k++)
		if (!strcmp(kind, fault_names[k])) {
			f->kind = (enum sim_fault_kind)k;
			f->at_shot = (unsigned)at;
			rc = 0;
		}
	if (rc)
		rc = df_fail(&t, "kind", "\"%s\" is not a fault (usb_disconnect, daq_overrun, "
			     "stuck_needle, balance_unstable)", kind);
out:
	df_close(&t);
	return rc;
}

static int read_faults(struct df_table *root, struct sim_unit *u)
{
	struct df_table list;
	int rc = df_table(root, "faults", &list);

	if (rc <= 0)
		return rc;
	u->nfaults = df_len(&list);
	if (u->nfaults > SIM_MAX_FAULTS)
		rc = df_fail(root, "faults", "at most %d faults", SIM_MAX_FAULTS);
	for (size_t i = 0; rc >= 0 && i < u->nfaults; i++)
		rc = read_fault(&list, i + 1, &u->faults[i]);
	df_close(&list);
	return rc < 0 ? rc : 0;
}

static int read_unit(struct df_table *root, struct sim_unit *u)
{
	static const char *const keys[] = { "model", "serial", "firmware", "depth", "dose", "rate",
					    "stroke", "missed_shot_prob", "double_shot_prob",
					    "latency_ms", "faults", NULL };
	const struct sim_number_field depth[] = {
		{ "offset_mm", -5, 5, &u->depth.offset_mm },
		{ "gain", 0.1, 10, &u->depth.gain },
		{ "noise_mm", 0, 5, &u->depth.noise_mm },
		{ "drift_mm_per_shot", -1, 1, &u->depth.drift_mm_per_shot },
		{ "min_mm", 0.1, 20, &u->depth.min_mm },
		{ "max_mm", 0.1, 20, &u->depth.max_mm },
	};
	const struct sim_number_field dose[] = {
		{ "gain", 0.1, 10, &u->dose.gain },
		{ "offset_ul", -100, 100, &u->dose.offset_ul },
		{ "noise_pct", 0, 100, &u->dose.noise_pct },
		{ "min_ul", 0.5, 1000, &u->dose.min_ul },
		{ "max_ul", 0.5, 1000, &u->dose.max_ul },
	};
	const struct sim_number_field rate[] = {
		{ "gain", 0.1, 10, &u->rate.gain },
		{ "jitter_ms", 0, 100, &u->rate.jitter_ms },
		{ "min_per_min", 1, 1000, &u->rate.min_per_min },
		{ "max_per_min", 1, 1000, &u->rate.max_per_min },
	};
	const struct sim_number_field stroke[] = {
		{ "rise_ms", 0.2, 50, &u->stroke.rise_ms },
		{ "overshoot_mm", 0, 2, &u->stroke.overshoot_mm },
		{ "ring_hz", 10, 5000, &u->stroke.ring_hz },
		{ "ring_tau_ms", 0.05, 50, &u->stroke.ring_tau_ms },
		{ "retract_ms", 0.2, 500, &u->stroke.retract_ms },
		{ "bounce_mm", 0, 1, &u->stroke.bounce_mm },
		{ "partial_prob", 0, 1, &u->stroke.partial_prob },
		{ "slow_prob", 0, 1, &u->stroke.slow_prob },
	};
	int rc;

	if ((rc = df_check_keys(root, keys)) < 0 ||
	    (rc = df_string(root, "model", u->model, sizeof(u->model))) < 0 ||
	    (rc = df_string(root, "serial", u->serial, sizeof(u->serial))) < 0 ||
	    (rc = df_string(root, "firmware", u->firmware, sizeof(u->firmware))) < 0 ||
	    (rc = sim_read_numbers(root, "depth", depth, 6)) < 0 ||
	    (rc = sim_read_numbers(root, "dose", dose, 5)) < 0 ||
	    (rc = sim_read_numbers(root, "rate", rate, 4)) < 0 ||
	    (rc = sim_read_numbers(root, "stroke", stroke, 8)) < 0 ||
	    (rc = df_number_in(root, "missed_shot_prob", 0, 1, &u->missed_shot_prob)) < 0 ||
	    (rc = df_number_in(root, "double_shot_prob", 0, 1, &u->double_shot_prob)) < 0 ||
	    (rc = df_number_in(root, "latency_ms", 0, 1000, &u->latency_ms)) < 0)
		return rc;
	if (u->depth.min_mm > u->depth.max_mm)
		return df_fail(root, "depth", "min_mm %g is above max_mm %g", u->depth.min_mm,
			       u->depth.max_mm);
	if (u->dose.min_ul > u->dose.max_ul)
		return df_fail(root, "dose", "min_ul %g is above max_ul %g", u->dose.min_ul,
			       u->dose.max_ul);
	if (u->rate.min_per_min > u->rate.max_per_min)
		return df_fail(root, "rate", "min_per_min %g is above max_per_min %g",
			       u->rate.min_per_min, u->rate.max_per_min);
	return read_faults(root, u);
}

int sim_unit_load(struct sim_unit *u, const char *path)
{
	struct datafile df;
	struct df_table root;
	int rc;

	if ((rc = path_format(u->path, sizeof(u->path), "%s", path)) != 0)
		return rc;
	rc = datafile_load(&df, path, &root);
	if (rc == 0)
		rc = read_unit(&root, u);
	datafile_release(&df);
	return rc < 0 ? rc : 0;
}

const struct sim_fault *sim_unit_fault(const struct sim_unit *u, enum sim_fault_kind kind)
{
	for (size_t i = 0; i < u->nfaults; i++)
		if (u->faults[i].kind == kind)
			return &u->faults[i];
	return NULL;
}

int sim_unit_check(const char *path)
{
	struct sim_unit unit;

	sim_unit_defaults(&unit);
	return sim_unit_load(&unit, path);
}
