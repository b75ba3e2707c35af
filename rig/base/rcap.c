#include "rig/base/rcap.h"

#include <endian.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/base/file.h"

#define MAGIC "RCAP1\n"

static json_t *header_json(const struct rcap_header *h)
{
	json_t *root = h->extra[0] ? json_loads(h->extra, 0, NULL) : json_object();
	json_t *chans = json_array();

	if (!root || !json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	json_object_set_new(root, "rate_hz", json_real(h->rate_hz));
	json_object_set_new(root, "t0_s", json_real(h->t0_s));
	for (size_t i = 0; i < h->nchannels; i++) {
		const struct rcap_channel *c = &h->channels[i];
		json_t *poly = json_array();

		for (int k = 0; k <= c->cal.order; k++)
			json_array_append_new(poly, json_real(c->cal.poly[k]));
		json_t *cj = json_pack("{s:s, s:s, s:o, s:I}", "name", c->name, "unit", c->unit,
				       "poly", poly, "maxdata", (json_int_t)c->maxdata);

		if (c->calibration[0])
			json_object_set_new(cj, "calibration", json_string(c->calibration));
		json_array_append_new(chans, cj);
	}
	json_object_set_new(root, "channels", chans);
	return root;
}

int rcap_create(struct rcap_writer *w, const char *path, const struct rcap_header *h)
{
	json_t *j = header_json(h);
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	int rc = 0;

	json_decref(j);
	memset(w, 0, sizeof(*w));
	if ((rc = path_format(w->path, sizeof(w->path), "%s", path)) != 0) {
		free(text);
		return rc;
	}
	w->nchannels = h->nchannels;
	if (!text)
		return rig_error(RIG_ERR_NOMEM, "%s: cannot encode header", path);
	rc = file_create(path, &w->f);
	if (!rc && (fputs(MAGIC, w->f) < 0 || fputs(text, w->f) < 0 || fputc('\n', w->f) < 0))
		rc = rig_error_errno(RIG_ERR_IO, "%s: write failed", path);
	free(text);
	if (rc && w->f) {
		fclose(w->f);
		w->f = NULL;
	}
	return rc;
}

int rcap_write(struct rcap_writer *w, const uint16_t *codes, size_t nscans)
{
	size_t n = nscans * w->nchannels;

#if __BYTE_ORDER == __LITTLE_ENDIAN
	if (fwrite(codes, sizeof(*codes), n, w->f) != n)
		return rig_error_errno(RIG_ERR_IO, "%s: write failed", w->path);
#else
	for (size_t i = 0; i < n; i++) {
		uint16_t le = htole16(codes[i]);

		if (fwrite(&le, 2, 1, w->f) != 1)
			return rig_error_errno(RIG_ERR_IO, "%s: write failed", w->path);
	}
#endif
	w->scans += nscans;
	return 0;
}

int rcap_close(struct rcap_writer *w)
{
	int rc = file_close_synced(w->f, w->path);

	w->f = NULL;
	return rc;
}

static int bad_header(const struct rcap_reader *r, const char *what)
{
	return rig_error(RIG_ERR_INVALID, "%s:2: %s (not a conforming raw capture header)", r->path,
			 what);
}

static int read_channel(struct rcap_reader *r, json_t *c, struct rcap_channel *ch)
{
	json_t *poly = json_object_get(c, "poly");
	json_t *maxdata = json_object_get(c, "maxdata");
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *unit = json_string_value(json_object_get(c, "unit"));
	const char *cal = json_string_value(json_object_get(c, "calibration"));
	size_t np = json_array_size(poly);

	if (!json_is_object(c) || !name || !json_is_array(poly) || np < 1 ||
	    np > FIXTURE_MAX_POLY)
		return bad_header(r, "each channel needs a name and a poly of 1 to 4 numbers");
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	snprintf(ch->unit, sizeof(ch->unit), "%s", unit ? unit : "");
	snprintf(ch->calibration, sizeof(ch->calibration), "%s", cal ? cal : "");
	ch->cal.order = (int)np - 1;
	for (size_t k = 0; k < np; k++) {
		json_t *v = json_array_get(poly, k);

		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return bad_header(r, "poly coefficients must be finite numbers");
		ch->cal.poly[k] = json_number_value(v);
	}
	ch->maxdata = 65535;
	if (maxdata) {
		if (!json_is_integer(maxdata) || json_integer_value(maxdata) < 1 ||
		    json_integer_value(maxdata) > 65535)
			return bad_header(r, "maxdata must be an integer 1..65535");
		ch->maxdata = (uint32_t)json_integer_value(maxdata);
	}
	return 0;
}

static int parse_header(struct rcap_reader *r, const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err), *chans;
	int rc = 0;

	if (!root)
		return rig_error(RIG_ERR_INVALID, "%s:2: header is not JSON: %s (column %d)",
				 r->path, err.text, err.column);
	chans = json_object_get(root, "channels");
	if (!json_is_object(root) || !json_is_number(json_object_get(root, "rate_hz")) ||
	    !json_is_array(chans)) {
		rc = bad_header(r, "needs rate_hz and channels");
		goto out;
	}
	/* Every time in the capture is counted from t0_s: without it, the
	 * onsets would be on no clock at all. */
	if (!json_is_number(json_object_get(root, "t0_s")) ||
	    !isfinite(json_number_value(json_object_get(root, "t0_s")))) {
		rc = bad_header(r, "t0_s must be a finite number (the capture's start on the bench clock)");
		goto out;
	}
	r->h.rate_hz = json_number_value(json_object_get(root, "rate_hz"));
	r->h.t0_s = json_number_value(json_object_get(root, "t0_s"));
	r->h.nchannels = json_array_size(chans);
	if (!(r->h.rate_hz > 0) || !isfinite(r->h.rate_hz) || r->h.nchannels == 0) {
		rc = bad_header(r, "rate_hz must be positive and there must be at least one channel");
		goto out;
	}
	if (!(r->h.channels = calloc(r->h.nchannels, sizeof(*r->h.channels)))) {
		rc = rig_error(RIG_ERR_NOMEM, "%s:2: %zu channels: out of memory", r->path,
			       r->h.nchannels);
		goto out;
	}
	for (size_t i = 0; i < r->h.nchannels && !rc; i++)
		rc = read_channel(r, json_array_get(chans, i), &r->h.channels[i]);
	/* Two channels of one name: which one is the needle? */
	for (size_t i = 0; i < r->h.nchannels && !rc; i++)
		for (size_t j = 0; j < i && !rc; j++)
			if (!strcmp(r->h.channels[i].name, r->h.channels[j].name))
				rc = rig_error(RIG_ERR_INVALID, "%s:2: channels %zu and %zu are both "
					       "named \"%s\"", r->path, j + 1, i + 1,
					       r->h.channels[i].name);
out:
	json_decref(root);
	return rc;
}

int rcap_open(struct rcap_reader *r, const char *path)
{
	char magic[sizeof(MAGIC)] = "";
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct stat st;
	long data_at;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = path_format(r->path, sizeof(r->path), "%s", path)) != 0)
		return rc;
	r->f = fopen(path, "rb");
	if (!r->f)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot open", path);
	if (fread(magic, 1, strlen(MAGIC), r->f) != strlen(MAGIC) || strcmp(magic, MAGIC) != 0) {
		rcap_close_reader(r);
		return rig_error(RIG_ERR_INVALID, "%s:1: not a raw capture (expected \"RCAP1\")",
				 path);
	}
	len = getline(&line, &cap, r->f);
	if (len <= 0 || len > (ssize_t)RCAP_MAX_HEADER || line[len - 1] != '\n') {
		free(line);
		rcap_close_reader(r);
		return rig_error(RIG_ERR_INVALID, "%s:2: missing or oversized header line", path);
	}
	rc = parse_header(r, line);
	free(line);
	if (rc) {
		rcap_close_reader(r);
		return rc;
	}
	data_at = ftell(r->f);
	if (fstat(fileno(r->f), &st) == 0 && data_at >= 0) {
		uint64_t bytes = (uint64_t)(st.st_size - data_at), scan = 2 * r->h.nchannels;

		r->scans = bytes / scan;
		r->trailing_bytes = (int)(bytes % scan);
	}
	return 0;
}

int rcap_read(struct rcap_reader *r, uint16_t *codes, size_t max, size_t *got)
{
	size_t nch = r->h.nchannels;
	size_t n = fread(codes, 2 * nch, max, r->f);

	if (ferror(r->f))
		return rig_error_errno(RIG_ERR_IO, "%s: read failed", r->path);
	for (size_t i = 0; i < n * nch; i++)
		codes[i] = le16toh(codes[i]);
	*got = n;
	return 0;
}

void rcap_close_reader(struct rcap_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
	rcap_header_release(&r->h);
}

void rcap_take_header(struct rcap_reader *r, struct rcap_header *h)
{
	*h = r->h;
	r->h.channels = NULL;
}

void rcap_header_release(struct rcap_header *h)
{
	free(h->channels);
	h->channels = NULL;
}
