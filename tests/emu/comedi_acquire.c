/*
 * The emulated PCI-6221's acquisition: command testing the way ni_pcimio
 * adjusts a command, the kernel's acquisition buffer with its BUFINFO
 * accounting, and read() with the kernel's end-of-stream and overrun
 * semantics (data before an overflow stays readable; then EPIPE).
 *
 * The board runs on a virtual clock: it acquires a chunk whenever the host
 * finds its buffer empty, so a run goes as fast as the sim bench.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/sim/model.h"
#include "tests/emu/sim_active.h"
#include "tests/emu/comedi_emu.h"

#define RAMP_BLOCK_SCANS 1024

static int restrict_src(unsigned *src, unsigned allowed)
{
	unsigned old = *src;

	*src &= allowed;
	return *src == 0 || *src != old;
}

static int clamp_min(unsigned *arg, unsigned min)
{
	if (*arg >= min)
		return 0;
	*arg = min;
	return 1;
}

static int round_timer(unsigned *arg)
{
	unsigned r = (*arg + EMU_TIMER_NS / 2) / EMU_TIMER_NS * EMU_TIMER_NS;

	if (r == *arg)
		return 0;
	*arg = r;
	return 1;
}

/* The stages of a comedi driver's do_cmdtest: 0 when the command is good. */
int emu_cmdtest(comedi_cmd *cmd)
{
	unsigned n = cmd->chanlist_len, conv;
	int err = 0;

	if (cmd->subdev != EMU_AI)
		return -EINVAL;
	err |= restrict_src(&cmd->start_src, TRIG_NOW);
	err |= restrict_src(&cmd->scan_begin_src, TRIG_TIMER);
	err |= restrict_src(&cmd->convert_src, TRIG_TIMER | TRIG_NOW);
	err |= restrict_src(&cmd->scan_end_src, TRIG_COUNT);
	err |= restrict_src(&cmd->stop_src, TRIG_NONE);
	if (err)
		return 1;
	if (cmd->convert_src & (cmd->convert_src - 1))
		return 2;

	if (cmd->start_arg)
		cmd->start_arg = 0, err = 1;
	conv = cmd->convert_src == TRIG_TIMER ? cmd->convert_arg : 0;
	if (cmd->convert_src == TRIG_TIMER)
		err |= clamp_min(&cmd->convert_arg, EMU_AI_NS), conv = cmd->convert_arg;
	err |= clamp_min(&cmd->scan_begin_arg, (conv > EMU_AI_NS ? conv : EMU_AI_NS) * (n ? n : 1));
	if (cmd->scan_end_arg != n)
		cmd->scan_end_arg = n, err = 1;
	if (cmd->stop_arg)
		cmd->stop_arg = 0, err = 1;
	if (err)
		return 3;

	err |= round_timer(&cmd->scan_begin_arg);
	if (cmd->convert_src == TRIG_TIMER)
		err |= round_timer(&cmd->convert_arg);
	if (err)
		return 4;

	if (n == 0 || n > 16 || !cmd->chanlist)
		return 5;
	for (unsigned i = 0; i < n; i++)
		if (CR_CHAN(cmd->chanlist[i]) >= emu.cfg.ai_channels ||
		    CR_RANGE(cmd->chanlist[i]) >= EMU_NRANGES)
			return 5;
	return 0;
}

/* Groups: each chanlist entry plays the sensor of its group's channel. */
static void wire_groups(void)
{
	const struct emu_comedi_config *c = &emu.cfg;

	for (unsigned k = 0; k < emu.cmd.chanlist_len; k++) {
		emu.fixture_of[k] = -1;
		emu.group_of[k] = 0;
		for (unsigned g = 0; g < c->ngroups; g++)
			for (size_t i = 0; i < c->groups[g].daq->nchannels; i++)
				if ((unsigned)c->groups[g].daq->channels[i].number ==
				    CR_CHAN(emu.chanlist[k])) {
					emu.fixture_of[k] = (int)i;
					emu.group_of[k] = (int)g;
				}
	}
	for (unsigned g = 0; g < c->ngroups; g++) {
		if (!emu.signal_ready)
			sim_signal_init(&emu.gsignal[g], c->groups[g].daq, &c->fx->env,
					c->groups[g].seed);
		emu.gt0[g] = c->groups[g].model->now;
		sim_signal_start(&emu.gsignal[g], c->groups[g].model);
	}
	emu.signal_ready = 1;
}

static void wire_sim(void)
{
	const struct fixture_daq *daq = &emu.cfg.fx->daq;

	if (emu.cfg.ngroups) {
		wire_groups();
		return;
	}

	for (unsigned k = 0; k < emu.cmd.chanlist_len; k++) {
		emu.fixture_of[k] = -1;
		for (size_t i = 0; i < daq->nchannels; i++)
			if ((unsigned)daq->channels[i].number == CR_CHAN(emu.chanlist[k]))
				emu.fixture_of[k] = (int)i;
	}
	if (!emu.signal_ready) {
		sim_signal_init(&emu.signal, daq, &emu.cfg.fx->env, emu.cfg.seed);
		emu.signal_ready = 1;
	}
	emu.t0 = emu.model->now;
	sim_signal_start(&emu.signal, emu.model);
}

int emu_cmd(comedi_cmd *cmd)
{
	int stage = emu_cmdtest(cmd);

	if (stage)
		return stage < 0 ? stage : -EAGAIN;
	if (emu.busy)
		return -EBUSY;
	if (emu.cfg.signal == EMU_SIM && !emu.cfg.ngroups && !(emu.model = sim_model_active())) {
		fprintf(stderr, "emulated comedi board: no sim model to play\n");
		return -EIO;
	}
	emu.cmd = *cmd;
	memcpy(emu.chanlist, cmd->chanlist, cmd->chanlist_len * sizeof(unsigned));
	emu.cmd.chanlist = emu.chanlist;
	emu.scan_bytes = cmd->chanlist_len * sizeof(sampl_t);
	emu.rate_hz = 1e9 / cmd->scan_begin_arg;
	emu.busy = emu.running = 1;
	emu.error = 0;
	emu.scans = 0;
	emu.fifo_len = 0;
	emu.write_count = emu.read_count = 0;
	if (emu.cfg.signal == EMU_SIM)
		wire_sim();
	clock_gettime(CLOCK_MONOTONIC, &emu.started);
	emu.stats.commands++;
	emu.stats.scan_period_ns = cmd->scan_begin_arg;
	emu.stats.chanlist_len = cmd->chanlist_len;
	memcpy(emu.stats.chanlist, emu.chanlist, sizeof(emu.stats.chanlist));
	emu.stats.scans_acquired = 0;
	return 0;
}

int emu_cancel(unsigned subdevice)
{
	struct sim_model *m = sim_model_active();

	if (subdevice >= EMU_NSUBDEVICES)
		return -EINVAL;
	if (subdevice != EMU_AI)
		return 0;
	/* The capture is over, however it ended: as the sim DAQ's stop. */
	for (unsigned g = 0; emu.cfg.signal == EMU_SIM && g < emu.cfg.ngroups; g++)
		sim_model_flush_truth(emu.cfg.groups[g].model);
	if (emu.cfg.signal == EMU_SIM && !emu.cfg.ngroups && m)
		sim_model_flush_truth(m);
	if (emu.busy)
		emu.stats.cancels++;
	emu.busy = emu.running = 0;
	return 0;
}

/* Runs asynchronously to the test thread: touches no model. */
void emu_release(void)
{
	emu.busy = emu.running = 0;
	emu.signal_ready = 0;
}

unsigned emu_ai_flags(void)
{
	return (emu.busy ? SDF_BUSY | SDF_BUSY_OWNER : 0) | (emu.running ? SDF_RUNNING : 0);
}

double emu_clock(void)
{
	struct sim_model *m = sim_model_active();

	if (emu.cfg.signal == EMU_SIM && emu.cfg.ngroups)
		return emu.cfg.groups[0].model->now;
	if (emu.cfg.signal == EMU_SIM && m)
		return m->now;
	return emu.rate_hz > 0 ? (double)emu.scans / emu.rate_hz : 0;
}

int emu_bufconfig(comedi_bufconfig *bc)
{
	if (bc->subdevice != EMU_AI)
		return -EINVAL;
	if (bc->maximum_size)
		return -EPERM; /* raising the limit needs CAP_SYS_ADMIN */
	if (bc->size) {
		if (emu.busy)
			return -EBUSY;
		if (bc->size > emu.max_buffer_bytes)
			return -EPERM;
		emu.buffer_bytes = (bc->size + 4095) / 4096 * 4096;
		emu.stats.buffer_bytes = emu.buffer_bytes;
	}
	bc->maximum_size = emu.max_buffer_bytes;
	bc->size = emu.buffer_bytes;
	return 0;
}

/* A sensor's voltage on the range the fixture wired it for, converted by
 * the board on the range the command selected. */
static uint16_t convert(unsigned chanspec, const struct fixture_channel *fc, double x)
{
	double v = 0, range = emu_range_v[CR_RANGE(chanspec)], code;

	if (fc) {
		double full = (double)((1ull << emu.cfg.fx->daq.bits) - 1);

		v = fc->range_v[0] + sim_signal_code(fc->poly, fc->poly_order, x) *
					     (fc->range_v[1] - fc->range_v[0]) / full;
	}
	code = (v + range) / (2 * range) * EMU_MAXDATA;
	return sim_signal_adc(code * (1 + emu.cfg.gain_error) + emu.cfg.offset_codes, EMU_MAXDATA);
}

static void scan_codes(uint64_t s, uint16_t *codes)
{
	unsigned n = emu.cmd.chanlist_len;
	double x[FIXTURE_MAX_CHANNELS];

	if (emu.cfg.signal == EMU_RAMP) {
		for (unsigned k = 0; k < n; k++)
			codes[k] = (uint16_t)((s * n + k) & 0xffff);
		return;
	}
	if (emu.cfg.signal == EMU_CHANNEL) {
		for (unsigned k = 0; k < n; k++)
			codes[k] = (uint16_t)(CR_CHAN(emu.chanlist[k]) << 12 | (s & 0xfff));
		return;
	}
	if (emu.cfg.ngroups) {
		double xg[2][FIXTURE_MAX_CHANNELS];

		for (unsigned g = 0; g < emu.cfg.ngroups; g++)
			sim_signal_scan(&emu.gsignal[g], emu.cfg.groups[g].model,
					emu.gt0[g] + (double)s / emu.rate_hz, xg[g]);
		for (unsigned k = 0; k < n; k++) {
			int f = emu.fixture_of[k], g = emu.group_of[k];

			codes[k] = convert(emu.chanlist[k],
					   f >= 0 ? &emu.cfg.groups[g].daq->channels[f] : NULL,
					   f >= 0 ? xg[g][f] : 0);
		}
		return;
	}
	sim_signal_scan(&emu.signal, emu.model, emu.t0 + (double)s / emu.rate_hz, x);
	for (unsigned k = 0; k < n; k++) {
		int f = emu.fixture_of[k];

		codes[k] = convert(emu.chanlist[k], f >= 0 ? &emu.cfg.fx->daq.channels[f] : NULL,
				   f >= 0 ? x[f] : 0);
	}
}

/* Acquire scans up to (not including) scan `until` into the FIFO. */
static void acquire(uint64_t until)
{
	size_t need = (size_t)(until - emu.scans) * emu.scan_bytes;

	if (emu.fifo_len + need > emu.fifo_cap) {
		emu.fifo_cap = (emu.fifo_len + need) * 2;
		emu.fifo = realloc(emu.fifo, emu.fifo_cap);
		if (!emu.fifo)
			abort();
	}
	for (; emu.scans < until; emu.scans++) {
		uint16_t codes[16];

		scan_codes(emu.scans, codes);
		memcpy(emu.fifo + emu.fifo_len, codes, emu.scan_bytes);
		emu.fifo_len += emu.scan_bytes;
	}
	for (unsigned g = 0; emu.cfg.signal == EMU_SIM && g < emu.cfg.ngroups; g++)
		emu.cfg.groups[g].model->now = emu.gt0[g] + (double)emu.scans / emu.rate_hz;
	if (emu.cfg.signal == EMU_SIM && !emu.cfg.ngroups)
		emu.model->now = emu.t0 + (double)emu.scans / emu.rate_hz;
}

/* Lose what would have come next: the board stops in error. */
static void overflow(void)
{
	emu.running = 0;
	emu.error = 1;
}

/* The host found the buffer empty: the next chunk arrives. */
static void produce(void)
{
	const struct emu_comedi_config *c = &emu.cfg;
	size_t block = (c->fx ? c->fx->daq.block_scans : RAMP_BLOCK_SCANS) * emu.scan_bytes;
	uint64_t target = emu.write_count + (c->chunk_bytes ? c->chunk_bytes : block), until;

	/* Stalled, the buffer ends inside the scan: its first sample is in. */
	if (c->stall_at_scan && !emu.resumed && target > c->stall_at_scan * emu.scan_bytes + 2)
		target = c->stall_at_scan * emu.scan_bytes + 2;
	if (c->realtime) {
		/* The board's clock is the wall clock: no scan before its time. */
		struct timespec now;
		uint64_t due;

		clock_gettime(CLOCK_MONOTONIC, &now);
		due = (uint64_t)(((double)(now.tv_sec - emu.started.tv_sec) +
				  (double)(now.tv_nsec - emu.started.tv_nsec) / 1e9) * emu.rate_hz);
		if (due * emu.scan_bytes <= emu.write_count)
			return;
		if (target > due * emu.scan_bytes)
			target = due * emu.scan_bytes;
	}
	until = (target + emu.scan_bytes - 1) / emu.scan_bytes;
	if (c->overrun_at_scan && until > c->overrun_at_scan) {
		acquire(c->overrun_at_scan);
		emu.write_count = c->overrun_at_scan * emu.scan_bytes;
		overflow();
		return;
	}
	for (unsigned g = 0; c->signal == EMU_SIM && g < c->ngroups; g++) {
		struct sim_model *gm = c->groups[g].model;

		sim_model_advance(gm, emu.gt0[g] + (double)until / emu.rate_hz);
		if (gm->overrun_pending) {
			gm->overrun_pending = 0;
			overflow();
			return;
		}
	}
	if (c->signal == EMU_SIM && !c->ngroups) {
		/* The sim DAQ's pace: schedule shots to the chunk's end first. */
		sim_model_advance(emu.model, emu.t0 + (double)until / emu.rate_hz);
		if (emu.model->overrun_pending) {
			emu.model->overrun_pending = 0;
			overflow();
			return;
		}
	}
	acquire(until);
	if (target > emu.write_count)
		emu.write_count = target;
	emu.stats.scans_acquired = emu.write_count / emu.scan_bytes;
}

int emu_bufinfo(comedi_bufinfo *bi)
{
	if (bi->subdevice != EMU_AI || !emu.busy)
		return -EINVAL;
	if (emu.write_count == emu.read_count && emu.running)
		produce();
	if (emu.write_count == emu.read_count && !emu.running && !emu.cfg.old_kernel) {
		/* Drained after the end: since Linux 4.x the kernel lets go of the
		 * subdevice here and reports an overflow; older ones wait for read(). */
		emu.busy = 0;
		if (emu.error)
			return -EPIPE;
	}
	bi->bytes_read = 0;
	bi->bytes_written = 0;
	bi->buf_write_count = (unsigned)emu.write_count;
	bi->buf_read_count = (unsigned)emu.read_count;
	bi->buf_write_ptr = emu.buffer_bytes ? (unsigned)(emu.write_count % emu.buffer_bytes) : 0;
	bi->buf_read_ptr = emu.buffer_bytes ? (unsigned)(emu.read_count % emu.buffer_bytes) : 0;
	return 0;
}

long emu_read(uint8_t *buf, size_t count)
{
	size_t avail, n;

	if (!emu.busy)
		return 0;
	if (count > emu.stats.most_read_bytes)
		emu.stats.most_read_bytes = count;
	if (emu.write_count == emu.read_count && emu.running)
		produce();
	avail = (size_t)(emu.write_count - emu.read_count);
	if (avail == 0) {
		if (emu.running) {
			fprintf(stderr, "emulated comedi board: read() would block forever\n");
			return -EDEADLK;
		}
		emu.busy = 0;
		return emu.error ? -EPIPE : 0;
	}
	n = count < avail ? count : avail;
	memcpy(buf, emu.fifo, n);
	memmove(emu.fifo, emu.fifo + n, emu.fifo_len - n);
	emu.fifo_len -= n;
	emu.read_count += n;
	emu.stats.reads++;
	return (long)n;
}
