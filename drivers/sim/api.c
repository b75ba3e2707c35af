/*
 * The sim bench backends: a DAQ that synthesises raw ADC codes from the
 * model, the unit under test, and a balance. All three share the bench's
 * sim model, so a trigger pressed on the DAQ fires the unit it armed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/backends.h"
#include "drivers/sim/firmware.h"
#include "drivers/sim/model.h"
#include "drivers/sim/random.h"
#include "drivers/sim/signal.h"
#include "rig/station/station.h"
#include "rig/base/error.h"
#include "rig/measure/gravimetric.h"

struct sim_daq {
	struct daq base;
	struct bench *bench;
	struct sim_model *m;
	struct sim_signal signal;
	uint16_t *codes;
	size_t block_scans;
	uint64_t scan;            /* scans delivered since start */
	struct timespec wall_start;
	int running;
};

static int sim_daq_open(struct daq **out, const struct fixture_daq *cfg, struct bench *bench)
{
	struct sim_daq *d;
	int rc;

	if (fixture_channel(bench->fx, "displacement") < 0)
		return rig_error(RIG_ERR_INVALID, "%s: the sim bench needs a displacement channel",
				 bench->fx->path);
	d = calloc(1, sizeof(*d));
	if (!d)
		return rig_error(RIG_ERR_NOMEM, "sim DAQ: out of memory");
	rc = bench_sim_model(bench, &d->m);
	if (rc) {
		free(d);
		return rc;
	}
	d->bench = bench;
	d->block_scans = cfg->block_scans;
	d->codes = malloc(d->block_scans * cfg->nchannels * sizeof(*d->codes));
	if (!d->codes) {
		free(d);
		return rig_error(RIG_ERR_NOMEM, "sim DAQ: out of memory");
	}
	sim_signal_init(&d->signal, cfg, &bench->fx->env, bench->opt.seed);
	d->base.nchannels = cfg->nchannels;
	for (size_t i = 0; i < cfg->nchannels; i++) {
		const struct fixture_channel *fc = &cfg->channels[i];
		struct daq_channel *ch = &d->base.channels[i];

		snprintf(ch->name, sizeof(ch->name), "%s", fc->name);
		snprintf(ch->unit, sizeof(ch->unit), "%s", fc->unit);
		memcpy(ch->poly, fc->poly, sizeof(ch->poly));
		ch->poly_order = fc->poly_order;
		ch->maxdata = (uint32_t)((1ull << cfg->bits) - 1);
		if (ch->maxdata > UINT16_MAX)
			ch->maxdata = UINT16_MAX;
		ch->range_v[0] = fc->range_v[0];
		ch->range_v[1] = fc->range_v[1];
		snprintf(ch->calibration, sizeof(ch->calibration), "%s",
			 fc->cert.id[0] ? fc->cert.id : "fixture polynomial");
	}
	d->base.ops = &sim_daq_ops;
	snprintf(d->base.board, sizeof(d->base.board), "sim-daq");
	snprintf(d->base.driver_name, sizeof(d->base.driver_name), "sim");
	*out = &d->base;
	return 0;
}

static void sim_daq_close(struct daq *daq)
{
	struct sim_daq *d = (struct sim_daq *)daq;

	if (!d)
		return;
	free(d->codes);
	free(d);
}

static int sim_daq_start(struct daq *daq, double rate_hz)
{
	struct sim_daq *d = (struct sim_daq *)daq;

	daq->rate_hz = rate_hz;
	daq->t0_s = d->m->now;
	d->scan = 0;
	sim_signal_start(&d->signal, d->m);
	clock_gettime(CLOCK_MONOTONIC, &d->wall_start);
	d->running = 1;
	return 0;
}

static void pace_to_wall_clock(struct sim_daq *d, double elapsed)
{
	struct timespec target = d->wall_start;
	long long ns = (long long)(elapsed * 1e9);

	target.tv_sec += ns / 1000000000;
	target.tv_nsec += ns % 1000000000;
	if (target.tv_nsec >= 1000000000) {
		target.tv_sec++;
		target.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL) != 0)
		;
}

static int sim_daq_read(struct daq *daq, struct daq_block *blk, unsigned timeout_ms)
{
	struct sim_daq *d = (struct sim_daq *)daq;
	struct sim_model *m = d->m;
	size_t nch = daq->nchannels, n = d->block_scans;
	double rate = daq->rate_hz, x[DAQ_MAX_CHANNELS];

	(void)timeout_ms;
	if (!d->running)
		return rig_error(RIG_ERR_INVALID, "sim DAQ: read without start");
	sim_model_advance(m, daq->t0_s + (double)(d->scan + n) / rate);
	if (m->overrun_pending) {
		m->overrun_pending = 0;
		return rig_error(RIG_ERR_OVERRUN,
				 "sim DAQ: acquisition buffer overrun after scan %llu (samples lost)",
				 (unsigned long long)d->scan);
	}
	for (size_t i = 0; i < n; i++) {
		uint16_t *scan = d->codes + i * nch;

		sim_signal_scan(&d->signal, m, daq->t0_s + (double)(d->scan + i) / rate, x);
		for (size_t c = 0; c < nch; c++) {
			const struct daq_channel *ch = &daq->channels[c];

			scan[c] = sim_signal_adc(sim_signal_code(ch->poly, ch->poly_order, x[c]),
						 ch->maxdata);
		}
	}
	blk->codes = d->codes;
	blk->nscans = n;
	blk->first_scan = d->scan;
	d->scan += n;
	m->now = daq->t0_s + (double)d->scan / rate;
	if (d->bench->opt.realtime)
		pace_to_wall_clock(d, (double)d->scan / rate);
	return 0;
}

static int sim_daq_stop(struct daq *daq)
{
	struct sim_daq *d = (struct sim_daq *)daq;

	d->running = 0;
	return sim_model_flush_truth(d->m);
}

static int sim_daq_trigger(struct daq *daq, int pressed)
{
	struct sim_daq *d = (struct sim_daq *)daq;

	sim_model_trigger(d->m, pressed);
	return 0;
}

const struct daq_ops sim_daq_ops = {
	.name = "sim",
	.open = sim_daq_open,
	.close = sim_daq_close,
	.start = sim_daq_start,
	.read = sim_daq_read,
	.stop = sim_daq_stop,
	.trigger = sim_daq_trigger,
};

/* ---- unit under test ---- */

struct sim_uut {
	struct uut base;
	struct sim_model *m;
	struct sim_unit hw;   /* the unit as its file describes it, before any flash */
};

static int sim_uut_open(struct uut **out, const struct fixture_uut *cfg, struct bench *bench)
{
	struct sim_uut *u = calloc(1, sizeof(*u));
	int rc;

	(void)cfg;
	if (!u)
		return rig_error(RIG_ERR_NOMEM, "sim unit: out of memory");
	rc = bench_sim_model(bench, &u->m);
	if (rc) {
		free(u);
		return rc;
	}
	u->base.ops = &sim_uut_ops;
	u->hw = u->m->unit;
	snprintf(u->base.id.model, sizeof(u->base.id.model), "%s", u->m->unit.model);
	snprintf(u->base.id.serial, sizeof(u->base.id.serial), "%s", u->m->unit.serial);
	snprintf(u->base.id.firmware, sizeof(u->base.id.firmware), "%s", u->m->unit.firmware);
	*out = &u->base;
	return 0;
}

static void sim_uut_close(struct uut *uut)
{
	free(uut);
}

static int sim_uut_link(struct sim_uut *u)
{
	if (u->m->disconnected)
		return rig_error(RIG_ERR_NODEV,
				 "unit %s disconnected after shot %u (check the USB cable and "
				 "power; data up to the disconnect is kept)",
				 u->base.id.serial, u->m->fired);
	return 0;
}

static int sim_uut_configure(struct uut *uut, const struct uut_settings *s)
{
	struct sim_uut *u = (struct sim_uut *)uut;
	int rc = sim_uut_link(u);

	if (rc)
		return rc;
	/* What the MI-350 accepts (shared/DESIGN.md): the unit refuses the rest. */
	if (s->depth_mm < 0.5 || s->depth_mm > 6 || s->dose_ul < 10 || s->dose_ul > 100 ||
	    s->rate_per_min < 1 || s->rate_per_min > 350)
		return rig_error(RIG_ERR_DEVICE,
				 "unit %s refused depth %g mm, dose %g ul, rate %g/min (range: 0.5-6 "
				 "mm, 10-100 ul, 1-350/min)",
				 uut->id.serial, s->depth_mm, s->dose_ul, s->rate_per_min);
	sim_model_configure(u->m, s);
	return 0;
}

static int sim_uut_arm(struct uut *uut, uint32_t shots)
{
	struct sim_uut *u = (struct sim_uut *)uut;
	int rc = sim_uut_link(u);

	if (!rc)
		sim_model_arm(u->m, shots);
	return rc;
}

static int sim_uut_disarm(struct uut *uut)
{
	struct sim_uut *u = (struct sim_uut *)uut;
	int rc = sim_uut_link(u);

	if (!rc)
		sim_model_disarm(u->m);
	return rc;
}

static int sim_uut_status(struct uut *uut, struct uut_status *st)
{
	struct sim_uut *u = (struct sim_uut *)uut;
	int rc = sim_uut_link(u);

	if (!rc)
		sim_model_status(u->m, st);
	return rc;
}

/* Like the real bootloader: refuse an image for another model, then
 * restart with it (disarmed, settings kept; the engine configures anew). */
static int sim_uut_flash(struct uut *uut, const char *path)
{
	struct sim_uut *u = (struct sim_uut *)uut;
	struct sim_firmware fw;
	int rc = sim_uut_link(u);

	if (rc || (rc = sim_firmware_load(&fw, path)) != 0)
		return rc;
	if (strcmp(fw.model, u->hw.model) != 0)
		return rig_error(RIG_ERR_INVALID, "%s: image built for %s, unit %s is an %s",
				 path, fw.model, uut->id.serial, u->hw.model);
	sim_model_disarm(u->m);
	sim_firmware_apply(&fw, &u->hw, &u->m->unit);
	snprintf(uut->id.firmware, sizeof(uut->id.firmware), "%s", fw.version);
	return 0;
}

const struct uut_ops sim_uut_ops = {
	.name = "sim",
	.open = sim_uut_open,
	.close = sim_uut_close,
	.configure = sim_uut_configure,
	.arm = sim_uut_arm,
	.disarm = sim_uut_disarm,
	.status = sim_uut_status,
	.flash = sim_uut_flash,
};

/* ---- balance ---- */

struct sim_scale {
	struct scale base;
	struct sim_model *m;
	const struct fixture_scale *cfg;
	const struct fixture_environment *env;
	struct sim_rng noise;
	double tare_volume_ul, tare_time_s;
};

static int sim_scale_open(struct scale **out, const struct fixture_scale *cfg, struct bench *bench)
{
	struct sim_scale *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return rig_error(RIG_ERR_NOMEM, "sim balance: out of memory");
	rc = bench_sim_model(bench, &s->m);
	if (rc) {
		free(s);
		return rc;
	}
	s->base.ops = &sim_scale_ops;
	s->cfg = cfg;
	s->env = &bench->fx->env;
	sim_rng_seed(&s->noise, bench->opt.seed, 3);
	snprintf(s->base.model, sizeof(s->base.model), "%s", cfg->model[0] ? cfg->model : "sim");
	snprintf(s->base.serial, sizeof(s->base.serial), "SIM-BAL-1");
	*out = &s->base;
	return 0;
}

static void sim_scale_close(struct scale *sc)
{
	free(sc);
}

static int sim_scale_tare(struct scale *sc)
{
	struct sim_scale *s = (struct sim_scale *)sc;

	s->tare_volume_ul = s->m->volume_total;
	s->tare_time_s = s->m->now;
	return 0;
}

static int sim_scale_weigh_now(struct scale *sc, struct scale_reading *r)
{
	struct sim_scale *s = (struct sim_scale *)sc;
	const struct fixture_environment *e = s->env;
	const struct sim_fault *f = sim_unit_fault(&s->m->unit, SIM_FAULT_BALANCE_UNSTABLE);
	double d_mg = s->cfg->readability_mg > 0 ? s->cfg->readability_mg : 0.01;
	double mg = (s->m->volume_total - s->tare_volume_ul) /
		    gravimetric_z(e->temperature_c, e->pressure_kpa, e->humidity_pct);

	mg -= e->evaporation_mg_per_s * (s->m->now - s->tare_time_s);
	mg += 0.5 * d_mg * sim_rng_normal(&s->noise);
	r->stable = !(f && s->m->fired >= f->at_shot);
	if (!r->stable)
		mg += 50 * d_mg * sim_rng_normal(&s->noise);
	r->grams = floor(mg / d_mg + 0.5) * d_mg / 1000.0;
	return 0;
}

static int sim_scale_weigh(struct scale *sc, unsigned timeout_ms, struct scale_reading *r)
{
	int rc = sim_scale_weigh_now(sc, r);

	if (!rc && !r->stable)
		return rig_error(RIG_ERR_TIMEOUT,
				 "balance %s: no stable reading within %u ms (draught or vibration?)",
				 sc->serial, timeout_ms);
	return rc;
}

const struct scale_ops sim_scale_ops = {
	.name = "sim",
	.open = sim_scale_open,
	.close = sim_scale_close,
	.zero = sim_scale_tare, /* the sim weighs net of what was there: zero is a tare */
	.tare = sim_scale_tare,
	.weigh = sim_scale_weigh,
	.weigh_now = sim_scale_weigh_now,
};
