/*
 * Speed and memory figures of the shot extractor (make bench; tests/bench/run
 * drives it and prints the ratios). Subcommands:
 *   generate FILE SECONDS RATE   a raw capture of a unit firing at 120/min
 *   speed FILE RUNS CSV          rig's extraction, in memory, one core, against
 *                                sequential memory reads of the same bytes
 *   rss SECONDS                  stream SECONDS of 1 MS/s through the extractor
 * Figures go to stdout as "key value" lines; nothing here asserts a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rig/base/error.h"
#include "rig/base/rcap.h"
#include "rig/measure/shots.h"
#include "tests/lib/synth.h"

#define BLOCK 65536           /* scans per feed, as a DAQ driver hands them over */
#define PERIOD_S 0.5          /* 120 shots/min */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* A healthy unit at 120/min, depths and doses cycling over the settings. */
static struct synth unit(double rate, double seconds)
{
	static const double depth[] = { 1.5, 2, 4, 6 };
	static const double dose[] = { 10, 20, 50, 100 };
	size_t n = (size_t)(seconds / PERIOD_S);
	struct synth_stroke *k = calloc(n ? n : 1, sizeof(*k));
	struct synth s = {
		.rate_hz = rate, .bits = 16,
		.poly_d = { -1.0, 8.0 / 65535 }, .poly_p = { 0.0, 0.125 },
		.noise_mm = 0.002, .noise_ul = 0.1, .drift_mm_per_s = 0.0002, .seed = 7,
		.nstrokes = n, .strokes = k,
	};

	if (!k) {
		perror("calloc");
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct synth_stroke){
			.t0 = 0.05 + (double)i * PERIOD_S, .rise_s = 0.003, .cosine = 1,
			.stop_mm = depth[i % 4], .dwell_s = 0.010 + 0.00025 * dose[i / 4 % 4],
			.retract_s = 0.004, .overshoot_mm = 0.02, .ring_hz = 600, .ring_tau_s = 0.001,
			.volume_ul = dose[i / 4 % 4],
		};
	synth_init(&s);
	return s;
}

static struct measure_config config(const struct rcap_header *h)
{
	return (struct measure_config){
		.rate_hz = h->rate_hz, .nchannels = h->nchannels, .displacement = 0,
		.plunger = 1, .maxdata = h->channels[0].maxdata,
		.displacement_cal = h->channels[0].cal, .plunger_cal = h->channels[1].cal,
	};
}

struct tally {
	FILE *csv;
	size_t shots;
};

static void tally(void *ctx, const struct shot *s)
{
	struct tally *t = ctx;

	t->shots++;
	if (t->csv)
		fprintf(t->csv, "%u,%.6f,%.6f,%.6f\n", s->index, s->t_s, s->depth_mm,
			s->volume_ul);
}

static int die(const char *what)
{
	fprintf(stderr, "measure-bench: %s: %s\n", what, rig_last_error());
	return 2;
}

/* The whole capture in memory: the figures are about computing, not disks. */
static uint16_t *load(const char *path, struct rcap_header *h, size_t *scans)
{
	struct rcap_reader r;
	uint16_t *codes;
	size_t got;

	if (rcap_open(&r, path) != 0)
		return NULL;
	codes = malloc((size_t)r.scans * r.h.nchannels * sizeof(*codes));
	if (!codes || rcap_read(&r, codes, (size_t)r.scans, &got) != 0 || got != r.scans) {
		free(codes);
		rcap_close_reader(&r);
		rig_error(RIG_ERR_IO, "%s: cannot load", path);
		return NULL;
	}
	rcap_take_header(&r, h);
	*scans = got;
	rcap_close_reader(&r);
	return codes;
}

static int generate(const char *path, double seconds, double rate)
{
	struct synth s = unit(rate, seconds);
	int rc = synth_write_rcap(&s, path, (uint64_t)(seconds * rate));

	free(s.strokes);
	if (rc)
		perror(path);
	return rc ? 2 : 0;
}

/* Read every byte once, in wide words and independent sums: what the
 * memory system gives one core. */
__attribute__((target("avx2"))) static uint64_t read_all(const uint64_t *w, size_t n)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		a += w[i];
		b += w[i + 1];
		c += w[i + 2];
		d += w[i + 3];
	}
	for (; i < n; i++)
		a += w[i];
	return a + b + c + d;
}

/* One pass of the extractor over the capture in memory; seconds. */
static double extract_once(const struct rcap_header *h, const uint16_t *codes, size_t scans,
			   struct tally *tl)
{
	struct measure_config cfg = config(h);
	struct measure *m;
	double t0;

	if (measure_new(&m, &cfg, tally, tl) != 0)
		exit(die("measure_new"));
	t0 = now();
	for (size_t i = 0; i < scans; i += BLOCK)
		if (measure_feed(m, codes + i * h->nchannels, scans - i < BLOCK ? scans - i : BLOCK))
			exit(die("measure_feed"));
	measure_finish(m);
	t0 = now() - t0;
	measure_free(m);
	return t0;
}

/*
 * rig's extraction and a plain read of the same bytes, in turn, RUNS times:
 * on a shared machine the pair sees the same load, so their ratio is
 * steadier than either figure. Medians of each and of the pair ratios.
 */
static int speed(const char *path, int runs, const char *csv_path)
{
	struct rcap_header h;
	size_t scans, samples, words;
	uint16_t *codes = load(path, &h, &scans);
	double rig[64], rd[64], ratio[64];
	struct tally tl = { 0 };
	uint64_t sink = 0;

	if (!codes)
		return die(path);
	if (runs > 64)
		runs = 64;
	samples = scans * h.nchannels;
	words = samples * sizeof(*codes) / sizeof(uint64_t);
	for (int r = 0; r < runs; r++) {
		double t0;

		tl.shots = 0;
		tl.csv = r == 0 ? fopen(csv_path, "w") : NULL;
		rig[r] = (double)samples / extract_once(&h, codes, scans, &tl);
		if (tl.csv)
			fclose(tl.csv);
		t0 = now();
		sink += read_all((const uint64_t *)(const void *)codes, words);
		rd[r] = (double)(words * 4) / (now() - t0);
		ratio[r] = rig[r] / rd[r];
	}
	printf("samples %zu\nshots %zu\nrig_samples_per_s %.4g\nread_samples_per_s %.4g\n"
	       "read_bytes_per_s %.4g\nrig_over_read %.4g\n(checksum %llu)\n",
	       samples, tl.shots, median(rig, runs), median(rd, runs), 2 * median(rd, runs),
	       median(ratio, runs), (unsigned long long)sink);
	free(codes);
	return 0;
}

/* One second of a 1 MS/s capture, fed again and again: the extractor
 * sees an endless stream (the clock runs on) and must not grow. */
static int rss(double seconds)
{
	const double rate = 1e6;
	struct synth s = unit(rate, 1.0);
	size_t scans = (size_t)rate;
	uint16_t *codes = malloc(2 * scans * sizeof(*codes));
	struct rcap_channel ch[2];
	struct rcap_header h = { .rate_hz = rate, .nchannels = 2, .channels = ch };
	struct measure_config cfg;
	struct measure *m;
	struct tally tl = { 0 };
	struct rusage ru;

	if (!codes)
		return 2;
	synth_codes(&s, 0, scans, codes);
	h.channels[0] = (struct rcap_channel){ .cal = { { -1.0, 8.0 / 65535 }, 1 },
					       .maxdata = 65535 };
	h.channels[1] = (struct rcap_channel){ .cal = { { 0.0, 0.125 }, 1 }, .maxdata = 65535 };
	cfg = config(&h);
	if (measure_new(&m, &cfg, tally, &tl) != 0)
		return die("measure_new");
	for (double t = 0; t < seconds; t += 1.0)
		for (size_t i = 0; i < scans; i += BLOCK)
			if (measure_feed(m, codes + 2 * i, scans - i < BLOCK ? scans - i : BLOCK))
				return die("measure_feed");
	measure_finish(m);
	measure_free(m);
	getrusage(RUSAGE_SELF, &ru);
	printf("stream_s %.0f\nshots %zu\npeak_rss_kb %ld\n", seconds, tl.shots, ru.ru_maxrss);
	free(codes);
	free(s.strokes);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "generate"))
		return generate(argv[2], atof(argv[3]), atof(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "speed"))
		return speed(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "rss"))
		return rss(atof(argv[2]));
	fprintf(stderr, "usage: measure-bench generate FILE SECONDS RATE | speed FILE RUNS CSV | rss "
			"SECONDS\n");
	return 2;
}
