#ifndef RIG_BALANCE_SERIAL_H
#define RIG_BALANCE_SERIAL_H

/*
 * A serial port carrying CR LF terminated text lines (USB CDC-ACM, RS-232,
 * or a pseudo-terminal in tests): raw 8N1 termios, exclusive, every read
 * bounded by a timeout. Errors name the port.
 */
#include <stddef.h>

#define SERIAL_LINE_MAX 128

struct serial {
	int fd;
	char path[128];
	char buf[SERIAL_LINE_MAX]; /* received bytes not yet returned as a line */
	size_t len;
};

/* Open path at baud (a standard rate), raw 8N1, no flow control. */
int serial_open(struct serial *s, const char *path, unsigned baud);
void serial_close(struct serial *s);

/* Drop everything received and not read yet. */
void serial_discard_input(struct serial *s);

/* Send text followed by CR LF. */
int serial_write_line(struct serial *s, const char *text);

/*
 * The next line, without its CR LF, within timeout_ms: RIG_ERR_TIMEOUT when
 * none completes in time, RIG_ERR_NODEV when the port hangs up (unplugged),
 * RIG_ERR_PROTOCOL for a line longer than SERIAL_LINE_MAX.
 */
int serial_read_line(struct serial *s, char *line, size_t len, unsigned timeout_ms);

#endif
