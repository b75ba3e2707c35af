#include "drivers/sim/model.h"

#include <math.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"

/* Dose push: a fixed part plus a part proportional to the volume, capped so
 * a shot always ends well before the next one at the highest rate. */
#define PUSH_BASE_S 0.010
#define PUSH_PER_UL_S 0.00025
#define PUSH_MAX_PERIOD_FRACTION 0.35
/* A double shot follows its twin this far into the period. */
#define DOUBLE_SHOT_FRACTION 0.45
#define SLOW_STROKE_FACTOR 8.0
/* The needle bounces off the rear stop: half-sine hops, decaying. */
#define BOUNCE_HOP_S 0.002
#define BOUNCE_TAU_S 0.0015
#define BOUNCE_END_S 0.008

int sim_model_init(struct sim_model *m, const struct sim_unit *u, uint64_t seed,
		   const char *truth_path)
{
	memset(m, 0, sizeof(*m));
	m->unit = *u;
	sim_rng_seed(&m->unit_rng, seed, 1);
	m->set.depth_mm = 4;
	m->set.dose_ul = 50;
	m->set.rate_per_min = 120;
	if (truth_path) {
		if (path_format(m->truth_path, sizeof(m->truth_path), "%s", truth_path) != 0)
			return RIG_ERR_INVALID;
		if (file_create(truth_path, &m->truth))
			return RIG_ERR_IO;
		fputs("step,shot,t_s,depth_mm,volume_ul,interval_ms\n", m->truth);
	}
	return 0;
}

void sim_model_release(struct sim_model *m)
{
	if (m->truth) {
		sim_model_flush_truth(m);
		file_close_synced(m->truth, m->truth_path);
		m->truth = NULL;
	}
}

void sim_model_configure(struct sim_model *m, const struct uut_settings *s)
{
	m->set = *s;
}

void sim_model_arm(struct sim_model *m, uint32_t shots)
{
	m->armed = shots;
}

void sim_model_disarm(struct sim_model *m)
{
	m->armed = 0;
	m->left = 0;
}

void sim_model_trigger(struct sim_model *m, int pressed)
{
	if (pressed && !m->pressed && !m->disconnected && !(m->faults & UUT_FAULT_STUCK_NEEDLE)) {
		m->left = m->armed ? m->armed : UINT32_MAX;
		m->next_cmd = m->now + m->unit.latency_ms / 1000.0;
		m->burst_index = 0;
	}
	if (!pressed)
		m->left = 0;
	m->pressed = pressed;
}

void sim_model_status(const struct sim_model *m, struct uut_status *st)
{
	const struct sim_shot *last = m->count ? &m->ring[(m->head + m->count - 1) % SIM_SHOT_RING]
					       : NULL;
	int stroking = last && !last->stuck &&
		       m->now < last->t_cmd + last->rise_s + last->dwell_s + last->retract_s;

	memset(st, 0, sizeof(*st));
	st->shots_fired = m->fired;
	st->armed_left = m->left == UINT32_MAX ? 0 : m->left;
	st->firing = (m->pressed && m->left > 0) || stroking;
	st->faults = m->faults;
}

void sim_model_set_step(struct sim_model *m, const char *step)
{
	if (strcmp(m->step, step) != 0) {
		sim_model_flush_truth(m);
		m->step_shots = 0;
	}
	snprintf(m->step, sizeof(m->step), "%s", step);
}

static void write_truth_row(struct sim_model *m, const struct sim_shot *s, double next_onset)
{
	if (!m->truth)
		return;
	file_csv_text(m->truth, m->step);
	fprintf(m->truth, ",%u,%.6f,%.6f,%.6f,", ++m->step_shots, s->onset_s, s->peak_mm,
		s->volume_ul);
	if (next_onset > 0)
		fprintf(m->truth, "%.4f", (next_onset - s->onset_s) * 1000.0);
	fputc('\n', m->truth);
}

int sim_model_flush_truth(struct sim_model *m)
{
	if (m->row_pending) {
		write_truth_row(m, &m->pending, -1);
		m->row_pending = 0;
	}
	if (m->truth && fflush(m->truth) != 0)
		return rig_error_errno(RIG_ERR_IO, "%s: write failed", m->truth_path);
	return 0;
}

static double clamp_positive(double x, double floor)
{
	return x < floor ? floor : x;
}

static double period_s(const struct sim_model *m)
{
	return 60.0 / (m->set.rate_per_min * m->unit.rate.gain);
}

/* Peak of the damped ring A e^{-s/tau} sin(w s): at tan(w s) = w tau. */
static double ring_peak(double a, double w, double tau)
{
	double s = atan(w * tau) / w;

	return a * exp(-s / tau) * sin(w * s);
}

static double extension_of(const struct sim_shot *s, const struct sim_unit *u, double t);

/* The shot that shapes the signal at t: the latest one started by then. */
static const struct sim_shot *shot_at(const struct sim_model *m, double t)
{
	for (unsigned i = m->count; i-- > 0;) {
		const struct sim_shot *c = &m->ring[(m->head + i) % SIM_SHOT_RING];

		if (c->t_cmd <= t)
			return c;
	}
	return NULL;
}

static void add_shot(struct sim_model *m, double t_cmd, int stuck)
{
	const struct sim_unit *u = &m->unit;
	struct sim_rng *r = &m->unit_rng;
	const struct sim_shot *last = shot_at(m, t_cmd);
	struct sim_shot s = { .t_cmd = t_cmd, .stuck = stuck };
	double w = 2 * M_PI * u->stroke.ring_hz, tau = u->stroke.ring_tau_ms / 1000.0;
	double push = PUSH_BASE_S + PUSH_PER_UL_S * m->set.dose_ul, half;

	s.x0_mm = last ? extension_of(last, u, t_cmd) : 0;
	s.stop_mm = m->set.depth_mm * u->depth.gain + u->depth.offset_mm +
		    u->depth.drift_mm_per_shot * m->burst_index + u->depth.noise_mm * sim_rng_normal(r);
	if (u->stroke.partial_prob > 0 && sim_rng_uniform(r) < u->stroke.partial_prob)
		s.stop_mm *= 0.5;
	s.stop_mm = clamp_positive(s.stop_mm, 0.05);
	s.peak_mm = s.stop_mm + ring_peak(u->stroke.overshoot_mm, w, tau);
	s.rise_s = u->stroke.rise_ms / 1000.0;
	if (u->stroke.slow_prob > 0 && sim_rng_uniform(r) < u->stroke.slow_prob)
		s.rise_s *= SLOW_STROKE_FACTOR;
	s.dwell_s = fmin(push, PUSH_MAX_PERIOD_FRACTION * period_s(m));
	s.retract_s = u->stroke.retract_ms / 1000.0;
	/* The raised-cosine rise from x0 passes half the peak here. */
	half = (0.5 * s.peak_mm - s.x0_mm) / (s.stop_mm - s.x0_mm);
	s.onset_s = t_cmd + (half > 0 ? s.rise_s * acos(1 - 2 * half) / M_PI : 0);
	s.volume_ul = clamp_positive(m->set.dose_ul * u->dose.gain + u->dose.offset_ul +
					     m->set.dose_ul * u->dose.noise_pct / 100.0 *
						     sim_rng_normal(r),
				     0);
	s.v_before = m->volume_total;
	m->volume_total += s.volume_ul;

	if (m->row_pending)
		write_truth_row(m, &m->pending, s.onset_s);
	m->pending = s;
	m->row_pending = 1;

	if (m->count == SIM_SHOT_RING) { /* only the newest shots shape the signal */
		m->head = (m->head + 1) % SIM_SHOT_RING;
		m->count--;
	}
	m->ring[(m->head + m->count++) % SIM_SHOT_RING] = s;
}

/* The unit commands one shot: faults, misses and doubles happen here. */
static void command_shot(struct sim_model *m)
{
	const struct sim_unit *u = &m->unit;
	const struct sim_fault *f;
	double t = m->next_cmd;
	int stuck;

	m->fired++;
	f = sim_unit_fault(u, SIM_FAULT_USB_DISCONNECT);
	if (f && m->fired >= f->at_shot) {
		m->disconnected = 1; /* bus-powered: the unit stops with its link */
		m->left = 0;
		return;
	}
	f = sim_unit_fault(u, SIM_FAULT_DAQ_OVERRUN);
	if (f && m->fired == f->at_shot)
		m->overrun_pending = 1;
	f = sim_unit_fault(u, SIM_FAULT_STUCK_NEEDLE);
	stuck = f && m->fired == f->at_shot;

	if (!(u->missed_shot_prob > 0 && sim_rng_uniform(&m->unit_rng) < u->missed_shot_prob))
		add_shot(m, t, stuck);
	if (stuck) {
		m->faults |= UUT_FAULT_STUCK_NEEDLE;
		m->left = 0;
		return;
	}
	if (u->double_shot_prob > 0 && sim_rng_uniform(&m->unit_rng) < u->double_shot_prob)
		add_shot(m, t + DOUBLE_SHOT_FRACTION * period_s(m), 0);

	m->burst_index++;
	if (m->left != UINT32_MAX)
		m->left--;
	m->next_cmd = t + period_s(m) + u->rate.jitter_ms / 1000.0 * sim_rng_normal(&m->unit_rng);
}

void sim_model_advance(struct sim_model *m, double t_end)
{
	/* Drop shots that can no longer be the latest one started. */
	while (m->count > 1 && m->ring[(m->head + 1) % SIM_SHOT_RING].t_cmd <= m->now) {
		m->head = (m->head + 1) % SIM_SHOT_RING;
		m->count--;
	}
	while (m->pressed && m->left > 0 && !m->disconnected && m->next_cmd < t_end)
		command_shot(m);
}

static double smoothstep(double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	return x * x * (3 - 2 * x);
}

static double extension_of(const struct sim_shot *s, const struct sim_unit *u, double t)
{
	double w = 2 * M_PI * u->stroke.ring_hz, tau = u->stroke.ring_tau_ms / 1000.0;
	double a = u->stroke.overshoot_mm;
	double x = t - s->t_cmd;

	if (x < 0)
		return 0;
	if (x < s->rise_s)
		return s->x0_mm + (s->stop_mm - s->x0_mm) * (1 - cos(M_PI * x / s->rise_s)) / 2;
	x -= s->rise_s;
	if (x < s->dwell_s || s->stuck)
		return s->stop_mm + a * exp(-x / tau) * sin(w * x);
	x -= s->dwell_s;
	if (x < s->retract_s) {
		double end = s->stop_mm + a * exp(-s->dwell_s / tau) * sin(w * s->dwell_s);

		return end * (1 + cos(M_PI * x / s->retract_s)) / 2;
	}
	x -= s->retract_s;
	if (x < BOUNCE_END_S)
		return u->stroke.bounce_mm * exp(-x / BOUNCE_TAU_S) * fabs(sin(M_PI * x / BOUNCE_HOP_S));
	return 0;
}

void sim_model_sample(const struct sim_model *m, double t, double *extension_mm, double *volume_ul)
{
	const struct sim_shot *s = shot_at(m, t);

	if (!s) {
		*extension_mm = 0;
		*volume_ul = m->count ? m->ring[m->head].v_before : m->volume_total;
		return;
	}
	*extension_mm = extension_of(s, &m->unit, t);
	*volume_ul = s->v_before +
		     s->volume_ul * smoothstep((t - s->t_cmd - s->rise_s) / (0.8 * s->dwell_s));
}
