#include "rig/measure/shots.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/error.h"

#define DEFAULT_THRESHOLD_MM 0.15
#define DEFAULT_RELEASE_MM 0.08
#define DEFAULT_MIN_GAP_MS 3.0
#define BASELINE_TAU_S 0.010   /* baseline follows sensor drift, not shots */
#define PLUNGER_TAU_S 0.005    /* settled level: averages noise, short vs. a gap */
#define PRE_WINDOW_S 0.010     /* history kept before a threshold crossing */
#define RISE_WINDOW_S 0.060    /* the rise must fall within this after it */
#define PARTIAL_FRACTION 0.75  /* of the expected depth */
#define SLOW_RISE_MS 10.0      /* 10-90 % rise of a healthy stroke is ~2 ms */

enum state { IDLE, IN_SHOT };

struct measure {
	struct measure_config cfg;
	shot_fn fn;
	void *ctx;
	double *lut_disp, *lut_plunger;  /* code -> unit, maxdata + 1 entries */
	uint64_t scan;                   /* scans seen so far */
	double baseline, alpha_base;
	double plunger, alpha_plunger;
	int primed;                      /* first scan seen: filters initialised */
	enum state state;
	double threshold, release;
	uint64_t gap_scans;

	double *hist;                    /* last hist_len extensions, ring */
	size_t hist_len;

	/* The shot in progress. */
	double *rise;                    /* extension from PRE_WINDOW before the crossing */
	size_t rise_len, rise_cap;
	uint64_t rise_first;             /* scan index of rise[0] */
	double shot_baseline, peak, v_before;
	uint64_t below_since;
	int below;

	/* A finished shot waits for the plunger to settle after it. */
	int pending;
	struct shot pend;
	double pend_v_before;
	uint32_t count;
};

double calibration_apply(const struct calibration *c, double code)
{
	double y = 0;

	for (int k = c->order; k >= 0; k--)
		y = y * code + c->poly[k];
	return y;
}

static double *make_lut(const struct calibration *c, uint32_t maxdata)
{
	double *lut = malloc(((size_t)maxdata + 1) * sizeof(*lut));

	if (lut)
		for (uint32_t i = 0; i <= maxdata; i++)
			lut[i] = calibration_apply(c, i);
	return lut;
}

int measure_new(struct measure **out, const struct measure_config *cfg, shot_fn fn, void *ctx)
{
	struct measure *m;
	double rate = cfg->rate_hz;

	if (rate <= 0 || cfg->displacement < 0 || (size_t)cfg->displacement >= cfg->nchannels ||
	    (cfg->plunger >= 0 && (size_t)cfg->plunger >= cfg->nchannels) || cfg->maxdata == 0 ||
	    cfg->maxdata > UINT16_MAX)
		return rig_error(RIG_ERR_INVALID, "measure: bad configuration");
	m = calloc(1, sizeof(*m));
	if (!m)
		return rig_error(RIG_ERR_NOMEM, "measure: out of memory");
	m->cfg = *cfg;
	m->fn = fn;
	m->ctx = ctx;
	m->threshold = cfg->threshold_mm > 0 ? cfg->threshold_mm : DEFAULT_THRESHOLD_MM;
	m->release = cfg->release_mm > 0 ? cfg->release_mm : DEFAULT_RELEASE_MM;
	m->gap_scans = (uint64_t)ceil((cfg->min_gap_ms > 0 ? cfg->min_gap_ms : DEFAULT_MIN_GAP_MS) /
				      1000.0 * rate);
	if (m->gap_scans < 1)
		m->gap_scans = 1;
	m->alpha_base = 1 - exp(-1 / (BASELINE_TAU_S * rate));
	m->alpha_plunger = 1 - exp(-1 / fmax(PLUNGER_TAU_S * rate, 8));
	m->hist_len = (size_t)ceil(PRE_WINDOW_S * rate) + 2;
	m->rise_cap = m->hist_len + (size_t)ceil(RISE_WINDOW_S * rate);
	m->hist = calloc(m->hist_len, sizeof(*m->hist));
	m->rise = malloc(m->rise_cap * sizeof(*m->rise));
	m->lut_disp = make_lut(&cfg->displacement_cal, cfg->maxdata);
	m->lut_plunger = cfg->plunger >= 0 ? make_lut(&cfg->plunger_cal, cfg->maxdata) : NULL;
	if (!m->hist || !m->rise || !m->lut_disp || (cfg->plunger >= 0 && !m->lut_plunger)) {
		measure_free(m);
		return rig_error(RIG_ERR_NOMEM, "measure: out of memory");
	}
	*out = m;
	return 0;
}

void measure_free(struct measure *m)
{
	if (!m)
		return;
	free(m->hist);
	free(m->rise);
	free(m->lut_disp);
	free(m->lut_plunger);
	free(m);
}

static void emit_pending(struct measure *m, double v_after)
{
	if (!m->pending)
		return;
	m->pend.volume_ul = m->cfg.plunger >= 0 ? v_after - m->pend_v_before : NAN;
	m->fn(m->ctx, &m->pend);
	m->pending = 0;
}

/* First index in rise[] where the extension reaches level, interpolated
 * to a fractional scan; -1 if it never does before the peak. */
static double crossing(const struct measure *m, double level, size_t peak_at)
{
	for (size_t i = 1; i <= peak_at && i < m->rise_len; i++) {
		double a = m->rise[i - 1], b = m->rise[i];

		if (a < level && b >= level)
			return (double)(i - 1) + (level - a) / (b - a);
	}
	return -1;
}

static void finish_shot(struct measure *m, unsigned flags)
{
	struct shot *s = &m->pend;
	double rate = m->cfg.rate_hz;
	size_t peak_at = 0;
	double on, r10, r90;

	for (size_t i = 0; i < m->rise_len; i++)
		if (m->rise[i] > m->rise[peak_at])
			peak_at = i;
	memset(s, 0, sizeof(*s));
	s->index = ++m->count;
	s->baseline_mm = m->shot_baseline;
	s->depth_mm = m->peak;
	on = crossing(m, 0.5 * m->peak, peak_at);
	r10 = crossing(m, 0.1 * m->peak, peak_at);
	r90 = crossing(m, 0.9 * m->peak, peak_at);
	s->t_s = ((double)m->rise_first + (on >= 0 ? on : 0)) / rate;
	s->rise_ms = (r10 >= 0 && r90 >= 0) ? (r90 - r10) / rate * 1000.0 : NAN;
	s->flags = flags;
	if (m->cfg.expected_depth_mm > 0 && s->depth_mm < PARTIAL_FRACTION * m->cfg.expected_depth_mm)
		s->flags |= SHOT_PARTIAL;
	if (s->rise_ms > SLOW_RISE_MS)
		s->flags |= SHOT_SLOW;
	m->pend_v_before = m->v_before;
	m->pending = 1;
	m->state = IDLE;
}

static void start_shot(struct measure *m, double x)
{
	size_t n = m->hist_len;

	emit_pending(m, m->plunger);
	m->state = IN_SHOT;
	m->shot_baseline = m->baseline;
	m->v_before = m->plunger;
	m->peak = x - m->baseline;
	m->below = 0;
	/* The history ring holds the extensions before this scan, oldest at scan % n. */
	m->rise_len = 0;
	m->rise_first = m->scan >= n ? m->scan - n : 0;
	for (uint64_t k = m->rise_first; k < m->scan; k++)
		m->rise[m->rise_len++] = m->hist[k % n] - m->baseline;
}

static void step(struct measure *m, double x, double v)
{
	double ext = x - (m->state == IN_SHOT ? m->shot_baseline : m->baseline);

	if (!m->primed) {
		m->baseline = x;
		m->plunger = v;
		m->primed = 1;
		ext = 0;
	}
	m->plunger += m->alpha_plunger * (v - m->plunger);
	if (m->state == IDLE) {
		if (ext > m->threshold)
			start_shot(m, x);
		else
			m->baseline += m->alpha_base * (x - m->baseline);
	}
	if (m->state == IN_SHOT) {
		if (m->rise_len < m->rise_cap)
			m->rise[m->rise_len++] = ext;
		if (ext > m->peak)
			m->peak = ext;
		if (ext >= m->release) {
			m->below = 0;
		} else if (!m->below) {
			m->below = 1;
			m->below_since = m->scan;
		} else if (m->scan - m->below_since >= m->gap_scans) {
			finish_shot(m, 0);
		}
	}
	m->hist[m->scan % m->hist_len] = x;
	m->scan++;
}

int measure_feed(struct measure *m, const uint16_t *codes, size_t nscans)
{
	size_t nch = m->cfg.nchannels;
	int d = m->cfg.displacement, p = m->cfg.plunger;
	uint32_t maxdata = m->cfg.maxdata;

	for (size_t i = 0; i < nscans; i++, codes += nch) {
		uint16_t cd = codes[d], cp = p >= 0 ? codes[p] : 0;

		if (cd > maxdata || cp > maxdata)
			return rig_error(RIG_ERR_PROTOCOL,
					 "measure: code %u above the converter's maximum %u at scan %llu",
					 cd > maxdata ? cd : cp, maxdata,
					 (unsigned long long)(m->scan));
		step(m, m->lut_disp[cd], p >= 0 ? m->lut_plunger[cp] : 0);
	}
	return 0;
}

double measure_live_peak(const struct measure *m)
{
	if (m->state == IN_SHOT)
		return m->peak;
	return m->pending ? m->pend.depth_mm : 0;
}

int measure_finish(struct measure *m)
{
	if (m->state == IN_SHOT)
		finish_shot(m, SHOT_UNFINISHED);
	emit_pending(m, m->plunger);
	return 0;
}
