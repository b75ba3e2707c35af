#include "drivers/balance/serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include "rig/base/clock.h"
#include "rig/base/error.h"

static int speed_of(unsigned baud, speed_t *out)
{
	static const struct {
		unsigned baud;
		speed_t speed;
	} speeds[] = {
		{ 300, B300 },       { 600, B600 },       { 1200, B1200 },     { 2400, B2400 },
		{ 4800, B4800 },     { 9600, B9600 },     { 19200, B19200 },   { 38400, B38400 },
		{ 57600, B57600 },   { 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
		{ 921600, B921600 },
	};

	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud) {
			*out = speeds[i].speed;
			return 0;
		}
	return -1;
}

int serial_open(struct serial *s, const char *path, unsigned baud)
{
	struct termios tio;
	speed_t speed;
	int flags;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (speed_of(baud, &speed))
		return rig_error(RIG_ERR_INVALID, "%s: %u baud is not a standard rate", path, baud);
	/* O_NONBLOCK: do not wait for carrier detect; cleared below. */
	s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0)
		return rig_error_errno(errno == ENOENT || errno == ENXIO ? RIG_ERR_NODEV : RIG_ERR_IO,
				       "%s: cannot open the balance's port%s", path,
				       errno == EACCES ? " (join the dialout group, see docs/hardware.md)"
						       : "");
	if (!isatty(s->fd)) {
		serial_close(s);
		return rig_error(RIG_ERR_INVALID, "%s: not a serial port", path);
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
		serial_close(s);
		return rig_error(RIG_ERR_IO, "%s: port in use by another program", path);
	}
	if (tcgetattr(s->fd, &tio) != 0)
		goto fail;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
	tio.c_cflag |= CLOCAL | CREAD | CS8;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 ||
	    tcsetattr(s->fd, TCSANOW, &tio) != 0)
		goto fail;
	flags = fcntl(s->fd, F_GETFL);
	if (flags < 0 || fcntl(s->fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
		goto fail;
	tcflush(s->fd, TCIOFLUSH);
	return 0;
fail:
	rig_error_errno(RIG_ERR_IO, "%s: cannot set up the serial port", path);
	serial_close(s);
	return RIG_ERR_IO;
}

void serial_close(struct serial *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void serial_discard_input(struct serial *s)
{
	tcflush(s->fd, TCIFLUSH);
	s->len = 0;
}

static int hung_up(const struct serial *s)
{
	return rig_error(RIG_ERR_NODEV, "%s: the balance's port hung up (unplugged or switched off?)",
			 s->path);
}

int serial_write_line(struct serial *s, const char *text)
{
	char out[SERIAL_LINE_MAX + 2];
	int n = snprintf(out, sizeof(out), "%s\r\n", text);
	size_t done = 0;

	while (done < (size_t)n) {
		ssize_t w = write(s->fd, out + done, (size_t)n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EIO ? hung_up(s)
					    : rig_error_errno(RIG_ERR_IO, "%s: write failed", s->path);
		done += (size_t)w;
	}
	return 0;
}

/* A complete line in the buffer: copy it out and keep what follows. */
static int take_line(struct serial *s, char *line, size_t len)
{
	char *lf = memchr(s->buf, '\n', s->len);
	size_t n, used;

	if (!lf)
		return 0;
	used = (size_t)(lf - s->buf) + 1;
	n = used - 1;
	if (n > 0 && s->buf[n - 1] == '\r')
		n--;
	snprintf(line, len, "%.*s", (int)n, s->buf);
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
	return 1;
}

int serial_read_line(struct serial *s, char *line, size_t len, unsigned timeout_ms)
{
	long long deadline = clock_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		long long left;
		ssize_t r;
		int pr;

		if (take_line(s, line, len))
			return 0;
		if (s->len == sizeof(s->buf)) {
			s->len = 0;
			return rig_error(RIG_ERR_PROTOCOL,
					 "%s: no line end in %d bytes from the balance (wrong baud rate?)",
					 s->path, SERIAL_LINE_MAX);
		}
		left = deadline - clock_ms();
		if (left <= 0)
			return rig_error(RIG_ERR_TIMEOUT,
					 "%s: the balance did not answer within %u ms (cable, baud rate, "
					 "or balance switched off?)",
					 s->path, timeout_ms);
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return rig_error_errno(RIG_ERR_IO, "%s: poll failed", s->path);
		if (pr == 0)
			continue;
		r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0 && errno != EIO)
			return rig_error_errno(RIG_ERR_IO, "%s: read failed", s->path);
		if (r <= 0)
			return hung_up(s);
		s->len += (size_t)r;
	}
}
