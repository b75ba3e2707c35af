/*
 * The emulated PCI-6221's device node and what it answers outside of
 * acquisition: device and subdevice information, channel ranges, and the
 * instructions comedilib sends (INSN_GTOD while opening, DIO configuration
 * and writes for the trigger line). Pointers inside ioctl arguments point
 * into the client: umockdev_ioctl_data_resolve() copies them here and back.
 */
#include <check.h>
#include <errno.h>
#include <glib-object.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "drivers/sim/model.h"
#include "tests/emu/sim_active.h"
#include "tests/emu/comedi_emu.h"

struct emu_board emu;
const double emu_range_v[EMU_NRANGES] = { 10, 5, 1, 0.2 };

static UMockdevTestbed *testbed;
static UMockdevIoctlBase *handler;
static GMutex lock;

/* ni_pcimio's subdevices on an M-series board, as comedi numbers them. */
static const struct {
	unsigned type, n_chan, maxdata, flags, nranges;
} subdevs[EMU_NSUBDEVICES] = {
	[EMU_AI] = { COMEDI_SUBD_AI, 16, EMU_MAXDATA,
		     SDF_READABLE | SDF_DIFF | SDF_GROUND | SDF_COMMON | SDF_OTHER | SDF_CMD_READ |
			     SDF_SOFT_CALIBRATED,
		     EMU_NRANGES },
	[1] = { COMEDI_SUBD_AO, 2, EMU_MAXDATA, SDF_WRITABLE | SDF_GROUND | SDF_CMD_WRITE, 1 },
	[EMU_DIO] = { COMEDI_SUBD_DIO, EMU_DIO_LINES, 1, SDF_READABLE | SDF_WRITABLE, 1 },
	[3] = { COMEDI_SUBD_UNUSED, 0, 0, 0, 1 },
	[4] = { COMEDI_SUBD_UNUSED, 0, 0, 0, 1 },
	[5] = { COMEDI_SUBD_CALIB, 1, 0xfff, SDF_WRITABLE | SDF_INTERNAL, 1 },
	[6] = { COMEDI_SUBD_MEMORY, 1024, 0xff, SDF_READABLE | SDF_INTERNAL, 1 },
	[7] = { COMEDI_SUBD_DIO, 16, 1, SDF_READABLE | SDF_WRITABLE | SDF_INTERNAL, 1 },
	[8] = { COMEDI_SUBD_UNUSED, 0, 0, 0, 1 },
	[9] = { COMEDI_SUBD_UNUSED, 0, 0, 0, 1 },
	[10] = { COMEDI_SUBD_DIO, 11, 1, SDF_READABLE | SDF_WRITABLE | SDF_INTERNAL, 1 },
	[11] = { COMEDI_SUBD_COUNTER, 3, 0xffffffffu, SDF_READABLE | SDF_WRITABLE | SDF_LSAMPL, 1 },
	[12] = { COMEDI_SUBD_COUNTER, 3, 0xffffffffu, SDF_READABLE | SDF_WRITABLE | SDF_LSAMPL, 1 },
	[13] = { COMEDI_SUBD_COUNTER, 1, 0xf, SDF_READABLE, 1 },
};

static unsigned n_chan(unsigned s)
{
	return s == EMU_AI ? emu.cfg.ai_channels : subdevs[s].n_chan;
}

static void devinfo(comedi_devinfo *di)
{
	memset(di, 0, sizeof(*di));
	di->version_code = 0 << 16 | 7 << 8 | 76; /* comedi 0.7.76, as Linux reports */
	di->n_subdevs = EMU_NSUBDEVICES;
	snprintf(di->driver_name, sizeof(di->driver_name), "ni_pcimio");
	snprintf(di->board_name, sizeof(di->board_name), "%s", emu.cfg.board);
	di->read_subdevice = EMU_AI;
	di->write_subdevice = 1;
}

static void subdinfo(comedi_subdinfo *si)
{
	for (unsigned s = 0; s < EMU_NSUBDEVICES; s++) {
		memset(&si[s], 0, sizeof(si[s]));
		si[s].type = subdevs[s].type;
		si[s].n_chan = n_chan(s);
		si[s].subd_flags = subdevs[s].flags | (s == EMU_AI ? emu_ai_flags() : 0);
		si[s].len_chanlist = s == EMU_AI ? 4095 : 1;
		si[s].maxdata = subdevs[s].maxdata;
		si[s].range_type = s << 24 | subdevs[s].nranges;
		si[s].insn_bits_support = subdevs[s].type == COMEDI_SUBD_DIO ? COMEDI_SUPPORTED
									     : COMEDI_UNSUPPORTED;
	}
}

static int rangeinfo(unsigned range_type, comedi_krange *kr)
{
	unsigned s = range_type >> 24 & 0xff, n = range_type & 0xffff;

	if (s >= EMU_NSUBDEVICES || n != subdevs[s].nranges)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		double v = s == EMU_AI ? emu_range_v[i] : s == 1 ? 10 : 1;

		kr[i].min = subdevs[s].type == COMEDI_SUBD_DIO ? 0 : (int)lround(-v * 1e6);
		kr[i].max = (int)lround(v * 1e6);
		kr[i].flags = UNIT_volt;
	}
	return 0;
}

/* The port after writing bits under mask; the trigger line's edges play
 * into the sim model like the sim DAQ's trigger does. */
static unsigned write_dio(unsigned mask, unsigned bits)
{
	unsigned line = emu.cfg.fx ? (unsigned)emu.cfg.fx->daq.trigger_line : 0;
	unsigned before = emu.stats.dio_state & emu.stats.dio_outputs, after;
	struct sim_model *m = sim_model_active();

	mask &= emu.stats.dio_outputs;
	emu.stats.dio_state = (emu.stats.dio_state & ~mask) | (bits & mask);
	after = emu.stats.dio_state & emu.stats.dio_outputs;
	for (unsigned l = 0; l < EMU_DIO_LINES; l++) {
		emu.stats.line_presses[l] += (~before & after) >> l & 1;
		if (emu.running && (before & ~after) >> l & 1)
			emu.stats.released_running |= 1u << l;
		/* A group's trigger line fires its model. */
		for (unsigned g = 0; emu.cfg.signal == EMU_SIM && g < emu.cfg.ngroups; g++)
			if ((unsigned)emu.cfg.groups[g].trigger_line == l && ((after ^ before) >> l & 1))
				sim_model_trigger(emu.cfg.groups[g].model, (int)(after >> l & 1));
	}
	if ((after ^ before) >> line & 1) {
		int level = after >> line & 1;

		emu.stats.trigger_presses += (unsigned)level;
		if (emu.cfg.signal == EMU_SIM && !emu.cfg.ngroups && m)
			sim_model_trigger(m, level);
	}
	return emu.cfg.trigger_stuck ? after & ~(1u << line) : after;
}

static int insn(comedi_insn *in, lsampl_t *data)
{
	unsigned s = in->subdev, chan = CR_CHAN(in->chanspec);

	if (in->insn == INSN_GTOD) {
		double t = emu_clock(), sec = floor(t);
		long usec = lround((t - sec) * 1e6);

		if (in->n != 2)
			return -EINVAL;
		data[0] = 1700000000u + (lsampl_t)sec + (usec >= 1000000);
		data[1] = (lsampl_t)(usec % 1000000);
		return 2;
	}
	if (s >= EMU_NSUBDEVICES || subdevs[s].type != COMEDI_SUBD_DIO)
		return -EINVAL;
	if (s != EMU_DIO) { /* PFI and RTSI lines: present, unwired */
		if (in->n && in->insn != INSN_CONFIG)
			data[in->n - 1] = 0;
		return (int)in->n;
	}
	switch (in->insn) {
	case INSN_BITS:
		if (in->n != 2 || chan != 0)
			return -EINVAL;
		data[1] = write_dio(data[0], data[1]);
		return 2;
	case INSN_WRITE:
		if (chan >= EMU_DIO_LINES)
			return -EINVAL;
		for (unsigned i = 0; i < in->n; i++)
			write_dio(1u << chan, data[i] ? 1u << chan : 0);
		return (int)in->n;
	case INSN_CONFIG:
		if (in->n < 1 || chan >= EMU_DIO_LINES)
			return -EINVAL;
		if (data[0] == INSN_CONFIG_DIO_OUTPUT)
			emu.stats.dio_outputs |= 1u << chan;
		else if (data[0] == INSN_CONFIG_DIO_INPUT)
			emu.stats.dio_outputs &= ~(1u << chan);
		else if (data[0] == INSN_CONFIG_DIO_QUERY && in->n >= 2)
			data[1] = emu.stats.dio_outputs >> chan & 1 ? COMEDI_OUTPUT : COMEDI_INPUT;
		else
			return -EINVAL;
		return (int)in->n;
	default:
		return -EINVAL;
	}
}

/* Resolve pointer field at offset of d (len bytes); NULL when it is NULL. */
static UMockdevIoctlData *child(UMockdevIoctlData *d, size_t offset, size_t len)
{
	return len ? umockdev_ioctl_data_resolve(d, offset, len, NULL) : NULL;
}

static int insn_at(UMockdevIoctlData *insns, size_t i)
{
	comedi_insn *in = (comedi_insn *)(insns->data + i * sizeof(comedi_insn));
	UMockdevIoctlData *data =
		child(insns, i * sizeof(comedi_insn) + offsetof(comedi_insn, data),
		      in->n * sizeof(lsampl_t));
	int ret;

	if (in->n && !data)
		return -EFAULT;
	ret = insn(in, data ? (lsampl_t *)data->data : NULL);
	if (data)
		g_object_unref(data);
	return ret;
}

static int chaninfo(UMockdevIoctlData *arg)
{
	comedi_chaninfo *ci = (comedi_chaninfo *)arg->data;
	unsigned s = ci->subdev;

	if (s >= EMU_NSUBDEVICES)
		return -EINVAL;
	/* Per-channel lists are only asked for when SDF_MAXDATA, SDF_FLAGS or
	 * SDF_RANGETYPE is set, which this board never sets. */
	if (ci->maxdata_list || ci->flaglist || ci->rangelist)
		return -EINVAL;
	return 0;
}

static int dispatch(unsigned req, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d = NULL, *c = NULL;
	int ret = -ENOTTY;

	switch (req) {
	case COMEDI_DEVINFO:
		d = child(arg, 0, sizeof(comedi_devinfo));
		devinfo((comedi_devinfo *)d->data);
		ret = 0;
		break;
	case COMEDI_SUBDINFO:
		d = child(arg, 0, EMU_NSUBDEVICES * sizeof(comedi_subdinfo));
		subdinfo((comedi_subdinfo *)d->data);
		ret = 0;
		break;
	case COMEDI_CHANINFO:
		d = child(arg, 0, sizeof(comedi_chaninfo));
		ret = chaninfo(d);
		break;
	case COMEDI_RANGEINFO: {
		comedi_rangeinfo *ri;

		d = child(arg, 0, sizeof(comedi_rangeinfo));
		ri = (comedi_rangeinfo *)d->data;
		c = child(d, offsetof(comedi_rangeinfo, range_ptr),
			  (ri->range_type & 0xffff) * sizeof(comedi_krange));
		ret = c ? rangeinfo(ri->range_type, (comedi_krange *)c->data) : -EFAULT;
		break;
	}
	case COMEDI_INSN:
		d = child(arg, 0, sizeof(comedi_insn));
		ret = insn_at(d, 0);
		break;
	case COMEDI_INSNLIST: {
		comedi_insnlist *il;

		d = child(arg, 0, sizeof(comedi_insnlist));
		il = (comedi_insnlist *)d->data;
		c = child(d, offsetof(comedi_insnlist, insns), il->n_insns * sizeof(comedi_insn));
		ret = c ? 0 : -EFAULT;
		for (unsigned i = 0; c && i < il->n_insns && ret >= 0; i++)
			if ((ret = insn_at(c, i)) >= 0)
				ret = (int)i + 1;
		break;
	}
	case COMEDI_CMDTEST:
	case COMEDI_CMD: {
		comedi_cmd *cmd;

		d = child(arg, 0, sizeof(comedi_cmd));
		cmd = (comedi_cmd *)d->data;
		c = child(d, offsetof(comedi_cmd, chanlist), cmd->chanlist_len * sizeof(unsigned));
		cmd->chanlist = c ? (unsigned *)c->data : NULL;
		ret = req == COMEDI_CMD ? emu_cmd(cmd) : emu_cmdtest(cmd);
		break;
	}
	case COMEDI_CANCEL:
		ret = emu_cancel((unsigned)*(unsigned long *)arg->data);
		break;
	case COMEDI_BUFCONFIG:
		d = child(arg, 0, sizeof(comedi_bufconfig));
		ret = emu_bufconfig((comedi_bufconfig *)d->data);
		break;
	case COMEDI_BUFINFO:
		d = child(arg, 0, sizeof(comedi_bufinfo));
		ret = emu_bufinfo((comedi_bufinfo *)d->data);
		break;
	}
	if (c)
		g_object_unref(c);
	if (d)
		g_object_unref(d);
	return ret;
}

static void complete(UMockdevIoctlClient *client, long ret)
{
	umockdev_ioctl_client_complete(client, ret < 0 ? -1 : ret, ret < 0 ? (int)-ret : 0);
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	/* comedilib passes the request as an int: it arrives sign-extended. */
	unsigned req = (unsigned)umockdev_ioctl_client_get_request(client);
	int ret;

	(void)base;
	(void)user;
	g_mutex_lock(&lock);
	sim_models_lock();
	ret = dispatch(req, umockdev_ioctl_client_get_arg(client));
	sim_models_unlock();
	g_mutex_unlock(&lock);
	complete(client, ret);
	return TRUE;
}

static gboolean on_read(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	UMockdevIoctlData *buf = umockdev_ioctl_client_get_arg(client);
	long ret;

	(void)base;
	(void)user;
	g_mutex_lock(&lock);
	sim_models_lock();
	ret = emu_read(buf->data, (size_t)buf->data_len);
	sim_models_unlock();
	g_mutex_unlock(&lock);
	complete(client, ret);
	return TRUE;
}

/* One open file at a time, like the station: a new open starts afresh, and
 * the close of an older one (reported late, from another socket) is moot. */
static UMockdevIoctlClient *current;

static void on_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	(void)base;
	(void)user;
	g_mutex_lock(&lock);
	emu_release();
	current = client;
	g_mutex_unlock(&lock);
}

static void on_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	(void)base;
	(void)user;
	g_mutex_lock(&lock);
	if (client == current) {
		emu_release();
		current = NULL;
	}
	g_mutex_unlock(&lock);
}

static void new_testbed(void)
{
	ck_assert_msg(getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "umockdev"),
		      "run the emulated-device tests under umockdev-wrapper");
	testbed = umockdev_testbed_new();
	ck_assert_ptr_nonnull(testbed);
}

void emu_comedi_start_empty(void)
{
	memset(&emu, 0, sizeof(emu));
	new_testbed();
}

void emu_comedi_start(const struct emu_comedi_config *cfg)
{
	GError *err = NULL;

	memset(&emu, 0, sizeof(emu));
	emu.cfg = *cfg;
	if (!emu.cfg.board)
		emu.cfg.board = "pci-6221";
	if (!emu.cfg.ai_channels)
		emu.cfg.ai_channels = 16;
	emu.max_buffer_bytes = 1u << 20;
	new_testbed();
	handler = umockdev_ioctl_base_new();
	g_signal_connect(handler, "handle-ioctl", G_CALLBACK(on_ioctl), NULL);
	g_signal_connect(handler, "handle-read", G_CALLBACK(on_read), NULL);
	g_signal_connect(handler, "client-connected", G_CALLBACK(on_connected), NULL);
	g_signal_connect(handler, "client-vanished", G_CALLBACK(on_vanished), NULL);
	/* The handler first: adding the device creates its node. */
	ck_assert_msg(umockdev_testbed_attach_ioctl(testbed, "/dev/comedi0", handler, &err),
		      "attach_ioctl: %s", err ? err->message : "?");
	ck_assert_msg(umockdev_testbed_add_from_string(
			      testbed,
			      "P: /devices/pci0000:00/0000:00:1e.0/0000:05:04.0/comedi/comedi0\n"
			      "N: comedi0\n"
			      "E: SUBSYSTEM=comedi\n"
			      "E: DEVNAME=/dev/comedi0\n"
			      "E: MAJOR=98\n"
			      "E: MINOR=0\n"
			      "A: dev=98:0\n",
			      &err),
		      "add_from_string: %s", err ? err->message : "?");
}

UMockdevTestbed *emu_comedi_testbed(void)
{
	return testbed;
}

void emu_comedi_stop(void)
{
	if (handler)
		g_object_unref(handler);
	if (testbed)
		g_object_unref(testbed);
	handler = NULL;
	testbed = NULL;
	free(emu.fifo);
	emu.fifo = NULL;
}

void emu_comedi_resume(void)
{
	g_mutex_lock(&lock);
	emu.resumed = 1;
	g_mutex_unlock(&lock);
}

void emu_comedi_stats(struct emu_comedi_stats *st)
{
	g_mutex_lock(&lock);
	*st = emu.stats;
	g_mutex_unlock(&lock);
}
