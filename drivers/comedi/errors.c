/* Errors of the Comedi backend, translated once (drivers/comedi/comedi.h):
 * every other file of the backend reports through these, so none of them
 * depends on api.c, which opens the board with all of them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "drivers/comedi/comedi.h"
#include "rig/base/error.h"

int cdaq_errno_code(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return RIG_ERR_NODEV;
	case EPIPE:
		return RIG_ERR_OVERRUN;
	case ETIMEDOUT:
		return RIG_ERR_TIMEOUT;
	case ENOMEM:
		return RIG_ERR_NOMEM;
	default:
		return RIG_ERR_DEVICE;
	}
}

int cdaq_lib_error(const char *fmt, ...)
{
	int err = comedi_errno();
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rig_error(cdaq_errno_code(err), "%s: %s", what, comedi_strerror(err));
}

const char *cdaq_where(const struct cdaq *d, int line)
{
	static _Thread_local char buf[4200];

	if (line > 0)
		snprintf(buf, sizeof(buf), "%s:%d", d->fixture, line);
	else
		snprintf(buf, sizeof(buf), "%s", d->fixture);
	return buf;
}
