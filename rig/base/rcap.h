#ifndef RIG_BASE_RCAP_H
#define RIG_BASE_RCAP_H

/*
 * Raw capture files (*.rcap, docs/design.md): "RCAP1\n", one line of
 * JSON header, then little-endian uint16 codes, one scan after another,
 * channels in header order. What a DAQ delivered, kept byte for byte so any
 * result can be measured again (rig measure).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rig/base/calibration.h"

/* The header line's bound: it bounds the channels too (any number the
 * format allows: about 1800 of the shortest). */
#define RCAP_MAX_HEADER (64u << 10)

struct rcap_channel {
	char name[32];
	char unit[16];
	struct calibration cal;
	uint32_t maxdata;       /* "maxdata" header key; 65535 when absent */
	char calibration[80];   /* where cal came from: certificate ID, "comedi softcal" */
};

struct rcap_header {
	double rate_hz;
	double t0_s;
	size_t nchannels;
	/* nchannels of them: the caller's when writing; when reading,
	 * rcap_open's, freed by rcap_close_reader unless taken. */
	struct rcap_channel *channels;
	char extra[1024];       /* further header keys as a JSON object text (writer only) */
};

struct rcap_writer {
	FILE *f;
	char path[4096];
	size_t nchannels;
	uint64_t scans;
};

int rcap_create(struct rcap_writer *w, const char *path, const struct rcap_header *h);
int rcap_write(struct rcap_writer *w, const uint16_t *codes, size_t nscans);
/* Flush and fsync; the file is complete on disk when this returns 0. */
int rcap_close(struct rcap_writer *w);

struct rcap_reader {
	FILE *f;
	char path[4096];
	struct rcap_header h;
	uint64_t scans;         /* complete scans in the file */
	int trailing_bytes;     /* a truncated last scan (reported, ignored) */
};

int rcap_open(struct rcap_reader *r, const char *path);
/* Read up to max scans into codes (host order); *got 0 at end of file. */
int rcap_read(struct rcap_reader *r, uint16_t *codes, size_t max, size_t *got);
void rcap_close_reader(struct rcap_reader *r);
/* The reader's header, kept beyond rcap_close_reader: its channels are
 * the caller's to free with rcap_header_release. */
void rcap_take_header(struct rcap_reader *r, struct rcap_header *h);
void rcap_header_release(struct rcap_header *h);

#endif
