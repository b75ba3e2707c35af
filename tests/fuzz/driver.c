/*
 * A deterministic mutational driver for machines without libFuzzer: runs
 * every file named on the command line, then -runs=N mutations of them
 * (bit flips, byte sets, inserts, deletes, splices) from a fixed seed, so a
 * failure reproduces exactly. Accepts libFuzzer's -runs= and
 * -max_total_time= so tests/fuzz/run treats both alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fuzz/fuzz.h"

#define MAX_INPUT 65536

struct input {
	uint8_t *data;
	size_t size;
};

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static void mutate(uint8_t *buf, size_t *size, const struct input *seeds, size_t nseeds)
{
	size_t n = *size, pos = n ? next() % n : 0;

	switch (next() % 5) {
	case 0: if (n) buf[pos] ^= (uint8_t)(1u << (next() % 8)); break;
	case 1: if (n) buf[pos] = (uint8_t)next(); break;
	case 2:
		if (n < MAX_INPUT) {
			memmove(buf + pos + 1, buf + pos, n - pos);
			buf[pos] = (uint8_t)next();
			n++;
		}
		break;
	case 3: if (n) { memmove(buf + pos, buf + pos + 1, n - pos - 1); n--; } break;
	default: {
		const struct input *o = &seeds[next() % nseeds];
		size_t take = o->size ? next() % o->size : 0;

		if (pos + take > MAX_INPUT)
			take = MAX_INPUT - pos;
		memcpy(buf + pos, o->data, take);
		if (pos + take > n)
			n = pos + take;
	}
	}
	*size = n;
}

static int load(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	in->data = malloc(MAX_INPUT);
	in->size = fread(in->data, 1, MAX_INPUT, f);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct input *seeds = calloc((size_t)argc + 1, sizeof(*seeds));
	uint8_t *buf = malloc(MAX_INPUT);
	long runs = 1000, seconds = 0, done = 0;
	size_t nseeds = 0;
	time_t start = time(NULL);

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-runs=", 6))
			runs = atol(argv[i] + 6);
		else if (!strncmp(argv[i], "-max_total_time=", 16))
			seconds = atol(argv[i] + 16), runs = -1;
		else if (argv[i][0] != '-' && load(argv[i], &seeds[nseeds]) == 0)
			LLVMFuzzerTestOneInput(seeds[nseeds].data, seeds[nseeds].size), nseeds++;
	}
	if (!nseeds)
		seeds[nseeds++] = (struct input){ buf, 0 };
	while ((runs < 0 || done < runs) && (!seconds || time(NULL) - start < seconds)) {
		const struct input *s = &seeds[next() % nseeds];
		size_t size = s->size;

		memcpy(buf, s->data, size);
		for (int k = 1 + (int)(next() % 4); k > 0; k--)
			mutate(buf, &size, seeds, nseeds);
		LLVMFuzzerTestOneInput(buf, size);
		done++;
	}
	printf("Done %ld runs in %ld second(s)\n", done + (long)nseeds, (long)(time(NULL) - start));
	for (size_t i = 0; i < nseeds; i++)
		if (seeds[i].data != buf)
			free(seeds[i].data);
	free(seeds);
	free(buf);
	return 0;
}
