#include "tests/lib/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double stroke_extension(const struct synth_stroke *k, double t)
{
	double w = 2 * M_PI * k->ring_hz, s = t - k->t0, end;

	if (s < 0)
		return 0;
	if (s < k->rise_s) {
		double u = s / k->rise_s;

		return k->x0 + (k->stop_mm - k->x0) * (k->cosine ? (1 - cos(M_PI * u)) / 2 : u);
	}
	s -= k->rise_s;
	if (s < k->dwell_s)
		return k->stop_mm + k->overshoot_mm * exp(-s / k->ring_tau_s) * sin(w * s);
	end = k->stop_mm + k->overshoot_mm * exp(-k->dwell_s / k->ring_tau_s) * sin(w * k->dwell_s);
	s -= k->dwell_s;
	return s < k->retract_s ? end * (1 - s / k->retract_s) : 0;
}

void synth_init(struct synth *s)
{
	for (size_t i = 0; i < s->nstrokes; i++) {
		struct synth_stroke *k = &s->strokes[i];

		k->x0 = i ? stroke_extension(k - 1, k->t0) : 0;
		k->before_ul = i ? k[-1].before_ul + k[-1].volume_ul : 0;
	}
}

/* Number of strokes started by t (binary search: streams are long). */
static size_t started(const struct synth *s, double t)
{
	size_t lo = 0, hi = s->nstrokes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->strokes[mid].t0 <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double synth_extension(const struct synth *s, double t)
{
	size_t n = started(s, t);

	return n ? stroke_extension(&s->strokes[n - 1], t) : 0;
}

static double pushed(const struct synth_stroke *k, double t)
{
	double u = (t - k->t0 - k->rise_s) / (k->dwell_s / 2);

	return k->volume_ul * (u <= 0 ? 0 : u >= 1 ? 1 : u);
}

double synth_volume(const struct synth *s, double t)
{
	size_t n = started(s, t);

	if (!n)
		return 0;
	if (n == 1)
		return pushed(&s->strokes[0], t);
	return s->strokes[n - 2].before_ul + pushed(&s->strokes[n - 2], t) +
	       pushed(&s->strokes[n - 1], t);
}

double synth_depth(const struct synth *s, size_t i)
{
	const struct synth_stroke *k = &s->strokes[i];
	double w = 2 * M_PI * k->ring_hz, tau = k->ring_tau_s, at;

	if (k->overshoot_mm <= 0)
		return k->stop_mm;
	/* d/ds e^(-s/tau) sin(w s) = 0 where tan(w s) = w tau */
	at = atan(w * tau) / w;
	return k->stop_mm + k->overshoot_mm * exp(-at / tau) * sin(w * at);
}

double synth_onset(const struct synth *s, size_t i)
{
	const struct synth_stroke *k = &s->strokes[i];
	double u = (0.5 * synth_depth(s, i) - k->x0) / (k->stop_mm - k->x0);

	return k->t0 + k->rise_s * (k->cosine ? acos(1 - 2 * u) / M_PI : u);
}

/* splitmix64: a hash of the scan index, not a stream. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double gauss(uint64_t key)
{
	double u1 = ((double)(mix(key) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = (double)(mix(key ^ 0x5555555555555555ull) >> 11) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static uint16_t quantise(double x, const double *poly, unsigned bits)
{
	double code = floor((x - poly[0]) / poly[1] + 0.5), top = (double)((1u << bits) - 1);

	return (uint16_t)(code < 0 ? 0 : code > top ? top : code);
}

void synth_codes(const struct synth *s, uint64_t first, size_t n, uint16_t *codes)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t k = first + i;
		double t = (double)k / s->rate_hz;
		double x = s->offset_mm + s->drift_mm_per_s * t + synth_extension(s, t) +
			   s->noise_mm * gauss(s->seed ^ (2 * k));
		/* The encoder reads 100 µl at the start: noise is never clipped at code 0. */
		double v = 100 + synth_volume(s, t) + s->noise_ul * gauss(s->seed ^ (2 * k + 1));

		codes[2 * i] = quantise(x, s->poly_d, s->bits);
		codes[2 * i + 1] = quantise(v, s->poly_p, s->bits);
	}
}

int synth_write_rcap(const struct synth *s, const char *path, uint64_t n)
{
	FILE *f = fopen(path, "wb");
	uint16_t buf[2 * 4096];
	unsigned char le[4 * 4096];
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f,
		     "RCAP1\n{\"rate_hz\": %.17g, \"t0_s\": 0, \"writer\": \"tests/lib/synth.c\", "
		     "\"channels\": [{\"name\": \"displacement\", \"unit\": \"mm\", \"poly\": "
		     "[%.17g, %.17g], \"maxdata\": %u}, {\"name\": \"plunger\", \"unit\": \"ul\", "
		     "\"poly\": [%.17g, %.17g], \"maxdata\": %u}]}\n",
		     s->rate_hz, s->poly_d[0], s->poly_d[1], (1u << s->bits) - 1, s->poly_p[0],
		     s->poly_p[1], (1u << s->bits) - 1) > 0;
	for (uint64_t k = 0; ok && k < n; k += 4096) {
		size_t m = n - k < 4096 ? (size_t)(n - k) : 4096;

		synth_codes(s, k, m, buf);
		/* Little-endian by the format, whatever the host. */
		for (size_t i = 0; i < 2 * m; i++) {
			le[2 * i] = (unsigned char)(buf[i] & 0xff);
			le[2 * i + 1] = (unsigned char)(buf[i] >> 8);
		}
		ok = fwrite(le, 2, 2 * m, f) == 2 * m;
	}
	return fclose(f) == 0 && ok ? 0 : -1;
}
