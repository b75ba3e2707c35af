/*
 * Which polynomial turns a channel's codes into its unit.
 *
 * The fixture's polynomial maps the code an ideal converter would give on
 * the fixture's range to the sensor's unit. A real board's converter has
 * gain and offset errors of its own (NI M-series boards are not trimmed in
 * hardware at all): comedi_soft_calibrate measures them against the board's
 * reference and writes a calibration file whose polynomial maps the real
 * code to volts. When that file covers a channel, the two are composed:
 *
 *   unit = P_fixture(ideal code of S_board(code))
 *
 * so the capture carries one code-to-unit polynomial, as rcap files and
 * the measurement engine expect.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/comedi/comedi.h"
#include "rig/base/error.h"

#define MAXP FIXTURE_MAX_POLY /* coefficients a channel polynomial can hold */

struct cdaq_softcal {
	comedi_calibration_t *cal;
	char name[64];   /* file name, for the channel's provenance */
};

static int load(struct cdaq *d, const char *path, int explicit, struct cdaq_softcal **out)
{
	comedi_calibration_t *cal;
	struct cdaq_softcal *sc;
	char copy[4096];

	if (access(path, F_OK) != 0) {
		if (!explicit)
			return 0;
		return rig_error(RIG_ERR_INVALID,
				 "%s: daq.calibration_file %s does not exist (run comedi_soft_calibrate, "
				 "or leave the key out to use the fixture's polynomials)",
				 cdaq_where(d, 0), path);
	}
	cal = comedi_parse_calibration_file(path);
	if (!cal)
		return rig_error(RIG_ERR_INVALID,
				 "%s: %s is not a comedilib calibration file (regenerate it with "
				 "comedi_soft_calibrate)",
				 cdaq_where(d, 0), path);
	if (!cal->driver_name || !cal->board_name ||
	    strcmp(cal->driver_name, d->base.driver_name) != 0 ||
	    strcmp(cal->board_name, d->base.board) != 0) {
		int rc = rig_error(RIG_ERR_INVALID,
				   "%s: calibration file %s is for a %s (%s), the board is a %s (%s)",
				   cdaq_where(d, 0), path, cal->board_name ? cal->board_name : "?",
				   cal->driver_name ? cal->driver_name : "?", d->base.board,
				   d->base.driver_name);

		comedi_cleanup_calibration(cal);
		return rc;
	}
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		comedi_cleanup_calibration(cal);
		return rig_error(RIG_ERR_NOMEM, "comedi DAQ: out of memory");
	}
	sc->cal = cal;
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(sc->name, sizeof(sc->name), "%s", basename(copy));
	*out = sc;
	return 0;
}

int cdaq_softcal_open(struct cdaq *d, struct cdaq_softcal **out)
{
	const char *given = d->cfg->calibration_file;
	char *path;
	int rc;

	*out = NULL;
	if (given[0])
		return load(d, given, 1, out);
	path = comedi_get_default_calibration_path(d->dev);
	if (!path)
		return 0;
	rc = load(d, path, 0, out);
	free(path);
	return rc;
}

void cdaq_softcal_close(struct cdaq_softcal *sc)
{
	if (!sc)
		return;
	comedi_cleanup_calibration(sc->cal);
	free(sc);
}

static double binomial(unsigned n, unsigned k)
{
	double c = 1;

	for (unsigned i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

/* Multiply a (order na) by b (order nb) into out; order na + nb < 2 * MAXP. */
static void multiply(const double *a, int na, const double *b, int nb, double *out)
{
	for (int i = 0; i <= na + nb; i++)
		out[i] = 0;
	for (int i = 0; i <= na; i++)
		for (int j = 0; j <= nb; j++)
			out[i + j] += a[i] * b[j];
}

/*
 * fixture o (ideal code o board), in plain powers of the code. The board's
 * polynomial is in powers of (code - origin): expand it first.
 */
static int compose(struct cdaq *d, const struct fixture_channel *fc, const comedi_range *range,
		   uint32_t maxdata, const comedi_polynomial_t *board, struct daq_channel *ch)
{
	double q[MAXP] = { 0 }, power[2 * MAXP] = { 1 }, next[2 * MAXP], out[MAXP] = { 0 };
	double scale = maxdata / (range->max - range->min), o = board->expansion_origin;
	int nq = (int)board->order, np = 0;

	if (nq >= MAXP)
		nq = MAXP - 1;
	for (int k = 0; k <= nq; k++) {
		for (int i = k; i <= nq; i++) {
			double term = board->coefficients[i] * binomial((unsigned)i, (unsigned)k);

			for (int e = 0; e < i - k; e++)
				term *= -o;
			q[k] += term;
		}
		q[k] *= scale;
	}
	q[0] -= range->min * scale;
	while (nq > 0 && q[nq] == 0)
		nq--;
	if (nq == 0)
		return rig_error(RIG_ERR_INVALID,
				 "%s: channel %s: the board's soft calibration for AI %d is a "
				 "constant (regenerate the calibration file)",
				 cdaq_where(d, fc->line), fc->name, fc->number);
	if (fc->poly_order * nq >= MAXP)
		return rig_error(RIG_ERR_UNSUPPORTED,
				 "%s: channel %s: an order-%d polynomial on the board's order-%d soft "
				 "calibration exceeds a cubic (give the sensor a linear polynomial)",
				 cdaq_where(d, fc->line), fc->name, fc->poly_order, nq);
	for (int j = 0; j <= fc->poly_order; j++) {
		for (int k = 0; k <= np; k++)
			out[k] += fc->poly[j] * power[k];
		if (j < fc->poly_order) {
			multiply(power, np, q, nq, next);
			np += nq;
			memcpy(power, next, sizeof(next));
		}
	}
	memcpy(ch->poly, out, sizeof(ch->poly));
	ch->poly_order = fc->poly_order * nq;
	return 0;
}

int cdaq_calibrate(struct cdaq *d, const struct cdaq_softcal *sc, const struct fixture_channel *fc,
		   unsigned range_index, const comedi_range *range, struct daq_channel *ch)
{
	const char *cert = fc->cert.id[0] ? fc->cert.id : "fixture polynomial";
	comedi_polynomial_t board;
	int rc;

	if (sc && comedi_get_softcal_converter(d->ai, (unsigned)fc->number, range_index,
					       COMEDI_TO_PHYSICAL, sc->cal, &board) == 0) {
		if ((rc = compose(d, fc, range, ch->maxdata, &board, ch)) != 0)
			return rc;
		/* Truncated, it still names the certificate first. */
		if (snprintf(ch->calibration, sizeof(ch->calibration), "%s + comedi softcal %s",
			     cert, sc->name) < 0)
			ch->calibration[0] = 0;
		return 0;
	}
	memcpy(ch->poly, fc->poly, sizeof(ch->poly));
	ch->poly_order = fc->poly_order;
	snprintf(ch->calibration, sizeof(ch->calibration), "%s", cert);
	return 0;
}
