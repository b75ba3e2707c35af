#include "rig/base/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_message[1024];

const char *rig_strerror(int err)
{
	switch (err) {
	case RIG_OK: return "success";
	case RIG_ERR_INVALID: return "invalid input";
	case RIG_ERR_IO: return "input/output error";
	case RIG_ERR_NOMEM: return "out of memory";
	case RIG_ERR_TIMEOUT: return "timeout";
	case RIG_ERR_NODEV: return "no such device";
	case RIG_ERR_DEVICE: return "device error";
	case RIG_ERR_PROTOCOL: return "protocol error";
	case RIG_ERR_OVERRUN: return "acquisition overrun";
	case RIG_ERR_UNSUPPORTED: return "not supported";
	case RIG_ERR_SAFETY: return "safety stop";
	case RIG_ERR_ABORTED: return "aborted";
	case RIG_ERR_INTERLOCK: return "interlock";
	}
	return "unknown error";
}

/* Formatted apart first: the arguments may include rig_last_error() itself,
 * as when a caller adds context to a lower layer's message. */
static void set_message(const char *fmt, va_list ap, const char *suffix)
{
	char msg[sizeof(last_message)];
	int len = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (suffix && len >= 0 && (size_t)len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - (size_t)len, ": %s", suffix);
	memcpy(last_message, msg, sizeof(msg));
}

int rig_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, NULL);
	va_end(ap);
	return err;
}

int rig_error_errno(int err, const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, why);
	va_end(ap);
	return err;
}

const char *rig_last_error(void)
{
	return last_message;
}

void rig_error_clear(void)
{
	last_message[0] = '\0';
}
