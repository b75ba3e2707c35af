#include "rig/measure/shots.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rig/base/error.h"
#include "rig/measure/fit.h"
#include "rig/measure/reduce.h"

#define CHUNK_S 0.010          /* unit of drift tracking, a power of two scans */
#define MIN_CHUNK 4
#define MAX_RATE_HZ 1e8        /* scans/s: far beyond any DAQ this serves */
#define MIN_RATE_HZ 100.0      /* scans/s: below, a stroke of a few ms is a sample or two */
#define MIN_PART 32            /* scans: an eventful chunk is looked at in parts */
#define MAX_CHUNK 4096
#define TRACK_S 0.010          /* drift tracking: mean of the idle chunks over this */
#define MIN_LEVEL 32           /* plunger level: at least this many samples */
#define PRE_S 0.002            /* kept before the threshold crossing: the rise's foot */
#define RISE_S 0.030           /* the rise to 90 % must fall within this after it */
#define ONSET_BAND 0.15        /* of depth: samples around 50 % that refine the onset */
#define REFIRE_FRACTION 0.5    /* of depth: fallen below, then back above: a new stroke */
#define PARTIAL_FRACTION 0.75  /* of the expected depth */
#define SLOW_RISE_MS 10.0      /* 10-90 % rise of a healthy stroke is ~2 ms */
#define NOISE_HIST 9           /* noise: median of the estimates of this many idle chunks */
#define NOISE_FIRST 8          /* the first idle chunks all estimate it, */
#define NOISE_EVERY 256        /* then one chunk in this many (a selection costs ~10 vector passes) */
#define HUM_F2 12.0            /* hum is removed when fitting it cuts the residual by this many noise variances */
#define MAX_DETECT 64          /* samples the detector averages at most */
#define PREFETCH_AHEAD 8192     /* bytes: run_span asks for the stream this far ahead, */
#define PAGE_AHEAD 65536        /* and for one line of it this far */
#define MAX_HUM 32768
#define SMALL_DIFF 256         /* noise: differences below this are counted, not selected */          /* hum window, scans at most (the ring holds it) */

enum state { IDLE, IN_SHOT };

/* Power sums of one idle chunk. */
struct window_entry {
	double n, sum[FIXTURE_MAX_POLY];
};

struct measure {
	struct measure_config cfg;
	shot_fn fn;
	void *ctx;
	struct scan_layout layout;
	struct scan_layout plunger_layout; /* the plunger's lanes, for its levels' sums */
	double *lut;                 /* displacement code -> mm */
	int dir;                     /* +1: extension raises the code, -1: lowers it */
	double rate;
	size_t chunk, sub, pre, fit_half, rise_cap, guard, base_len, level_len, hum_len;
	uint64_t gap_scans;
	uint64_t scan;               /* scans processed (whole chunks, and the tail at finish) */

	/* Scans of a chunk not yet complete, carried to the next feed. */
	uint16_t *stage;
	size_t staged;
	/* Displacement and plunger codes of the last ring_len scans processed,
	 * so a shot can look back across block boundaries. */
	uint16_t *ring_d, *ring_p;
	size_t ring_len;
	const uint16_t *span;        /* the scans being processed, from span_first */
	uint64_t span_first;

	/* Drift tracking: idle chunks since the last shot, newest nwin of them. */
	struct window_entry *win;
	size_t nwin, win_head, win_count;
	int primed;
	double base;                 /* displacement with the needle retracted, mm */
	uint32_t start_s;            /* signal codes from here on start a shot (from base,
					when a chunk needs it) */
	uint64_t quiet_from;         /* first scan after the last shot */

	enum state state;
	uint64_t shot_first;         /* scan of rise[0] */
	uint64_t crossing;           /* scan that crossed the threshold */
	double shot_base, v_before;
	uint16_t *rise;              /* displacement codes from shot_first */
	size_t rise_len;
	double *rise_y, *fit_y;      /* scratch: extensions */
	double *hum_y;               /* scratch: fit_hum's samples, less the level */
	size_t hum_stride, hum_cap;  /* fit_hum takes every hum_stride-th scan, hum_cap at most */
	uint32_t rel_s;              /* below: retracted */
	uint32_t top_s;              /* highest sample so far: safety, re-fire; not depth */
	/* The peak is where the mean over an aligned run of sub scans is
	 * highest: one noisy sample cannot move it. */
	uint64_t sub_sum, sub_n;     /* the run in progress */
	uint64_t best_sum, best_n;   /* the run with the highest mean so far (n 0: none) */
	uint64_t peak_k;             /* middle of that run */
	uint64_t top_k;              /* scan of the highest detector sample */
	double half;                 /* REFIRE_FRACTION of the highest sample, mm */
	uint32_t half_s;             /* the signal code of half, once per chunk */
	int fallen;                  /* below half since the highest sample */
	uint32_t valley_s;
	uint64_t valley_k;
	int fit_due;
	double depth, peak_at, u_fit; /* fit around peak_k */
	/* On a noisy sensor (the detector averages) the stop rang faster than
	 * the samples, and the noise left its crest unresolved: flag ambiguous. */
	int crest_unresolved;
	int below;
	uint64_t below_since;

	/* Signal quality: noise from the idle chunks (MAD of differences),
	 * the detector's mean width and levels set from it. */
	double sig_hist[NOISE_HIST], psig_hist[NOISE_HIST];
	size_t nhist, hist_at;
	double hist_saved[2];
	double sigma, psigma;        /* mm, ul */
	uint64_t chunk_no;
	uint32_t *mad_buf;
	size_t w;                    /* detector: mean of the last w samples */
	double thr, rel;             /* effective start and release levels above the baseline */
	uint64_t clipped, clip_at_start, crest_clipped;
	int varied;
	/* Baseline model of the shot: shot_base + a cos(wk) + b sin(wk). */
	double hum_w, hum_a, hum_b, hum_max, hum_hz, base_n;
	double u2_depth, u2_volume;  /* sums of squares over the shots */
	unsigned nu_depth, nu_volume;
	double v_before_n, pend_level_n; /* samples in the shots' "before" plunger levels */
	uint64_t v_before_to, base_from, base_to; /* their windows' ends, the baseline's window */

	/* A finished shot waits for the plunger to settle after it. */
	int pending;
	struct shot pend;
	double pend_v_before;
	uint32_t count;
};

/* "Signal" codes rise with extension whatever way the sensor is wired. */
static uint32_t sig(const struct measure *m, uint32_t code)
{
	return m->dir > 0 ? code : m->cfg.maxdata - code;
}

static double sig_value(const struct measure *m, uint32_t s)
{
	return m->lut[sig(m, s)];
}

/* The strict one from a guess a code or two off: the baseline creeps,
 * and a short walk mispredicts no branches. */
static uint32_t sig_walk(const struct measure *m, double v, uint32_t s)
{
	while (s > 0 && sig_value(m, s - 1) > v)
		s--;
	while (s <= m->cfg.maxdata && sig_value(m, s) <= v)
		s++;
	return s;
}

/*
 * Smallest signal code whose value reaches v (maxdata + 1 if none), from
 * a guess: steps that double away from it bracket the code, halving finds
 * it. The table is monotonic, so any guess gives the same code; a good
 * one reads a line or two of the table instead of sixteen across it.
 */
static uint32_t sig_search(const struct measure *m, double v, uint32_t guess)
{
	uint32_t top = m->cfg.maxdata + 1, lo, hi, step = 1;

	if (guess > top)
		guess = top;
	if (guess == top || sig_value(m, guess) >= v) {
		hi = guess;  /* reaches v; the code is at or below it */
		while (hi >= step && sig_value(m, hi - step) >= v) {
			hi -= step;
			step *= 2;
		}
		lo = hi >= step ? hi - step + 1 : 0;
	} else {
		lo = guess + 1;  /* short of v; the code is above it */
		while (lo + step - 1 < top && sig_value(m, lo + step - 1) < v) {
			lo += step;
			step *= 2;
		}
		hi = lo + step - 1 < top ? lo + step - 1 : top;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (sig_value(m, mid) >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static size_t pow2_at_least(double x)
{
	size_t p = 1;

	while ((double)p < x)
		p *= 2;
	return p;
}

static size_t scans(double seconds, double rate, size_t at_least)
{
	size_t n = (size_t)ceil(seconds * rate);

	return n < at_least ? at_least : n;
}

static size_t max3(size_t a, size_t b, size_t c)
{
	size_t m = a > b ? a : b;

	return m > c ? m : c;
}

static int configure(struct measure *m, const struct measure_config *cfg)
{
	double rate = cfg->rate_hz;
	size_t back;

	if (!(rate >= MIN_RATE_HZ && rate <= MAX_RATE_HZ))
		return rig_error(RIG_ERR_INVALID,
				 "measure: scan rate %g Hz out of range (%g to %g: the windows are sized "
				 "by it)",
				 rate, MIN_RATE_HZ, MAX_RATE_HZ);
	if (cfg->nchannels == 0 || cfg->displacement < 0 ||
	    (size_t)cfg->displacement >= cfg->nchannels ||
	    (cfg->plunger >= 0 && (size_t)cfg->plunger >= cfg->nchannels) || cfg->maxdata == 0 ||
	    cfg->maxdata > UINT16_MAX || cfg->displacement_cal.order < 0 ||
	    cfg->displacement_cal.order >= FIXTURE_MAX_POLY || cfg->plunger_cal.order < 0 ||
	    cfg->plunger_cal.order >= FIXTURE_MAX_POLY)
		return rig_error(RIG_ERR_INVALID, "measure: bad configuration");
	m->cfg = *cfg;
	m->rate = rate;
	if (m->cfg.threshold_mm <= 0)
		m->cfg.threshold_mm = MEASURE_THRESHOLD_MM;
	if (m->cfg.release_mm <= 0)
		m->cfg.release_mm = MEASURE_RELEASE_MM;
	if (m->cfg.min_gap_ms <= 0)
		m->cfg.min_gap_ms = MEASURE_MIN_GAP_MS;
	scan_layout_init(&m->layout, cfg->nchannels, cfg->displacement,
			 cfg->displacement_cal.order > 1 ? cfg->displacement_cal.order : 1);
	scan_layout_init(&m->plunger_layout, cfg->nchannels,
			 cfg->plunger >= 0 ? cfg->plunger : cfg->displacement, 1);
	m->chunk = pow2_at_least(CHUNK_S * rate);
	m->chunk = m->chunk < MIN_CHUNK ? MIN_CHUNK : m->chunk > MAX_CHUNK ? MAX_CHUNK : m->chunk;
	m->nwin = scans(TRACK_S * rate / (double)m->chunk, 1, 1);
	m->pre = scans(PRE_S, rate, 2);
	m->guard = scans(MEASURE_GUARD_S, rate, 1);
	m->base_len = scans(MEASURE_BASELINE_S, rate, 1);
	m->hum_len = scans(MEASURE_HUM_S, rate, 1);
	if (m->hum_len > MAX_HUM)
		m->hum_len = MAX_HUM;
	m->level_len = scans(MEASURE_LEVEL_S, rate, MIN_LEVEL);
	/* fit_hum's window reaches back hum_len scans, or base_len where that is longer. */
	m->hum_stride = rate > 5000 ? (size_t)(rate / 2500) : 1;
	m->hum_cap = ((m->hum_len > m->base_len ? m->hum_len : m->base_len) + m->hum_stride - 1) /
		     m->hum_stride;
	m->fit_half = (size_t)lround(MEASURE_CREST_S * rate);
	/* Room for the ring fit's samples after the crest (fit_ring). */
	if (m->fit_half < 8)
		m->fit_half = 8;
	if (m->fit_half > 256)
		m->fit_half = 256;
	m->sub = pow2_at_least(MEASURE_PEAK_FIT_S * rate + 1) / 2;
	if (m->sub > m->chunk)
		m->sub = m->chunk;
	m->pre += (size_t)fmin(MEASURE_DETECT_S * rate, MAX_DETECT);  /* the detector lags */
	m->guard += (size_t)fmin(MEASURE_DETECT_S * rate, MAX_DETECT);
	m->thr = m->cfg.threshold_mm;
	m->rel = m->cfg.release_mm;
	m->w = 1;
	m->rise_cap = m->pre + scans(RISE_S, rate, 1);
	m->gap_scans = scans(m->cfg.min_gap_ms / 1000.0, rate, 1);
	/* The peak fit runs by the end of the shot at the latest: the gap
	 * must leave the samples after the peak it needs. */
	if (m->gap_scans < m->fit_half)
		m->gap_scans = m->fit_half;
	/* The furthest any look back reaches from inside the current chunk. */
	back = max3(m->guard + (m->hum_len > m->base_len ? m->hum_len : m->base_len), m->level_len,
		    m->pre) + 2 * m->fit_half;
	m->ring_len = pow2_at_least((double)(back + 2 * m->chunk + 2));
	return 0;
}

int measure_new(struct measure **out, const struct measure_config *cfg, shot_fn fn, void *ctx)
{
	struct measure *m = calloc(1, sizeof(*m));
	uint32_t lo, hi;
	int rc;

	if (!m)
		return rig_error(RIG_ERR_NOMEM, "measure: out of memory");
	if ((rc = configure(m, cfg)) != 0) {
		free(m);
		return rc;
	}
	m->fn = fn;
	m->ctx = ctx;
	m->lut = calibration_table(&cfg->displacement_cal, cfg->maxdata);
	m->stage = malloc(m->chunk * cfg->nchannels * sizeof(*m->stage));
	m->ring_d = calloc(m->ring_len, sizeof(*m->ring_d));
	m->ring_p = calloc(m->ring_len, sizeof(*m->ring_p));
	m->win = calloc(m->nwin, sizeof(*m->win));
	m->rise = malloc(m->rise_cap * sizeof(*m->rise));
	m->rise_y = malloc(m->rise_cap * sizeof(*m->rise_y));
	m->fit_y = malloc((2 * m->fit_half + 1) * sizeof(*m->fit_y));
	m->hum_y = malloc(m->hum_cap * sizeof(*m->hum_y));
	m->mad_buf = malloc(m->chunk * sizeof(*m->mad_buf));
	if (!m->lut || !m->stage || !m->ring_d || !m->ring_p || !m->win || !m->rise ||
	    !m->rise_y || !m->fit_y || !m->hum_y || !m->mad_buf) {
		measure_free(m);
		return rig_error(RIG_ERR_NOMEM, "measure: out of memory");
	}
	lo = cfg->code_hi > cfg->code_lo && cfg->code_hi <= cfg->maxdata ? cfg->code_lo : 0;
	hi = cfg->code_hi > cfg->code_lo && cfg->code_hi <= cfg->maxdata ? cfg->code_hi : cfg->maxdata;
	m->dir = calibration_direction(m->lut, lo, hi);
	if (m->dir == 0) {
		measure_free(m);
		return rig_error(RIG_ERR_INVALID,
				 "measure: the displacement calibration is not monotonic over codes "
				 "%u..%u (check the polynomial's coefficients)",
				 lo, hi);
	}
	/* Codes the stream does not hold: continue the table straight, so
	 * searches over it stay ordered. */
	for (uint32_t c = lo; c-- > 0;)
		m->lut[c] = m->lut[c + 1] - (m->lut[lo + 1] - m->lut[lo]);
	for (uint32_t c = hi + 1; c <= cfg->maxdata; c++)
		m->lut[c] = m->lut[c - 1] + (m->lut[hi] - m->lut[hi - 1]);
	*out = m;
	return 0;
}

void measure_free(struct measure *m)
{
	if (!m)
		return;
	free(m->lut);
	free(m->stage);
	free(m->ring_d);
	free(m->ring_p);
	free(m->win);
	free(m->rise);
	free(m->rise_y);
	free(m->fit_y);
	free(m->hum_y);
	free(m->mad_buf);
	free(m);
}

/* Code of channel ch (displacement or plunger) at scan k, from the scans
 * in hand or the ring. */
static inline uint16_t code_at(const struct measure *m, uint64_t k, int ch)
{
	if (m->span && k >= m->span_first)
		return m->span[(k - m->span_first) * m->cfg.nchannels + (size_t)ch];
	return (ch == m->cfg.displacement ? m->ring_d : m->ring_p)[k & (m->ring_len - 1)];
}

/* The shot's baseline at scan k: its level and the mains hum fitted before it. */
static double base_at(const struct measure *m, uint64_t k)
{
	double ph = m->hum_w * (double)k;

	return m->hum_w > 0 ? m->shot_base + m->hum_a * cos(ph) + m->hum_b * sin(ph) : m->shot_base;
}

static double ext_at(const struct measure *m, uint64_t k)
{
	return m->lut[code_at(m, k, m->cfg.displacement)] - base_at(m, k);
}

/* Noise of one displacement sample plus its quantisation, mm^2, at signal code s. */
static double noise_var(const struct measure *m, uint32_t s)
{
	uint32_t c = sig(m, s < m->cfg.maxdata ? s : m->cfg.maxdata - 1);
	double step = fabs(m->lut[c + 1] - m->lut[c]);

	return m->sigma * m->sigma + step * step / 12;
}

/* Mean calibrated value of channel ch over scans [from, to). */
static double mean_over(const struct measure *m, int ch, const struct calibration *cal,
			uint64_t from, uint64_t to)
{
	double sum[FIXTURE_MAX_POLY] = { 0 };
	const uint16_t *ring = ch == m->cfg.displacement ? m->ring_d : m->ring_p;
	uint64_t k = from;

	/* The ring part, in at most two runs (it wraps), then the scans in hand. */
	while (k < to && (!m->span || k < m->span_first)) {
		size_t at = k & (m->ring_len - 1), n = m->ring_len - at;
		uint64_t end = m->span && m->span_first < to ? m->span_first : to;

		if (n > end - k)
			n = (size_t)(end - k);
		power_sums(ring + at, n, 1, cal->order, sum);
		k += n;
	}
	if (k < to && cal->order <= 1) {
		/* a linear channel's sum is an exact integer, the vector pass's too */
		struct scan_stats st;

		scan_reduce(m->span + (k - m->span_first) * m->cfg.nchannels, (size_t)(to - k),
			    ch == m->cfg.displacement ? &m->layout : &m->plunger_layout, &st);
		sum[1] += st.sum[1];
	} else if (k < to) {
		power_sums(m->span + (k - m->span_first) * m->cfg.nchannels + (size_t)ch,
			   (size_t)(to - k), m->cfg.nchannels, cal->order, sum);
	}
	return calibration_mean(cal, sum, (double)(to - from));
}

/* Plunger level just before scan k, the previous shot excluded. */
static double level_before(const struct measure *m, uint64_t k)
{
	uint64_t from = k > m->level_len ? k - m->level_len : 0;

	if (m->cfg.plunger < 0)
		return NAN;
	if (from < m->quiet_from)
		from = m->quiet_from;
	if (from >= k)
		from = k - 1;
	return mean_over(m, m->cfg.plunger, &m->cfg.plunger_cal, from, k);
}

static double level_count(const struct measure *m, uint64_t k)
{
	uint64_t from = k > m->level_len ? k - m->level_len : 0;

	if (from < m->quiet_from)
		from = m->quiet_from;
	return from >= k ? 1 : (double)(k - from);
}

static void emit_pending(struct measure *m, double v_after, double n_after, uint64_t at)
{
	if (!m->pending)
		return;
	m->pend.volume_ul = v_after - m->pend_v_before;
	if (m->cfg.plunger >= 0) {
		m->pend.level_after_ul = v_after;
		m->pend.after_to = at;
		m->pend.after_from = at - (uint64_t)n_after;
	}
	if (m->cfg.plunger >= 0) {
		m->pend.u_volume_ul = m->psigma * sqrt(1 / m->pend_level_n + 1 / n_after);
		m->u2_volume += m->pend.u_volume_ul * m->pend.u_volume_ul;
		m->nu_volume++;
	}
	m->pending = 0;
	m->fn(m->ctx, &m->pend);
}

/*
 * A sensor that saturates inside the converter's range: its top is one
 * code, sample after sample, which a noisy sensor never gives. A quarter
 * of the crest window at its highest code, on a sensor whose noise spans
 * several codes there, is a clipped crest (the rails are counted apart).
 */
static uint64_t plateau(const struct measure *m, uint64_t lo, uint64_t hi)
{
	uint32_t top = 0, c = sig(m, m->top_s < m->cfg.maxdata ? m->top_s : m->cfg.maxdata - 1);
	uint64_t n = 0;
	double step = fabs(m->lut[c + 1] - m->lut[c]);

	if (!(m->sigma > 3 * step) || hi - lo < 8)
		return 0;
	for (uint64_t k = lo; k <= hi; k++) {
		uint32_t s = sig(m, code_at(m, k, m->cfg.displacement));

		if (s > top) {
			top = s;
			n = 0;
		}
		n += s == top;
	}
	return 4 * n >= hi - lo + 1 ? n : 0;
}

/* The middle of the highest 3-sample mean of extension over scans
 * [from, to], within the shot and before last. */
static uint64_t raw_crest(const struct measure *m, uint64_t from, uint64_t to, uint64_t last)
{
	uint64_t best = to;
	double top = -INFINITY;

	if (from <= m->shot_first)
		from = m->shot_first + 1;
	if (to + 1 > last)
		to = last > 0 ? last - 1 : 0;
	for (uint64_t k = from; k <= to; k++) {
		double y = ext_at(m, k - 1) + ext_at(m, k) + ext_at(m, k + 1);

		if (y > top) {
			top = y;
			best = k;
		}
	}
	return best;
}

/*
 * Does the stop ring, sampled coarsely, in y[0..n) (from the crest on)?
 * First differences of white noise have a mean square of 2 noise_var; a
 * ring of amplitude a at theta radians a sample adds 2 a^2 sin^2(theta/2),
 * most at a coarse rate. Four times the noise's is a ring, not chance
 * (p < 1e-3 over the 8 or more differences).
 */
static int ringing(const double *y, size_t n, double noise_var)
{
	double ss = 0;

	if (n < 9)
		return 0;
	for (size_t i = 1; i < n; i++)
		ss += (y[i] - y[i - 1]) * (y[i] - y[i - 1]);
	return ss / (double)(n - 1) > 4 * 2 * noise_var;
}

/* A ring of two modes from the highest sample j on (fit_ring2), on
 * samples read past the crest window; NAN when there are not enough yet
 * or they are no such ring. *at gets the crest's scan. */
static double crest_two_modes(const struct measure *m, uint64_t j, uint64_t last, double var,
			      double *at)
{
	double z[RING2_SAMPLES + 1], v, rat;
	uint64_t k0 = j > m->shot_first ? j - 1 : j;
	size_t nz = 0;

	for (uint64_t k = k0; k <= last && nz < RING2_SAMPLES + 1; k++)
		z[nz++] = ext_at(m, k);
	v = fit_ring2(z, nz, (size_t)(j - k0), var, &rat);
	*at = (double)k0 + rat;
	return v;
}

/* Fit the parabola around the highest sample once the samples after it
 * are in (or the shot is over: force). */
static void refit(struct measure *m, uint64_t last, int force)
{
	uint64_t w = m->fit_half, lo, hi;
	double at, var, ring = NAN;
	size_t n, width;

	/* Around the highest detector sample (the middle of its mean): on a
	 * ring, the highest lobe, which runs of samples can miss when the
	 * samples are coarse. */
	uint64_t pk = m->top_k - (m->top_k - m->shot_first < (m->w - 1) / 2 ? m->top_k - m->shot_first
									       : (m->w - 1) / 2);

	if (!m->fit_due || (!force && last < pk + w))
		return;
	/* On a noisy sensor the detector's mean spans several lobes of a
	 * ring: its middle can sit past the first, highest one. The crest is
	 * looked for in the samples it averaged, by a 3-sample mean (one
	 * noisy sample cannot pick it; the fit below widens on a flat stop). */
	if (m->w > 1)
		pk = raw_crest(m, m->crossing, m->top_k, last);
	lo = pk - (pk - m->shot_first < w ? pk - m->shot_first : w);
	hi = pk + w < last ? pk + w : last;
	n = (size_t)(hi - lo + 1);
	for (uint64_t k = lo; k <= hi; k++)
		m->fit_y[k - lo] = ext_at(m, k);
	m->crest_clipped = plateau(m, lo, hi);
	var = noise_var(m, m->top_s);
	m->depth = fit_crest(m->fit_y, n, (size_t)(pk - lo), var, &at, &m->u_fit, &width);
	m->peak_at = (double)lo + at;
	/* Three samples were all the parabola could take: a ring too fast
	 * for it. Its crest from a damped sine through the samples after the
	 * highest one, where one fits; else from two (a stiffer mode on top). */
	if (width <= 1) {
		size_t j = (size_t)lround(at), best;
		double rat;

		j = j > 0 ? j - 1 : 0;
		best = j;
		for (size_t i = j; i < n && i <= j + 2; i++)
			best = m->fit_y[i] > m->fit_y[best] ? i : best;
		ring = fit_ring(m->fit_y, n, best, var, &rat);
		/* The two-mode model needs more samples after the crest than
		 * the window holds: fit again when they are in. */
		if (!isfinite(ring) && !force && last < lo + best + RING2_SAMPLES)
			return;
		if (!isfinite(ring))
			ring = crest_two_modes(m, lo + best, last, var, &rat);
		else
			rat += (double)lo;
		if (isfinite(ring)) {
			m->depth = ring;
			m->peak_at = rat;
		}
	}
	/* A noisy sensor (the detector averages) whose stop rings faster than
	 * the samples: no model resolved the crest, and the parabola through
	 * noise and coarse lobes reads it anywhere from the stop up. */
	m->crest_unresolved = m->w > 1 && !isfinite(ring) &&
			      ringing(m->fit_y + (pk - lo), (size_t)(hi - pk + 1), var);
	m->fit_due = 0;
}

/* y[0..n) replaced by its centred mean over 2 half + 1 samples (fewer at
 * the ends); tmp holds cap values, the look-behind. */
static void smooth(double *y, size_t n, size_t half, double *tmp, size_t cap)
{
	double sum = 0;
	size_t lo = 0, hi = 0;  /* the window is y[lo..hi) of the original values */

	if (half == 0 || 2 * half + 1 > cap)
		half = (cap - 1) / 2;
	for (size_t i = 0; i < n; i++) {
		size_t want_lo = i > half ? i - half : 0, want_hi = i + half + 1 < n ? i + half + 1 : n;

		while (hi < want_hi) {
			tmp[hi % cap] = y[hi];
			sum += y[hi++];
		}
		while (lo < want_lo)
			sum -= tmp[lo++ % cap];
		y[i] = sum / (double)(hi - lo);
	}
}

/* The shot is over at scan last; the needle left its depth at end. */
static void end_shot(struct measure *m, uint64_t last, uint64_t end, unsigned flags)
{
	struct shot *s = &m->pend;
	double d, on, r10, r90;
	size_t upto;

	refit(m, last, 1);
	d = m->depth;
	/* The first rise to the levels: look no further than the peak. */
	upto = m->rise_len - 1;
	if (m->peak_at - (double)m->shot_first < (double)upto)
		upto = (size_t)ceil(fmax(m->peak_at - (double)m->shot_first, 1));
	for (size_t i = 0; i <= upto; i++)
		m->rise_y[i] = m->lut[m->rise[i]] - base_at(m, m->shot_first + i);
	/* On a noisy sensor the rise is read through a centred mean as wide
	 * as the detector's: noise would cross the levels early; a centred
	 * mean keeps a straight rise's crossings where they are. */
	if (m->w > 1)
		smooth(m->rise_y, upto + 1, m->w / 2, m->fit_y, 2 * m->fit_half + 1);
	on = fit_crossing(m->rise_y, upto, 0.5 * d, ONSET_BAND * d);
	r10 = fit_crossing(m->rise_y, upto, 0.1 * d, 0);
	r90 = fit_crossing(m->rise_y, upto, 0.9 * d, 0);

	memset(s, 0, sizeof(*s));
	s->index = ++m->count;
	s->baseline_mm = m->shot_base;
	s->depth_mm = d;
	s->onset_scan = (double)m->shot_first + (on >= 0 ? on : (double)(m->crossing - m->shot_first));
	s->t_s = s->onset_scan / m->rate;
	s->rise_ms = r10 >= 0 && r90 >= 0 ? (r90 - r10) / m->rate * 1000.0 : NAN;
	s->peak_s = m->peak_at / m->rate;
	s->end_s = flags & SHOT_UNFINISHED ? NAN : (double)end / m->rate;
	s->flags = flags;
	s->peak_scan = m->peak_at;
	s->end_scan = flags & SHOT_UNFINISHED ? NAN : (double)end;
	s->baseline_from = m->base_from;
	s->baseline_to = m->base_to;
	s->level_before_ul = NAN;
	s->level_after_ul = NAN;
	if (m->cfg.plunger >= 0) {
		s->level_before_ul = m->v_before;
		s->before_to = m->v_before_to;
		s->before_from = m->v_before_to - (uint64_t)m->v_before_n;
	}
	s->hum_mm = m->hum_w > 0 ? hypot(m->hum_a, m->hum_b) : 0;
	s->u_depth_mm = sqrt(m->u_fit * m->u_fit + noise_var(m, m->top_s) / m->base_n);
	s->u_volume_ul = NAN;
	m->u2_depth += s->u_depth_mm * s->u_depth_mm;
	m->nu_depth++;
	if (m->crest_clipped)
		m->clipped += m->crest_clipped;
	if (m->clipped > m->clip_at_start)
		s->flags |= SHOT_CLIPPED;
	m->crest_clipped = 0;
	/* Not clear of the noise: within 4 sigma of the detector's mean above
	 * the detection level, or a detector that could not average the
	 * noise down to its level; or a crest the noise and a coarse ring
	 * leave unresolved (refit). */
	if (d < m->thr + 4 * m->sigma / sqrt((double)m->w) ||
	    MEASURE_NOISE_K * m->sigma / sqrt((double)m->w) > MEASURE_MAX_THRESHOLD_MM ||
	    m->crest_unresolved)
		s->flags |= SHOT_AMBIGUOUS;
	if (m->cfg.expected_depth_mm > 0 && d < PARTIAL_FRACTION * m->cfg.expected_depth_mm)
		s->flags |= SHOT_PARTIAL;
	/* A stroke that re-fires from above 10 % has no 10 % point: not slow. */
	if (on < 0 || s->rise_ms > SLOW_RISE_MS || (r10 >= 0 && r90 < 0))
		s->flags |= SHOT_SLOW;
	m->pend_v_before = m->v_before;
	m->pend_level_n = m->v_before_n;
	m->pend.u_volume_ul = NAN;
	m->pending = 1;
	m->state = IDLE;
	m->quiet_from = flags & SHOT_UNFINISHED ? m->quiet_from : last + 1;
	/* Drift tracking restarts from the idle after this shot. */
	m->win_count = 0;
	m->win_head = 0;
}

/* The run of samples ending before scan end is over: is its mean the
 * highest yet? */
static inline void close_run(struct measure *m, uint64_t end)
{
	/* mean > best mean, without dividing */
	if (!m->best_n || m->sub_sum * m->best_n > m->best_sum * m->sub_n) {
		m->best_sum = m->sub_sum;
		m->best_n = m->sub_n;
		m->peak_k = end - m->sub_n + (m->sub_n - 1) / 2;
		m->fit_due = 1;
	}
	m->sub_sum = 0;
	m->sub_n = 0;
}

/* Runs are aligned to scan indices, whatever the blocks. */
static void close_run_at(struct measure *m, uint64_t end)
{
	if ((end & (m->sub - 1)) == 0)
		close_run(m, end);
}

/* Scan k's part in the peak search. */
static void run_sample(struct measure *m, uint64_t k, uint32_t s)
{
	m->sub_sum += s;
	m->sub_n++;
	close_run_at(m, k + 1);
}

/* A new highest sample: the level a re-fire must fall below moves. */
static void new_top(struct measure *m, uint64_t k, uint32_t s)
{
	m->top_k = k;
	m->fit_due = 1;
	m->top_s = s;
	m->half = m->shot_base + REFIRE_FRACTION * (sig_value(m, s) - m->shot_base);
	m->half_s = UINT32_MAX;  /* stale until the chunk ends */
}

/* The signal code of half: the table's line through the highest sample
 * and the code below it tells where to look. */
static uint32_t half_code(const struct measure *m)
{
	uint32_t t = m->top_s > 0 ? m->top_s : 1;
	double step = sig_value(m, t) - sig_value(m, t - 1);
	double g = (double)t + (m->half - sig_value(m, t)) / step;

	return sig_search(m, m->half, g >= 0 && g <= m->cfg.maxdata ? (uint32_t)g : t);
}

/* A shot starts at scan k; its rise is kept from scan from. */
static void start_shot(struct measure *m, uint64_t k, uint64_t from, uint32_t s)
{
	m->v_before = level_before(m, k);
	m->v_before_n = level_count(m, k);
	m->v_before_to = k;
	/* The previous shot's plunger has settled by now. */
	emit_pending(m, m->v_before, m->v_before_n, k);
	m->clip_at_start = m->clipped;
	m->state = IN_SHOT;
	m->shot_first = from;
	m->crossing = k;
	m->rise_len = 0;
	for (uint64_t j = from; j <= k; j++)
		m->rise[m->rise_len++] = code_at(m, j, m->cfg.displacement);
	m->rel_s = sig_search(m, m->shot_base + m->rel, m->rel_s);  /* the baseline creeps */
	new_top(m, k, s);
	m->fallen = 0;
	m->best_n = 0;
	m->peak_k = k;
	m->fit_due = 1;
	m->sub_sum = s;
	m->sub_n = 1;
	m->below = 0;
	close_run_at(m, k + 1);
}

/* Two doubles, one a hum frequency: each lane's arithmetic is the same
 * IEEE operations as in a double, two at a time. */
typedef double hum_pair __attribute__((vector_size(16)));

/* The least-squares sums at 50 Hz (lane 0) and 60 Hz (lane 1), and cos
 * and sin of w k with their step; the sums of y and of the samples in the
 * baseline window are the same for both. */
struct hum_sums {
	hum_pair w, scc, sss, scs, sc, ss, syc, sys, bc, bs, cs, sn, cw, sw;
	double sy, bn;
};

static void hum_start(struct hum_sums *f, double rate, uint64_t stride, uint64_t hfrom)
{
	memset(f, 0, sizeof(*f));
	for (int h = 0; h < 2; h++) {
		double w = 2 * M_PI * (h ? 60.0 : 50.0) / rate;

		f->w[h] = w;
		f->cw[h] = cos(w * (double)stride);
		f->sw[h] = sin(w * (double)stride);
		f->cs[h] = cos(w * (double)hfrom);
		f->sn[h] = sin(w * (double)hfrom);
	}
}

/* One sample y; in the baseline window or not. cos and sin of w k by
 * rotation: one multiply-add a sample, and accurate to ~1e-13 over the
 * window. */
static inline void hum_add(struct hum_sums *f, double y, int in_base)
{
	hum_pair cs = f->cs, sn = f->sn, yy = { y, y };

	f->sc += cs;
	f->ss += sn;
	f->sy += y;
	f->scc += cs * cs;
	f->sss += sn * sn;
	f->scs += cs * sn;
	f->syc += yy * cs;
	f->sys += yy * sn;
	if (in_base) {
		f->bc += cs;
		f->bs += sn;
		f->bn++;
	}
	f->cs = cs * f->cw - sn * f->sw;
	f->sn = sn * f->cw + cs * f->sw;
}

/* Keep the fit at lane h's frequency if it explains the most so far:
 * *best, the residual's fall; base, the window's level before. */
static void hum_keep(struct measure *m, const struct hum_sums *f, int h, double n, double var,
		     double base, double *best)
{
	double sc = f->sc[h], ss = f->ss[h], sy = f->sy, det, a, b, gain;
	double scc = f->scc[h], sss = f->sss[h], scs = f->scs[h], syc = f->syc[h], sys = f->sys[h];

	/* Eliminate the constant, then solve the 2x2 for a, b. */
	scc -= sc * sc / n;
	sss -= ss * ss / n;
	scs -= sc * ss / n;
	syc -= sy * sc / n;
	sys -= sy * ss / n;
	det = scc * sss - scs * scs;
	if (!(det > 1e-9 * n * n) || f->bn == 0)
		return;
	a = (syc * sss - sys * scs) / det;
	b = (sys * scc - syc * scs) / det;
	gain = a * syc + b * sys;  /* the residual sum of squares falls by this */
	if (gain > HUM_F2 * var && gain > *best) {
		*best = gain;
		m->hum_w = f->w[h];
		m->hum_a = a;
		m->hum_b = b;
		m->shot_base = base - (a * f->bc[h] + b * f->bs[h]) / f->bn;
		m->hum_hz = h ? 60.0 : 50.0;
	}
}

/*
 * Mains hum before a shot: a + b cos(wk) + c sin(wk) by least squares at
 * 50 and at 60 Hz over [hfrom, to) (up to MEASURE_HUM_S: five cycles tell
 * 50 from 60 Hz, where one would not), on every stride-th sample (2500 a
 * second are 50 a cycle: plenty for amplitude and phase, and cheap at any
 * rate). The better one is kept when it explains clearly more than the
 * noise (an F test: the residual falls by HUM_F2 noise variances), so a
 * clean capture keeps its plain mean; the shot's level is then the
 * baseline window's [bfrom, to) mean less the hum's mean over it.
 */
static void fit_hum(struct measure *m, uint64_t hfrom, uint64_t bfrom, uint64_t to)
{
	uint64_t stride = m->hum_stride;
	size_t ny = (size_t)((to - hfrom + stride - 1) / stride), nb;
	double n = (double)ny, base = m->shot_base, best = 0, *y = m->hum_y;
	double var = noise_var(m, m->start_s);
	double s1 = 0, s2 = 0;
	struct hum_sums f;

	m->hum_w = 0;
	/* A window under half a cycle cannot tell hum from drift. */
	if ((double)(to - hfrom) < 0.5 * m->rate / 60.0 || n < 8)
		return;
	/* A window whose spread the noise explains holds no hum to find: the
	 * fits are skipped (the usual case, at a tenth of their cost). */
	for (size_t i = 0; i < ny; i++) {
		y[i] = m->lut[code_at(m, hfrom + i * stride, m->cfg.displacement)] - base;
		s1 += y[i];
		s2 += y[i] * y[i];
	}
	if (s2 - s1 * s1 / n <= var * (n - 1 + HUM_F2))
		return;
	/* Samples from nb on are in the baseline window. */
	nb = bfrom > hfrom ? (size_t)((bfrom - hfrom + stride - 1) / stride) : 0;
	/* Both frequencies in one pass, side by side in vector lanes: each
	 * one's rotation is a chain of dependent multiplies. */
	hum_start(&f, m->rate, stride, hfrom);
	for (size_t i = 0; i < ny; i++)
		hum_add(&f, y[i], i >= nb);
	hum_keep(m, &f, 0, n, var, base, &best);
	hum_keep(m, &f, 1, n, var, base, &best);
	if (m->hum_w > 0 && hypot(m->hum_a, m->hum_b) > m->hum_max)
		m->hum_max = hypot(m->hum_a, m->hum_b);
}

/* The needle rose through the threshold at scan k, from rest. */
static void start_from_rest(struct measure *m, uint64_t k, uint32_t s)
{
	uint64_t to = k > m->guard ? k - m->guard : 0;
	uint64_t from = to > m->base_len ? to - m->base_len : 0, hfrom;

	/* The baseline ends before the rise's foot and after the last shot;
	 * if the shots leave no room for it, drift tracking stands in. */
	if (from < m->quiet_from)
		from = m->quiet_from;
	m->shot_base = from < to ? mean_over(m, m->cfg.displacement, &m->cfg.displacement_cal,
					     from, to)
				 : m->base;
	m->base_n = from < to ? (double)(to - from) : 1;
	m->base_from = from < to ? from : to;
	m->base_to = to;
	hfrom = to > m->hum_len ? to - m->hum_len : 0;
	if (hfrom < m->quiet_from)
		hfrom = m->quiet_from;
	if (from < to)
		fit_hum(m, hfrom < from ? hfrom : from, from, to);
	start_shot(m, k, k > m->pre ? k - m->pre : 0, s);
}

/* Fell below half its depth, then rose back through it: the unit fired
 * again before the needle was home. The new stroke shares the baseline. */
static void refire(struct measure *m, uint64_t k, uint32_t s)
{
	uint64_t valley = m->valley_k;

	end_shot(m, k, valley, 0);
	m->quiet_from = valley;
	start_shot(m, k, valley + m->pre < k ? k - m->pre : valley, s);
}

/* Is the detector's value at signal code sd at least half? By code when
 * the chunk has half's code (the table is monotonic), else by value: a
 * table look-up for a sample of a shot is a cache miss as often as not. */
static int above_half(const struct measure *m, uint32_t sd)
{
	return m->half_s != UINT32_MAX ? sd >= m->half_s : sig_value(m, sd) >= m->half;
}

/* s: the sample's signal code; sd: the detector's (the mean of the last
 * w samples: s itself on a quiet sensor). Decisions are taken on sd, the
 * peak search sees every sample. */
static void shot_sample(struct measure *m, uint64_t k, uint32_t s, uint32_t sd)
{
	run_sample(m, k, s);
	s = sd;
	if (s > m->top_s)
		new_top(m, k, s);
	if (m->fallen && s < m->valley_s) {
		m->valley_s = s;
		m->valley_k = k;
	} else if (!m->fallen && !above_half(m, s)) {
		m->fallen = 1;
		m->valley_s = s;
		m->valley_k = k;
	} else if (m->fallen && above_half(m, s) &&
		   sig_value(m, s) - sig_value(m, m->valley_s) > m->thr) {
		refire(m, k, s);
		return;
	}
	if (s >= m->rel_s) {
		m->below = 0;
	} else if (!m->below) {
		m->below = 1;
		m->below_since = k;
	} else if (k - m->below_since >= m->gap_scans) {
		end_shot(m, k, m->below_since, 0);
	}
}

/* A sample of a shot that changes nothing but the peak search. */
static void quiet_sample(struct measure *m, uint64_t k, uint16_t code, uint32_t s)
{
	if (m->rise_len < m->rise_cap)
		m->rise[m->rise_len++] = code;
	run_sample(m, k, s);
}

/*
 * Sample by sample, for the chunks where something happens; but the runs
 * of samples where nothing can (at rest below the threshold, at depth
 * below the highest sample, home below the release level counting the
 * gap) go through tight loops, and only events take shot_sample's path.
 */
static void slow_span(struct measure *m, const uint16_t *c, size_t from, size_t to)
{
	size_t nch = m->cfg.nchannels, d = (size_t)m->cfg.displacement;

	size_t w = m->w;
	uint64_t wsum = 0;

	/* A shot's samples look their values up (a new highest sample, half
	 * stale): the table's lines for all of them are asked for at once,
	 * so their misses overlap instead of stalling one after another. */
	for (size_t i = from; i < to; i++)
		__builtin_prefetch(m->lut + c[i * nch + d]);
	/* The detector's running sum over the w - 1 scans before this one. */
	for (size_t j = 1; j < w; j++) {
		uint64_t k = m->scan + from;

		wsum += sig(m, code_at(m, k >= j ? k - j : 0, m->cfg.displacement));
	}
	for (size_t i = from; i < to; i++) {
		uint64_t k = m->scan + i;
		uint16_t code = c[i * nch + d];
		uint32_t s = sig(m, code), sd = s;

		if (w > 1) {
			wsum += s;
			sd = (uint32_t)((wsum + w / 2) / w);
			wsum -= sig(m, code_at(m, k + 1 >= w ? k + 1 - w : 0, m->cfg.displacement));
		}
		if (m->state == IDLE) {
			if (sd >= m->start_s)
				start_from_rest(m, k, sd);
			continue;
		}
		if (!m->fallen && sd <= m->top_s && sd >= m->rel_s && above_half(m, sd)) {
			m->below = 0;  /* at depth */
		} else if (!(m->fallen && m->below && sd < m->rel_s && sd >= m->valley_s &&
			     k - m->below_since < m->gap_scans && !above_half(m, sd))) {
			if (m->rise_len < m->rise_cap)
				m->rise[m->rise_len++] = code;
			shot_sample(m, k, s, sd);
			continue;
		}
		quiet_sample(m, k, code, s);
	}
}

static void track_drift(struct measure *m, const struct scan_stats *st, size_t n)
{
	struct window_entry *e = &m->win[m->win_head], sum = { 0 };
	const struct calibration *cal = &m->cfg.displacement_cal;

	/* Only the sums calibration_mean uses (up to the calibration's
	 * order), one by one: a wide copy of sums just stored one by one
	 * cannot take them from the store queue and waits. */
	e->n = (double)n;
	for (int k = 1; k <= m->layout.order; k++)
		e->sum[k] = st->sum[k];
	if (++m->win_head == m->nwin)
		m->win_head = 0;
	if (m->win_count < m->nwin)
		m->win_count++;
	/* One chunk's sums are the window's (0 + x is x: sums of codes are not -0). */
	if (m->win_count == 1) {
		m->base = calibration_mean(cal, e->sum, e->n);
		return;
	}
	for (size_t i = 0; i < m->win_count; i++) {
		sum.n += m->win[i].n;
		for (int k = 1; k <= m->layout.order; k++)
			sum.sum[k] += m->win[i].sum[k];
	}
	m->base = calibration_mean(cal, sum.sum, sum.n);
}

static int bad_code(const struct measure *m, const uint16_t *c, size_t n)
{
	size_t nch = m->cfg.nchannels, d = (size_t)m->cfg.displacement, i = 0;

	while (i + 1 < n && c[i * nch + d] <= m->cfg.maxdata)
		i++;
	return rig_error(RIG_ERR_PROTOCOL,
			 "measure: displacement code %u above the converter's maximum %u at scan %llu",
			 c[i * nch + d], m->cfg.maxdata, (unsigned long long)(m->scan + i));
}

/* Scans [from, to) of a chunk at depth: nothing happens but the peak
 * search; whole runs in a tight loop where they fit. */
static void dwell_span(struct measure *m, const uint16_t *c, size_t from, size_t to)
{
	size_t nch = m->cfg.nchannels, d = (size_t)m->cfg.displacement, sub = m->sub, i = from;
	size_t keep = m->rise_cap - m->rise_len < to - from ? m->rise_cap - m->rise_len : to - from;

	m->below = 0;
	scan_split(c + from * nch, keep, &m->layout, (int)d, (int)d, m->rise + m->rise_len, NULL);
	m->rise_len += keep;
	for (i = from; i < to && (m->sub_n || ((m->scan + i) & (sub - 1)) || to - i < sub); i++)
		run_sample(m, m->scan + i, sig(m, c[i * nch + d]));
	for (; i + sub <= to; i += sub) {
		uint64_t sum = code_sum(c + i * nch + d, sub, nch);

		m->sub_sum = m->dir > 0 ? sum : sub * m->cfg.maxdata - sum;
		m->sub_n = sub;
		close_run(m, m->scan + i + sub);
	}
	for (; i < to; i++)
		run_sample(m, m->scan + i, sig(m, c[i * nch + d]));
}

/* Where the needle does something (a shot starts, rises, retracts), the
 * chunk is looked at part by part: the quiet parts still go by vector. */
static void eventful_chunk(struct measure *m, const uint16_t *c, size_t n)
{
	size_t part = m->sub > MIN_PART ? m->sub : MIN_PART;

	m->start_s = sig_walk(m, m->base + m->thr, m->start_s);
	for (size_t i = 0; i < n; i += part) {
		size_t to = n - i < part ? n : i + part;
		uint16_t max, min;
		uint32_t smax, smin;

		scan_range(c + i * m->cfg.nchannels, to - i, &m->layout, &max, &min);
		smax = m->dir > 0 ? max : m->cfg.maxdata - min;
		smin = m->dir > 0 ? min : m->cfg.maxdata - max;
		if (m->state == IDLE && smax < m->start_s)
			continue;
		if (m->state == IN_SHOT && smax <= m->top_s && smin >= m->rel_s && !m->fallen &&
		    smin >= m->half_s) {
			dwell_span(m, c, i, to);
			continue;
		}
		slow_span(m, c, i, to);
		if (m->state == IN_SHOT && m->half_s == UINT32_MAX)
			m->half_s = half_code(m);
	}
}

static void count_clipped(struct measure *m, const uint16_t *c, size_t n)
{
	size_t nch = m->cfg.nchannels, d = (size_t)m->cfg.displacement;

	for (size_t i = 0; i < n; i++)
		m->clipped += c[i * nch + d] == 0 || c[i * nch + d] == m->cfg.maxdata;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The k-th smallest of a[0..n) (Hoare's selection; a is reordered). */
static uint32_t select_kth(uint32_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint32_t pivot = a[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

/* Robust rms noise of channel ch over n scans: the median absolute first
 * difference, scaled to a normal sigma (1.4826 / sqrt 2). Differences
 * ignore drift and hum; the median ignores the odd spike. In codes, then
 * through the calibration's slope there. Noise spans tens of codes, so
 * the median is counted out of a histogram of the small differences; a
 * selection (which mispredicts a branch a step) only when over half are
 * larger. */
static double mad_noise(struct measure *m, const uint16_t *c, size_t n, int ch,
			const struct calibration *cal)
{
	size_t nch = m->cfg.nchannels, k = (n - 1) / 2, upto = 0;
	uint32_t *d = m->mad_buf, mid;
	uint16_t hist[SMALL_DIFF] = { 0 };  /* n <= MAX_CHUNK */
	double slope, at;

	for (size_t i = 1; i < n; i++) {
		int diff = (int)c[i * nch + (size_t)ch] - (int)c[(i - 1) * nch + (size_t)ch];

		d[i - 1] = (uint32_t)(diff < 0 ? -diff : diff);
		if (d[i - 1] < SMALL_DIFF)
			hist[d[i - 1]]++;
	}
	/* The k-th smallest is the least value with more than k at or below it. */
	for (mid = 0; mid < SMALL_DIFF && (upto += hist[mid]) <= k; mid++)
		;
	if (mid == SMALL_DIFF)
		mid = select_kth(d, n - 1, k);
	at = c[(n / 2) * nch + (size_t)ch];
	slope = fabs(calibration_apply(cal, at + 0.5) - calibration_apply(cal, at - 0.5));
	return 1.4826 / M_SQRT2 * (double)mid * slope;
}

static double median_of(const double *x, size_t n, double *tmp)
{
	memcpy(tmp, x, n * sizeof(*x));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* From the noise: the detector's width (its mean brings the noise down to
 * a sixth of the threshold, up to MEASURE_DETECT_S), then its levels. */
static void set_detector(struct measure *m)
{
	double tmp[NOISE_HIST], want, sw;
	size_t wmax = (size_t)fmin(MEASURE_DETECT_S * m->rate, MAX_DETECT);

	m->sigma = m->nhist ? median_of(m->sig_hist, m->nhist, tmp) : 0;
	m->psigma = m->nhist ? median_of(m->psig_hist, m->nhist, tmp) : 0;
	if (m->state != IDLE)
		return;
	want = MEASURE_NOISE_K * m->sigma / m->cfg.threshold_mm;
	m->w = (size_t)ceil(want * want);
	m->w = m->w < 1 ? 1 : m->w > wmax ? (wmax < 1 ? 1 : wmax) : m->w;
	sw = m->sigma / sqrt((double)m->w);
	m->thr = fmin(fmax(m->cfg.threshold_mm, MEASURE_NOISE_K * sw), MEASURE_MAX_THRESHOLD_MM);
	m->thr = fmax(m->thr, m->cfg.threshold_mm);
	/* Hysteresis: home is half the start level, and clear of the noise. */
	m->rel = fmax(m->cfg.release_mm, fmax(0.5 * m->thr, 3 * sw));
	if (m->rel > 0.8 * m->thr)
		m->rel = 0.8 * m->thr;
}

static int estimate_noise(struct measure *m, const uint16_t *c, size_t n)
{
	size_t at = m->hist_at;

	m->hist_saved[0] = m->sig_hist[at];
	m->hist_saved[1] = m->psig_hist[at];
	m->sig_hist[at] = mad_noise(m, c, n, m->cfg.displacement, &m->cfg.displacement_cal);
	m->psig_hist[at] = m->cfg.plunger >= 0 ? mad_noise(m, c, n, m->cfg.plunger,
							    &m->cfg.plunger_cal) : 0;
	m->hist_at = (at + 1) % NOISE_HIST;
	if (m->nhist < NOISE_HIST)
		m->nhist++;
	set_detector(m);
	return 1;
}

static void forget_noise(struct measure *m)
{
	m->hist_at = (m->hist_at + NOISE_HIST - 1) % NOISE_HIST;
	/* The slot gets back the estimate it held (the oldest, when full). */
	m->sig_hist[m->hist_at] = m->hist_saved[0];
	m->psig_hist[m->hist_at] = m->hist_saved[1];
	if (m->nhist < NOISE_HIST)
		m->nhist--;
	set_detector(m);
}

/* One chunk: most are uneventful and cost one vector pass. */
static int process_chunk(struct measure *m, const uint16_t *c, size_t n)
{
	struct scan_stats st;
	uint32_t smax, smin;
	int idle, noisy = 0;
	uint32_t count;

	scan_reduce(c, n, &m->layout, &st);
	if (st.max > m->cfg.maxdata)
		return bad_code(m, c, n);
	if (!m->primed) {
		m->base = m->lut[c[m->cfg.displacement]];
		m->primed = 1;
	}
	smax = m->dir > 0 ? st.max : m->cfg.maxdata - st.min;
	smin = m->dir > 0 ? st.min : m->cfg.maxdata - st.max;
	if (st.max == m->cfg.maxdata || st.min == 0)
		count_clipped(m, c, n);
	if (st.max != st.min || (m->scan > 0 && st.max != code_at(m, m->scan - 1, m->cfg.displacement)))
		m->varied = 1;
	idle = m->state == IDLE;
	count = m->count;
	if (idle && n == m->chunk && (m->chunk_no < NOISE_FIRST || m->chunk_no % NOISE_EVERY == 0))
		noisy = estimate_noise(m, c, n);
	m->chunk_no++;
	/* Idle: nothing above the threshold, in values, not codes: one table
	 * look-up per chunk. */
	if (idle && sig_value(m, smax) <= m->base + m->thr) {
		track_drift(m, &st, n);
	} else if (m->state == IN_SHOT && smax <= m->top_s && smin >= m->rel_s && !m->fallen &&
		   smin >= m->half_s) {
		dwell_span(m, c, 0, n);
	} else {
		eventful_chunk(m, c, n);
		/* Noise above the threshold, but no shot: still the idle level. */
		if (idle && m->state == IDLE && m->count == count)
			track_drift(m, &st, n);
	}
	/* A shot began in the chunk: its estimate is not the idle noise's. */
	if (noisy && (m->state != IDLE || m->count != count))
		forget_noise(m);
	m->scan += n;
	if (m->state == IN_SHOT) {
		refit(m, m->scan - 1, 0);
		if (m->half_s == UINT32_MAX)
			m->half_s = half_code(m);
	}
	return 0;
}

/* Process n scans (whole chunks, or the tail at the end) held at c. */
static int run_span(struct measure *m, const uint16_t *c, size_t n)
{
	size_t nch = m->cfg.nchannels, keep = n < m->ring_len ? n : m->ring_len;
	size_t d = (size_t)m->cfg.displacement, p = m->cfg.plunger >= 0 ? (size_t)m->cfg.plunger : d;
	int rc = 0;

	m->span = c;
	m->span_first = m->scan;
	for (size_t i = 0; i < n && !rc; i += m->chunk) {
		/* The lines of the chunk PREFETCH_AHEAD bytes on are asked for
		 * now: between one chunk's vector pass and the next the
		 * extractor computes, and without this the pass stalled on the
		 * memory that the hardware prefetcher had not run ahead to.
		 * One line PAGE_AHEAD on as well: a new page's first request
		 * waits for its address translation, and that one is then
		 * ahead of the rest (measured: some 8 % off the bench's time). */
		size_t at = (i * nch) * sizeof(*c) + PREFETCH_AHEAD, end = n * nch * sizeof(*c);

		for (size_t b = 0; b < m->chunk * nch * sizeof(*c) && at + b < end; b += 64)
			__builtin_prefetch((const char *)c + at + b);
		if (at - PREFETCH_AHEAD + PAGE_AHEAD < end)
			__builtin_prefetch((const char *)c + at - PREFETCH_AHEAD + PAGE_AHEAD);
		rc = process_chunk(m, c + i * nch, n - i < m->chunk ? n - i : m->chunk);
	}
	m->span = NULL;
	/* The last scans into the ring: up to its end, then from its start. */
	for (size_t i = n - keep; i < n;) {
		size_t at = (m->span_first + i) & (m->ring_len - 1);
		size_t run = m->ring_len - at < n - i ? m->ring_len - at : n - i;

		scan_split(c + i * nch, run, &m->layout, (int)d, (int)p, m->ring_d + at, m->ring_p + at);
		i += run;
	}
	return rc;
}

int measure_feed(struct measure *m, const uint16_t *codes, size_t nscans)
{
	size_t nch = m->cfg.nchannels, pos = 0, whole;
	int rc;

	if (nscans == 0)
		return 0;
	if (m->staged) {
		pos = m->chunk - m->staged < nscans ? m->chunk - m->staged : nscans;
		memcpy(m->stage + m->staged * nch, codes, pos * nch * sizeof(*codes));
		m->staged += pos;
		if (m->staged < m->chunk)
			return 0;
		m->staged = 0;
		if ((rc = run_span(m, m->stage, m->chunk)) != 0)
			return rc;
	}
	whole = (nscans - pos) / m->chunk * m->chunk;
	if (whole && (rc = run_span(m, codes + pos * nch, whole)) != 0)
		return rc;
	pos += whole;
	memcpy(m->stage, codes + pos * nch, (nscans - pos) * nch * sizeof(*codes));
	m->staged = nscans - pos;
	return 0;
}

double measure_live_peak(const struct measure *m)
{
	if (m->state == IN_SHOT)
		return sig_value(m, m->top_s) - m->shot_base;
	return m->pending ? m->pend.depth_mm : 0;
}

int measure_finish(struct measure *m)
{
	int rc = 0;

	if (m->staged) {
		rc = run_span(m, m->stage, m->staged);
		m->staged = 0;
	}
	if (rc || m->scan == 0)
		return rc;
	if (m->state == IN_SHOT) {
		if (m->sub_n)
			close_run(m, m->scan);
		end_shot(m, m->scan - 1, m->scan - 1, SHOT_UNFINISHED);
	}
	emit_pending(m, level_before(m, m->scan), level_count(m, m->scan), m->scan);
	return 0;
}

void measure_quality(const struct measure *m, struct measure_quality *q)
{
	memset(q, 0, sizeof(*q));
	q->noise_mm = m->sigma;
	q->plunger_noise_ul = m->cfg.plunger >= 0 ? m->psigma : NAN;
	q->hum_mm = m->hum_max;
	q->hum_hz = m->hum_max > 0 ? m->hum_hz : 0;
	q->clipped = m->clipped;
	q->stuck = m->scan > 1 && !m->varied;
	q->u_depth_mm = m->nu_depth ? sqrt(m->u2_depth / m->nu_depth) : NAN;
	q->u_volume_ul = m->nu_volume ? sqrt(m->u2_volume / m->nu_volume) : NAN;
	q->threshold_mm = m->thr;
	q->detect_n = (unsigned)m->w;
}
