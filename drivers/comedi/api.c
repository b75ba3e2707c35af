/*
 * The Comedi DAQ backend's entry points: open the board the fixture names,
 * refuse it unless it can serve the fixture (board name, channels, ranges,
 * resolution, scan rate), and drive the trigger line.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/backends.h"
#include "drivers/context.h"
#include "drivers/comedi/comedi.h"
#include "rig/base/error.h"

/* At least this much signal fits in the kernel buffer before it overruns. */
#define BUFFER_SECONDS 2.0

/* Seconds on the board clock (INSN_GTOD) since the board was opened: the
 * station clock of a Comedi station. A clock step (NTP) can only shift where
 * a capture starts on it; times within a capture are the board's timer. */
static int cdaq_clock(struct cdaq *d, double *since_open)
{
	lsampl_t tv[2] = { 0, 0 };
	comedi_insn insn = { .insn = INSN_GTOD, .n = 2, .data = tv };

	if (comedi_do_insn(d->dev, &insn) < 0)
		return cdaq_lib_error("%s: reading the board clock (INSN_GTOD)", d->cfg->device);
	if (!d->clock_set) {
		memcpy(d->clock_open, tv, sizeof(tv));
		d->clock_set = 1;
	}
	/* In whole seconds and microseconds: a double of the epoch keeps
	 * only a quarter of a microsecond. */
	*since_open = (double)((int64_t)tv[0] - d->clock_open[0]) +
		      (double)((int64_t)tv[1] - d->clock_open[1]) / 1e6;
	return 0;
}

static int open_device(struct cdaq *d)
{
	const struct fixture_daq *cfg = d->cfg;
	int err;

	if (!cfg->device[0])
		return rig_error(RIG_ERR_INVALID, "%s: daq.device is missing (e.g. \"/dev/comedi0\")",
				 cdaq_where(d, 0));
	d->dev = comedi_open(cfg->device);
	if (d->dev)
		return 0;
	err = comedi_errno();
	if (err == ENOENT)
		return rig_error(RIG_ERR_NODEV,
				 "%s: DAQ device %s does not exist (is the board installed and its "
				 "comedi driver loaded? rig list-devices shows what is present)",
				 cdaq_where(d, cfg->device_line), cfg->device);
	if (err == EACCES || err == EPERM)
		return rig_error(RIG_ERR_NODEV,
				 "%s: DAQ device %s: permission denied (add the station user to the "
				 "group that owns it, e.g. iocard)",
				 cdaq_where(d, cfg->device_line), cfg->device);
	return rig_error(cdaq_errno_code(err), "%s: DAQ device %s cannot be opened: %s",
			 cdaq_where(d, cfg->device_line), cfg->device, comedi_strerror(err));
}

/* The subdevice the fixture names, or the first of the wanted type. */
static int find_subdevice(struct cdaq *d, int given, int type, int alt_type, const char *what,
			  unsigned *out)
{
	int s = given;

	if (s < 0) {
		s = comedi_find_subdevice_by_type(d->dev, type, 0);
		if (s < 0 && alt_type >= 0)
			s = comedi_find_subdevice_by_type(d->dev, alt_type, 0);
		if (s < 0)
			return rig_error(RIG_ERR_DEVICE, "%s: board %s on %s has no %s subdevice",
					 cdaq_where(d, d->cfg->device_line), d->base.board,
					 d->cfg->device, what);
	} else {
		int t = comedi_get_subdevice_type(d->dev, (unsigned)s);

		if (t != type && t != alt_type)
			return rig_error(RIG_ERR_INVALID,
					 "%s: subdevice %d of %s (%s) is not %s (leave it out of "
					 "the fixture to find it)",
					 cdaq_where(d, 0), s, d->base.board, d->cfg->device, what);
	}
	*out = (unsigned)s;
	return 0;
}

static int aref_of(struct cdaq *d, const struct fixture_channel *fc, unsigned *aref)
{
	static const struct {
		unsigned aref;
		int flag;
		const char *name;
	} arefs[] = {
		[FIXTURE_AREF_GROUND] = { AREF_GROUND, SDF_GROUND, "ground" },
		[FIXTURE_AREF_COMMON] = { AREF_COMMON, SDF_COMMON, "common" },
		[FIXTURE_AREF_DIFF] = { AREF_DIFF, SDF_DIFF, "diff" },
		[FIXTURE_AREF_OTHER] = { AREF_OTHER, SDF_OTHER, "other" },
	};
	int flags = comedi_get_subdevice_flags(d->dev, d->ai);

	if (flags < 0)
		return cdaq_lib_error("%s: subdevice flags", d->cfg->device);
	if (!(flags & arefs[fc->aref].flag))
		return rig_error(RIG_ERR_INVALID, "%s: channel %s: %s cannot reference inputs as \"%s\"",
				 cdaq_where(d, fc->line), fc->name, d->base.board,
				 arefs[fc->aref].name);
	*aref = arefs[fc->aref].aref;
	return 0;
}

/* The board range that is exactly the fixture's: its polynomial assumes it. */
static int find_range(struct cdaq *d, const struct fixture_channel *fc, unsigned *index,
		      comedi_range **range)
{
	unsigned chan = (unsigned)fc->number;
	int n = comedi_get_n_ranges(d->dev, d->ai, chan);
	char have[160] = "";
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		comedi_range *r = comedi_get_range(d->dev, d->ai, chan, (unsigned)i);
		double tol = 1e-6 * (fc->range_v[1] - fc->range_v[0]);

		if (!r || r->unit != UNIT_volt)
			continue;
		if (fabs(r->min - fc->range_v[0]) <= tol && fabs(r->max - fc->range_v[1]) <= tol) {
			*index = (unsigned)i;
			*range = r;
			return 0;
		}
		if (len < sizeof(have))
			len += (size_t)snprintf(have + len, sizeof(have) - len, "%s%g..%g", i ? ", " : "",
						r->min, r->max);
	}
	return rig_error(RIG_ERR_INVALID,
			 "%s: channel %s: %s has no %g..%g V range on AI %d (it has %s V; set range_v "
			 "to one of them and the polynomial to match)",
			 cdaq_where(d, fc->line), fc->name, d->base.board, fc->range_v[0],
			 fc->range_v[1], fc->number, have);
}

static int open_channel(struct cdaq *d, const struct cdaq_softcal *cal, size_t i)
{
	const struct fixture_channel *fc = &d->cfg->channels[i];
	struct daq_channel *ch = &d->base.channels[i];
	int nchan = comedi_get_n_channels(d->dev, d->ai);
	unsigned range_index = 0, aref = 0;
	comedi_range *range = NULL;
	lsampl_t maxdata;
	int rc;

	if (fc->number >= nchan)
		return rig_error(RIG_ERR_INVALID,
				 "%s: channel %s is AI %d, but %s on %s has %d analog inputs (wrong "
				 "board or wrong fixture)",
				 cdaq_where(d, fc->line), fc->name, fc->number, d->base.board,
				 d->cfg->device, nchan);
	maxdata = comedi_get_maxdata(d->dev, d->ai, (unsigned)fc->number);
	if (maxdata != (1ull << d->cfg->bits) - 1)
		return rig_error(RIG_ERR_INVALID,
				 "%s: channel %s: %s converts to maxdata %u, not the %u bits the "
				 "fixture says (fix daq.bits and the polynomials)",
				 cdaq_where(d, fc->line), fc->name, d->base.board, (unsigned)maxdata,
				 d->cfg->bits);
	if (maxdata > UINT16_MAX)
		return rig_error(RIG_ERR_UNSUPPORTED,
				 "%s: channel %s: %u-bit converters do not fit rig's 16-bit captures",
				 cdaq_where(d, fc->line), fc->name, d->cfg->bits);
	if ((rc = find_range(d, fc, &range_index, &range)) != 0 || (rc = aref_of(d, fc, &aref)) != 0)
		return rc;
	d->chanlist[i] = CR_PACK((unsigned)fc->number, range_index, aref);
	snprintf(ch->name, sizeof(ch->name), "%s", fc->name);
	snprintf(ch->unit, sizeof(ch->unit), "%s", fc->unit);
	ch->maxdata = (uint32_t)maxdata;
	ch->range_v[0] = range->min;
	ch->range_v[1] = range->max;
	return cdaq_calibrate(d, cal, fc, range_index, range, ch);
}

/* A trigger line is an output, released before anything else happens. */
static int open_line(struct cdaq *d, int line, const char *what)
{
	const struct fixture_daq *cfg = d->cfg;
	int n = comedi_get_n_channels(d->dev, d->dio);
	unsigned bits = 0;

	if (line >= n)
		return rig_error(RIG_ERR_INVALID,
				 "%s: %s %d does not exist: DIO subdevice %u of %s has %d lines",
				 cdaq_where(d, 0), what, line, d->dio, d->base.board, n);
	if (comedi_get_subdevice_type(d->dev, d->dio) == COMEDI_SUBD_DIO &&
	    comedi_dio_config(d->dev, d->dio, (unsigned)line, COMEDI_OUTPUT) < 0)
		return cdaq_lib_error("%s: making DIO line %d an output", cfg->device, line);
	if (comedi_dio_bitfield2(d->dev, d->dio, 1u << (line % 32), &bits,
				 (unsigned)(line - line % 32)) < 0)
		return cdaq_lib_error("%s: releasing trigger line %d", cfg->device, line);
	return 0;
}

/*
 * The fixture's trigger line, and on a board the sockets of a batch share
 * (rig/run/acquire.c) every socket's: whichever socket the board's owner
 * presses for, the others' units never see a floating input.
 */
static int open_trigger(struct cdaq *d, const struct fixture *fx)
{
	int rc;

	for (size_t i = 0; i < fx->nsockets; i++) {
		int line = fx->sockets[i].trigger_line;

		if (line < 0 || line == d->cfg->trigger_line)
			continue;
		if ((rc = open_line(d, line, "a socket's trigger_line")) != 0)
			return rc;
		d->socket_lines |= 1u << line;
	}
	if ((rc = open_line(d, d->cfg->trigger_line, "daq.trigger_line")) != 0)
		return rc;
	d->trigger_ready = 1;
	return d->base.ops->trigger(&d->base, 0);
}

/* Room for BUFFER_SECONDS of scans, within what the kernel lets us have. */
static int open_buffer(struct cdaq *d)
{
	double want = BUFFER_SECONDS * d->cfg->rate_hz * (double)d->cfg->nchannels * d->sample_bytes;
	int max = comedi_get_max_buffer_size(d->dev, d->ai), got;

	if (max < 0)
		return cdaq_lib_error("%s: acquisition buffer size", d->cfg->device);
	if (want > max)
		want = max;
	got = comedi_set_buffer_size(d->dev, d->ai, (unsigned)want);
	if (got < 0)
		return cdaq_lib_error("%s: setting the acquisition buffer to %.0f bytes",
				      d->cfg->device, want);
	d->buffer_bytes = (unsigned)got;
	return 0;
}

static int identify(struct cdaq *d)
{
	const struct fixture_daq *cfg = d->cfg;

	snprintf(d->base.board, sizeof(d->base.board), "%s", comedi_get_board_name(d->dev));
	snprintf(d->base.driver_name, sizeof(d->base.driver_name), "%s",
		 comedi_get_driver_name(d->dev));
	if (cfg->board[0] && strcmp(cfg->board, d->base.board) != 0)
		return rig_error(RIG_ERR_INVALID,
				 "%s: %s is a %s (driver %s), the fixture is for a %s (wrong device "
				 "file or wrong fixture)",
				 cdaq_where(d, cfg->device_line), cfg->device, d->base.board,
				 d->base.driver_name, cfg->board);
	return 0;
}

static int check_streaming(struct cdaq *d)
{
	int flags = comedi_get_subdevice_flags(d->dev, d->ai);

	if (flags < 0)
		return cdaq_lib_error("%s: subdevice flags", d->cfg->device);
	if (!(flags & SDF_CMD_READ))
		return rig_error(RIG_ERR_UNSUPPORTED,
				 "%s: analog input subdevice %u of %s cannot stream hardware-timed "
				 "scans (no comedi command support)",
				 cdaq_where(d, 0), d->ai, d->base.board);
	d->sample_bytes = flags & SDF_LSAMPL ? sizeof(lsampl_t) : sizeof(sampl_t);
	return 0;
}

static int open_all(struct cdaq *d, const struct fixture *fx)
{
	const struct fixture_daq *cfg = d->cfg;
	struct cdaq_softcal *cal = NULL;
	size_t block_bytes = cfg->block_scans * cfg->nchannels;
	double granted, zero;
	int rc;

	if ((rc = open_device(d)) != 0 || (rc = identify(d)) != 0 ||
	    (rc = find_subdevice(d, cfg->ai_subdevice, COMEDI_SUBD_AI, -1, "an analog input",
				 &d->ai)) != 0 ||
	    (rc = find_subdevice(d, cfg->dio_subdevice, COMEDI_SUBD_DIO, COMEDI_SUBD_DO,
				 "a digital output", &d->dio)) != 0 ||
	    (rc = check_streaming(d)) != 0 || (rc = cdaq_softcal_open(d, &cal)) != 0)
		return rc;
	d->base.nchannels = cfg->nchannels;
	for (size_t i = 0; i < cfg->nchannels && !rc; i++)
		rc = open_channel(d, cal, i);
	cdaq_softcal_close(cal);
	if (rc || (rc = open_trigger(d, fx)) != 0 || (rc = open_buffer(d)) != 0 ||
	    (rc = cdaq_negotiate(d, cfg->rate_hz, &granted)) != 0 ||
	    (rc = cdaq_clock(d, &zero)) != 0) /* the station clock starts now */
		return rc;
	d->raw = malloc(block_bytes * d->sample_bytes);
	d->codes = malloc(block_bytes * sizeof(*d->codes));
	if (!d->raw || !d->codes)
		return rig_error(RIG_ERR_NOMEM, "comedi DAQ: out of memory");
	return 0;
}

static void cdaq_close(struct daq *daq)
{
	struct cdaq *d = (struct cdaq *)daq;

	if (!d)
		return;
	if (d->dev) {
		if (d->running)
			comedi_cancel(d->dev, d->ai);
		/* Whatever brought us here, no unit must be left firing. */
		if (d->trigger_ready)
			daq->ops->trigger(daq, 0);
		if (d->socket_lines) {
			unsigned bits = 0;

			comedi_dio_bitfield2(d->dev, d->dio, d->socket_lines, &bits, 0);
		}
		comedi_close(d->dev);
	}
	free(d->raw);
	free(d->codes);
	free(d);
}

static int cdaq_open(struct daq **out, const struct fixture_daq *cfg, struct driver_context *ctx)
{
	struct cdaq *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return rig_error(RIG_ERR_NOMEM, "comedi DAQ: out of memory");
	d->base.ops = &comedi_daq_ops;
	d->cfg = cfg;
	d->fixture = ctx->fx->path;
	rc = open_all(d, ctx->fx);
	if (rc) {
		cdaq_close(&d->base);
		return rc;
	}
	*out = &d->base;
	return 0;
}

static int cdaq_start(struct daq *daq, double rate_hz)
{
	struct cdaq *d = (struct cdaq *)daq;
	double granted, now;
	int rc;

	if (d->running)
		return rig_error(RIG_ERR_INVALID, "comedi DAQ: start while acquiring");
	if ((rc = cdaq_negotiate(d, rate_hz, &granted)) != 0 || (rc = cdaq_stream_start(d)) != 0)
		return rc;
	if ((rc = cdaq_clock(d, &now)) != 0) {
		cdaq_stream_stop(d);
		return rc;
	}
	daq->rate_hz = granted;
	daq->t0_s = now;
	return 0;
}

static int cdaq_read(struct daq *daq, struct daq_block *blk, unsigned timeout_ms)
{
	return cdaq_stream_read((struct cdaq *)daq, blk, timeout_ms);
}

static int cdaq_stop(struct daq *daq)
{
	return cdaq_stream_stop((struct cdaq *)daq);
}

/*
 * One INSN_BITS writes the line and reads the port back in the same
 * instruction: a line that does not follow (not an output, shorted, another
 * program driving it) is caught before the unit is trusted to fire.
 */
static int cdaq_trigger(struct daq *daq, int pressed)
{
	struct cdaq *d = (struct cdaq *)daq;
	unsigned line = (unsigned)d->cfg->trigger_line, bit = 1u << (line % 32);
	unsigned bits = pressed ? bit : 0;

	if (comedi_dio_bitfield2(d->dev, d->dio, bit, &bits, line - line % 32) < 0)
		return cdaq_lib_error("%s: writing trigger line %u", d->cfg->device, line);
	if (!(bits & bit) != !pressed)
		return rig_error(RIG_ERR_DEVICE,
				 "%s: trigger line %u reads %d after writing %d (is it wired to the "
				 "injector and not driven by anything else?)",
				 d->cfg->device, line, !!(bits & bit), !!pressed);
	return 0;
}

const struct daq_ops comedi_daq_ops = {
	.name = "comedi",
	.open = cdaq_open,
	.close = cdaq_close,
	.start = cdaq_start,
	.read = cdaq_read,
	.stop = cdaq_stop,
	.trigger = cdaq_trigger,
};
