/*
 * The acquisition as a comedi command: every fixture channel once per scan,
 * scans paced by the board's own timer, running until cancelled. The board
 * answers comedi_command_test by adjusting what it cannot do; the rate it
 * settles on is the rate the capture is measured at.
 */
#include <math.h>
#include <string.h>

#include "drivers/comedi/comedi.h"
#include "rig/base/error.h"

/* Timer rounding below this is accepted (and reported in daq->rate_hz);
 * anything further from the fixture's rate is refused. */
#define RATE_TOLERANCE 0.01
/* Rounds of command_test before a board is deemed not to settle. */
#define MAX_ROUNDS 5

static void build(struct cdaq *d, double rate_hz, comedi_cmd *cmd)
{
	double period_ns = floor(1e9 / rate_hz + 0.5);

	memset(cmd, 0, sizeof(*cmd));
	cmd->subdev = d->ai;
	cmd->start_src = TRIG_NOW;
	cmd->scan_begin_src = TRIG_TIMER;
	cmd->scan_begin_arg = period_ns > 4e9 ? 4000000000u : (unsigned)period_ns;
	cmd->convert_src = TRIG_TIMER;
	cmd->convert_arg = 0; /* as fast as the board converts: the channels of a scan
	                         are sampled as close together as it can */
	cmd->scan_end_src = TRIG_COUNT;
	cmd->scan_end_arg = (unsigned)d->cfg->nchannels;
	cmd->stop_src = TRIG_NONE;
	cmd->chanlist = d->chanlist;
	cmd->chanlist_len = (unsigned)d->cfg->nchannels;
}

static int refuse(struct cdaq *d, int ret)
{
	static const char *const why[] = {
		[1] = "a trigger source it does not have",
		[2] = "a combination of trigger sources it does not allow",
		[5] = "this channel list (channels, ranges or references it cannot scan together)",
	};
	const char *reason = ret >= 1 && ret <= 5 && why[ret] ? why[ret] : "the command";

	if (ret < 0)
		return cdaq_lib_error("%s: testing the acquisition command", d->cfg->device);
	return rig_error(RIG_ERR_UNSUPPORTED,
			 "%s: %s refuses a timed continuous scan: %s (command_test stage %d)",
			 cdaq_where(d, 0), d->base.board, reason, ret);
}

int cdaq_negotiate(struct cdaq *d, double rate_hz, double *granted)
{
	comedi_cmd cmd;
	int ret = -1;

	build(d, rate_hz, &cmd);
	for (int round = 0; round < MAX_ROUNDS; round++) {
		ret = comedi_command_test(d->dev, &cmd);
		if (ret != 3 && ret != 4) /* 3, 4: arguments adjusted, test again */
			break;
	}
	if (ret != 0)
		return ret == 3 || ret == 4 ? rig_error(RIG_ERR_DEVICE,
							"%s: %s does not settle on a scan command "
							"after %d rounds of command_test",
							d->cfg->device, d->base.board, MAX_ROUNDS)
					    : refuse(d, ret);
	if (cmd.scan_begin_src != TRIG_TIMER || cmd.scan_begin_arg == 0)
		return refuse(d, 1);
	*granted = 1e9 / cmd.scan_begin_arg;
	if (fabs(*granted - rate_hz) > RATE_TOLERANCE * rate_hz)
		return rig_error(RIG_ERR_INVALID,
				 "%s: daq.rate_hz %g is too %s for %s scanning %zu channels: it grants "
				 "%.6g scans/s (%.6g samples/s in all); set rate_hz %s %.6g or scan "
				 "fewer channels",
				 cdaq_where(d, d->cfg->rate_line), rate_hz,
				 *granted < rate_hz ? "fast" : "slow", d->base.board, d->cfg->nchannels,
				 *granted, *granted * (double)d->cfg->nchannels,
				 *granted < rate_hz ? "at most" : "at least", *granted);
	d->cmd = cmd;
	return 0;
}
