#ifndef RIG_TESTS_SYNTH_H
#define RIG_TESTS_SYNTH_H

/*
 * Raw captures whose truth is known in closed form, built without the sim
 * bench: strokes with a linear rise (a trapezoid) or a raised-cosine one,
 * optionally a damped overshoot at the stop, a linear retract, a plunger
 * that pushes each dose during the first half of the dwell. A stroke that
 * starts before the last one is home rises from where the needle is;
 * each push is over before the stroke after next starts.
 * Sensor noise is a hash of the scan index, so any slice of the stream
 * can be generated on its own and comes out the same.
 */
#include <stddef.h>
#include <stdint.h>

struct synth_stroke {
	double t0;            /* the rise starts, s */
	double rise_s;
	double stop_mm;       /* where the depth stop holds the needle */
	double dwell_s, retract_s;
	double overshoot_mm;  /* A of A e^(-s/tau) sin(2 pi f s) after the stop; 0: none */
	double ring_hz, ring_tau_s;
	double volume_ul;
	int cosine;           /* raised-cosine rise instead of a linear one */
	double x0;            /* set by synth_init: extension when the rise starts */
	double before_ul;     /* set by synth_init: pushed by the strokes before */
};

struct synth {
	double rate_hz;
	unsigned bits;        /* ADC resolution: 12 or 16 */
	double poly_d[2];     /* displacement code -> mm; poly_d[1] < 0: inverted wiring */
	double poly_p[2];     /* plunger code -> µl */
	double offset_mm;     /* sensor reading with the needle home */
	double drift_mm_per_s;
	double noise_mm, noise_ul; /* rms per sample */
	uint64_t seed;
	size_t nstrokes;
	struct synth_stroke *strokes; /* in time order */
};

void synth_init(struct synth *s);
/* Noise-free needle extension (mm) and dispensed volume (µl) at t. */
double synth_extension(const struct synth *s, double t);
double synth_volume(const struct synth *s, double t);
/* The truth of stroke i: its maximum extension and the instant its rise
 * passes half of that. */
double synth_depth(const struct synth *s, size_t i);
double synth_onset(const struct synth *s, size_t i);
/* Codes of scans [first, first + n), displacement then plunger. */
void synth_codes(const struct synth *s, uint64_t first, size_t n, uint16_t *codes);
/* The whole capture, n scans, as a raw capture file; 0 or -1. */
int synth_write_rcap(const struct synth *s, const char *path, uint64_t n);

#endif
