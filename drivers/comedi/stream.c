/*
 * Streaming the running command: blocks of scans out of the kernel's
 * acquisition buffer, through read() on the device file.
 *
 * Before each read the driver asks how many bytes the buffer holds
 * (COMEDI_BUFINFO) and reads no more, so read() never blocks and every wait
 * has a deadline. While the buffer is empty it waits in poll() in short
 * slices, then asks again: poll only shortens the wait on a real board, it
 * is never trusted alone (an emulated device file never signals it).
 *
 * The kernel reports lost samples as EPIPE once the data before the loss
 * has been read: that data is delivered, then the overrun.
 */
#include <comedi_errno.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/comedi/comedi.h"
#include "rig/base/error.h"

#define WAIT_SLICE_MS 5

static long ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int cdaq_stream_start(struct cdaq *d)
{
	if (comedi_command(d->dev, &d->cmd) < 0)
		return cdaq_lib_error("%s: starting the acquisition%s", d->cfg->device,
				      comedi_errno() == EBUSY ? " (another program is using the "
								"analog inputs)" : "");
	d->raw_have = 0;
	d->scan = 0;
	d->pending = 0;
	d->running = 1;
	return 0;
}

int cdaq_stream_stop(struct cdaq *d)
{
	int was_running = d->running;

	d->running = 0;
	d->raw_have = 0;
	d->pending = 0;
	if (was_running && comedi_cancel(d->dev, d->ai) < 0)
		return cdaq_lib_error("%s: stopping the acquisition", d->cfg->device);
	return 0;
}

/*
 * Bytes ready in the kernel buffer, waiting until the deadline for some.
 * *ready = 0 with 0 returned: the command is no longer running; Linux 4.x
 * and later say here when it overran (d->pending), older kernels in the
 * next read(). RIG_ERR_TIMEOUT, without a message, when none came in time.
 */
static int wait_ready(struct cdaq *d, const struct timespec *deadline, size_t *ready)
{
	struct pollfd pfd = { .fd = comedi_fileno(d->dev), .events = POLLIN };

	for (;;) {
		int n = comedi_get_buffer_contents(d->dev, d->ai), flags;
		long left;

		if (n < 0 && (comedi_errno() == EBUF_OVR || comedi_errno() == EPIPE)) {
			d->pending = RIG_ERR_OVERRUN;
			*ready = 0;
			return 0;
		}
		if (n < 0)
			return cdaq_lib_error("%s: acquisition buffer state", d->cfg->device);
		*ready = (size_t)n;
		if (n > 0)
			return 0;
		flags = comedi_get_subdevice_flags(d->dev, d->ai);
		if (flags < 0)
			return cdaq_lib_error("%s: acquisition state", d->cfg->device);
		if (!(flags & SDF_RUNNING))
			return 0;
		left = ms_until(deadline);
		if (left <= 0)
			return RIG_ERR_TIMEOUT;
		poll(&pfd, 1, left < WAIT_SLICE_MS ? (int)left : WAIT_SLICE_MS);
	}
}

/* The acquisition ended under us: remember why, to report after the data. */
static void ended(struct cdaq *d, ssize_t n)
{
	d->pending_errno = n == 0 ? 0 : errno;
	d->pending = n == 0 ? RIG_ERR_DEVICE : cdaq_errno_code(errno);
}

static int report(struct cdaq *d, unsigned timeout_ms)
{
	const char *dev = d->cfg->device;
	unsigned long long scan = (unsigned long long)d->scan;

	switch (d->pending) {
	case 0:
		return rig_error(RIG_ERR_TIMEOUT,
				 "%s: no scan from %s for %u ms after scan %llu (is the board's "
				 "clock running? another program may have cancelled the command)",
				 dev, d->base.board, timeout_ms, scan);
	case RIG_ERR_OVERRUN:
		return rig_error(RIG_ERR_OVERRUN,
				 "%s: acquisition buffer overrun after scan %llu: samples lost, the "
				 "kernel buffer (%u bytes) filled before rig read it (data up to "
				 "the overrun is kept; raise max_read_buffer_kb under "
				 "/sys/class/comedi/ or find what stalls the station)",
				 dev, scan, d->buffer_bytes);
	case RIG_ERR_DEVICE:
		if (!d->pending_errno)
			return rig_error(RIG_ERR_DEVICE,
					 "%s: %s stopped acquiring by itself after scan %llu (data up "
					 "to there is kept)",
					 dev, d->base.board, scan);
		/* fall through */
	default:
		return rig_error(d->pending, "%s: acquisition failed after scan %llu: %s (data up "
				 "to there is kept)",
				 dev, scan, strerror(d->pending_errno));
	}
}

static void deliver(struct cdaq *d, size_t nscans, struct daq_block *blk)
{
	size_t nsamples = nscans * d->base.nchannels;
	size_t used = nsamples * d->sample_bytes;

	if (d->sample_bytes == sizeof(sampl_t)) {
		memcpy(d->codes, d->raw, used);
	} else {
		for (size_t i = 0; i < nsamples; i++) {
			lsampl_t v;

			memcpy(&v, d->raw + i * sizeof(v), sizeof(v));
			d->codes[i] = (uint16_t)v;
		}
	}
	/* A scan split across reads waits for its other part. */
	memmove(d->raw, d->raw + used, d->raw_have - used);
	d->raw_have -= used;
	blk->codes = d->codes;
	blk->nscans = nscans;
	blk->first_scan = d->scan;
	d->scan += nscans;
}

int cdaq_stream_read(struct cdaq *d, struct daq_block *blk, unsigned timeout_ms)
{
	size_t scan_bytes = d->base.nchannels * d->sample_bytes;
	size_t want = d->cfg->block_scans * scan_bytes;
	int fd = comedi_fileno(d->dev);
	struct timespec deadline;
	int timed_out = 0;

	if (!d->running)
		return rig_error(RIG_ERR_INVALID, "comedi DAQ: read without start");
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (!d->pending && d->raw_have < want) {
		size_t ready, room = want - d->raw_have;
		ssize_t n;
		int rc = wait_ready(d, &deadline, &ready);

		if (rc == RIG_ERR_TIMEOUT) {
			timed_out = 1;
			break;
		}
		if (rc)
			return rc;
		if (d->pending)
			break;
		n = read(fd, d->raw + d->raw_have, ready && ready < room ? ready : room);
		if (n > 0)
			d->raw_have += (size_t)n;
		else if (!(n < 0 && errno == EINTR))
			ended(d, n);
	}
	if (d->raw_have >= scan_bytes) {
		deliver(d, d->raw_have / scan_bytes, blk);
		return 0;
	}
	return report(d, timed_out ? timeout_ms : 0);
}
