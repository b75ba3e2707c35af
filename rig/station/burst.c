#include "rig/station/burst.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/interrupt.h"
#include "rig/base/rcap.h"

#define PRE_TRIGGER_S 0.05   /* baseline before the first shot */
#define TAIL_S 0.15          /* after the unit is done: the plunger settles */
#define SAFETY_TAIL_S 0.05   /* after a safety stop: see the needle retract */
#define READ_TIMEOUT_MS 2000
#define SLACK_S 2.0          /* beyond the burst's nominal duration */
#define STATUS_POLL_S 0.1    /* unit status is asked this often */

struct collector {
	struct burst_result *res;
	double t0;
	int nomem;
};

static void collect(void *ctx, const struct shot *s)
{
	struct collector *c = ctx;
	struct burst_result *r = c->res;

	if (r->nshots == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct shot *p = realloc(r->shots, ncap * sizeof(*p));

		if (!p) {
			c->nomem = 1;
			return;
		}
		r->shots = p;
		r->cap = ncap;
	}
	r->shots[r->nshots] = *s;
	r->shots[r->nshots++].t_s += c->t0;
}

static int measure_for(const struct daq *daq, const struct burst_request *rq, struct measure **m,
		       struct collector *c)
{
	struct measure_config cfg = { 0 };
	int plunger = -1, disp = -1;

	for (size_t i = 0; i < daq->nchannels; i++) {
		if (!strcmp(daq->channels[i].name, "displacement"))
			disp = (int)i;
		if (!strcmp(daq->channels[i].name, "plunger"))
			plunger = (int)i;
	}
	if (disp < 0)
		return rig_error(RIG_ERR_INVALID, "the fixture has no displacement channel");
	cfg.rate_hz = daq->rate_hz;
	cfg.nchannels = daq->nchannels;
	cfg.displacement = disp;
	cfg.plunger = plunger;
	cfg.maxdata = daq->channels[disp].maxdata;
	memcpy(cfg.displacement_cal.poly, daq->channels[disp].poly, sizeof(cfg.displacement_cal.poly));
	cfg.displacement_cal.order = daq->channels[disp].poly_order;
	if (plunger >= 0) {
		memcpy(cfg.plunger_cal.poly, daq->channels[plunger].poly, sizeof(cfg.plunger_cal.poly));
		cfg.plunger_cal.order = daq->channels[plunger].poly_order;
		if (daq->channels[plunger].maxdata > cfg.maxdata)
			cfg.maxdata = daq->channels[plunger].maxdata;
	}
	cfg.expected_depth_mm = rq->set.depth_mm;
	return measure_new(m, &cfg, collect, c);
}

/* The capture's header, its channels in ch (DAQ_MAX_CHANNELS of them). */
static void header_for(const struct daq *daq, struct rcap_header *h, struct rcap_channel *ch)
{
	memset(h, 0, sizeof(*h));
	h->rate_hz = daq->rate_hz;
	h->t0_s = daq->t0_s;
	h->nchannels = daq->nchannels;
	h->channels = ch;
	for (size_t i = 0; i < daq->nchannels; i++) {
		struct rcap_channel *c = &h->channels[i];

		snprintf(c->name, sizeof(c->name), "%s", daq->channels[i].name);
		snprintf(c->unit, sizeof(c->unit), "%s", daq->channels[i].unit);
		memcpy(c->cal.poly, daq->channels[i].poly, sizeof(c->cal.poly));
		c->cal.order = daq->channels[i].poly_order;
		c->maxdata = daq->channels[i].maxdata;
		snprintf(c->calibration, sizeof(c->calibration), "%s", daq->channels[i].calibration);
	}
}

/* A unit that reports a fault has stopped being a unit under test. */
static int unit_fault(const struct uut *uut, uint32_t faults, size_t measured)
{
	static const struct {
		uint32_t bit;
		const char *what;
	} names[] = {
		{ UUT_FAULT_STUCK_NEEDLE, "needle stuck out" },
		{ UUT_FAULT_EMPTY, "cartridge empty" },
		{ UUT_FAULT_OVERTEMP, "over temperature" },
		{ UUT_FAULT_DEPTH_STOP, "depth stop not at its setting" },
	};
	char list[160] = "";
	size_t o = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (faults & names[i].bit)
			o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0, "%s%s",
					      o ? ", " : "", names[i].what);
	return rig_error(RIG_ERR_DEVICE, "unit %s reports a fault after %zu shots: %s (0x%x)",
			 uut->id.serial, measured, o ? list : "unknown", faults);
}

/* The acquisition loop, between start and stop. */
static int capture(struct station *station, const struct burst_request *rq, struct burst_result *res,
		   struct rcap_writer *w, struct measure *m)
{
	struct daq *daq = station->daq;
	struct uut *uut = station->uut;
	double rate = daq->rate_hz;
	double period = 60.0 / rq->set.rate_per_min;
	uint64_t pre = (uint64_t)ceil(PRE_TRIGGER_S * rate);
	uint64_t limit = (uint64_t)((PRE_TRIGGER_S + rq->shots * period * 1.25 + SLACK_S) * rate);
	uint64_t done_at = 0, tail = (uint64_t)ceil(TAIL_S * rate);
	/* Ask the unit how it is doing every STATUS_POLL_S of capture, not every
	 * block: on USB each question is a round trip. */
	uint64_t poll_every = (uint64_t)ceil(STATUS_POLL_S * rate), next_poll = 0;
	int pressed = 0, done = 0, rc;

	for (;;) {
		struct daq_block blk;
		struct uut_status st;

		if (interrupt_requested())
			return rig_error(RIG_ERR_ABORTED, "interrupted during a burst");
		if ((rc = daq->ops->read(daq, &blk, READ_TIMEOUT_MS)) != 0 ||
		    (rc = rcap_write(w, blk.codes, blk.nscans)) != 0 ||
		    (rc = measure_feed(m, blk.codes, blk.nscans)) != 0)
			return rc;
		res->scans += blk.nscans;
		if (rq->progress)
			rq->progress(rq->ctx, res->nshots, rq->shots);
		if (!pressed && res->scans >= pre) {
			if ((rc = daq->ops->trigger(daq, 1)) != 0)
				return rc;
			pressed = 1;
			continue;
		}
		if (!done && !isnan(rq->safe_depth_mm) && measure_live_peak(m) > rq->safe_depth_mm) {
			res->safety_stop = 1;
			res->unsafe_shot = res->nshots + 1;
			daq->ops->trigger(daq, 0);
			uut->ops->disarm(uut);
			done = 1;
			done_at = res->scans;
			tail = (uint64_t)ceil(SAFETY_TAIL_S * rate);
		}
		if (pressed && !done && res->scans >= next_poll) {
			next_poll = res->scans + poll_every;
			if ((rc = uut->ops->status(uut, &st)) != 0)
				return rc;
			if (st.faults)
				return unit_fault(uut, st.faults, res->nshots);
			if (!st.firing && st.armed_left == 0) {
				done = 1;
				done_at = res->scans;
			}
		}
		if (done && res->scans - done_at >= tail)
			return 0;
		if (res->scans > limit)
			return rig_error(RIG_ERR_TIMEOUT,
					 "burst did not end: %zu of %u shots measured after %.1f s "
					 "(is the unit firing at its set rate?)",
					 res->nshots, rq->shots, (double)res->scans / rate);
	}
}

int burst_run(struct station *station, const struct burst_request *rq, struct burst_result *res)
{
	struct collector c = { .res = res };
	struct daq *daq = station->daq;
	struct uut *uut = station->uut;
	struct uut_status before, after;
	struct rcap_writer w = { 0 };
	struct rcap_header h;
	struct rcap_channel chans[DAQ_MAX_CHANNELS];
	struct measure *m = NULL;
	int rc, started = 0;

	memset(res, 0, sizeof(*res));
	if (rq->shots == 0 || rq->shots > BURST_MAX_SHOTS)
		return rig_error(RIG_ERR_INVALID, "a burst fires 1 to %u shots, not %u",
				 BURST_MAX_SHOTS, rq->shots);
	if ((rc = uut->ops->status(uut, &before)) != 0 || (rc = uut->ops->arm(uut, rq->shots)) != 0)
		return rc;
	if ((rc = daq->ops->start(daq, station->fx->daq.rate_hz)) != 0)
		return rc;
	started = 1;
	res->rate_hz = daq->rate_hz;
	c.t0 = daq->t0_s;
	header_for(daq, &h, chans);
	if ((rc = rcap_create(&w, rq->capture_path, &h)) != 0 ||
	    (rc = measure_for(daq, rq, &m, &c)) != 0)
		goto out;
	rc = capture(station, rq, res, &w, m);
	if (!rc && c.nomem)
		rc = rig_error(RIG_ERR_NOMEM, "out of memory collecting shots");
out:
	/* Release the trigger whatever happened: the unit must stop firing. */
	daq->ops->trigger(daq, 0);
	if (started) {
		int stop_rc = daq->ops->stop(daq);

		if (!rc)
			rc = stop_rc;
	}
	if (m) {
		measure_finish(m);
		measure_quality(m, &res->quality);
		measure_free(m);
	}
	if (w.f) {
		if (rc) {
			/* The data up to the fault is kept (the error says so):
			 * close and hash it as it stands, so the journal vouches
			 * for what stays on disk and rig verify can check it. The
			 * fault's message is the one reported, not the close's. */
			char why[1024];

			snprintf(why, sizeof(why), "%s", rig_last_error());
			if (rcap_close(&w) != 0 ||
			    file_sha256_hex(rq->capture_path, res->capture_sha256) != 0)
				res->capture_sha256[0] = '\0';
			rig_error(rc, "%s", why);
		} else if ((rc = rcap_close(&w)) == 0) {
			rc = file_sha256_hex(rq->capture_path, res->capture_sha256);
		}
	}
	if (!rc && (rc = uut->ops->status(uut, &after)) == 0)
		res->unit_counted = after.shots_fired - before.shots_fired;
	return rc;
}

void burst_result_release(struct burst_result *res)
{
	free(res->shots);
	memset(res, 0, sizeof(*res));
}

void burst_shot_row(struct shot_row *row, const struct shot *sh)
{
	row->t_s = sh->t_s;
	row->depth_mm = sh->depth_mm;
	row->volume_ul = sh->volume_ul;
	row->u_depth_mm = sh->u_depth_mm;
	row->u_volume_ul = sh->u_volume_ul;
	row->flags = sh->flags;
	row->baseline_mm = sh->baseline_mm;
	row->onset_scan = sh->onset_scan;
	row->peak_scan = sh->peak_scan;
	row->end_scan = sh->end_scan;
	row->baseline_from = (double)sh->baseline_from;
	row->baseline_to = (double)sh->baseline_to;
	row->level_before_ul = sh->level_before_ul;
	row->level_after_ul = sh->level_after_ul;
	/* Without a plunger its levels have no windows. */
	row->before_from = isfinite(sh->level_before_ul) ? (double)sh->before_from : NAN;
	row->before_to = isfinite(sh->level_before_ul) ? (double)sh->before_to : NAN;
	row->after_from = isfinite(sh->level_after_ul) ? (double)sh->after_from : NAN;
	row->after_to = isfinite(sh->level_after_ul) ? (double)sh->after_to : NAN;
}
