#ifndef RIG_ERROR_H
#define RIG_ERROR_H

/*
 * The project's error codes. Every function that can fail returns 0 or one
 * of these (negative). Library and system errors are translated into them
 * once, where they enter rig; the human-readable story goes with them in the
 * per-thread "last error" set by rig_error(), in the design's form
 * "<file>:<line>: <what> (<hint>)", which main() prints after "rig: ".
 */
enum rig_err {
	RIG_OK = 0,
	RIG_ERR_INVALID = -1,     /* bad input: argument, file, script, fixture */
	RIG_ERR_IO = -2,          /* file system or OS call failed */
	RIG_ERR_NOMEM = -3,
	RIG_ERR_TIMEOUT = -4,     /* a device did not answer in time */
	RIG_ERR_NODEV = -5,       /* device absent, or gone (unplugged) */
	RIG_ERR_DEVICE = -6,      /* device answered with an error */
	RIG_ERR_PROTOCOL = -7,    /* device answered with something malformed */
	RIG_ERR_OVERRUN = -8,     /* acquisition lost samples */
	RIG_ERR_UNSUPPORTED = -9, /* not implemented by this driver / build */
	RIG_ERR_SAFETY = -10,     /* a safety limit stopped the run */
	RIG_ERR_ABORTED = -11,    /* stopped by a signal or the operator */
	RIG_ERR_INTERLOCK = -12,  /* refused to start: e.g. calibration expired */
};

/* Short name of a code, e.g. "timeout". Never NULL. */
const char *rig_strerror(int err);

/*
 * Record the message for the current failure and return err, so callers
 * write `return rig_error(RIG_ERR_INVALID, "%s:%d: ...", file, line);`.
 */
int rig_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like rig_error() but adds ": <strerror(errno)>" for OS failures. */
int rig_error_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded by rig_error() on this thread, or "". */
const char *rig_last_error(void);

/* Forget the last message (used between independent operations). */
void rig_error_clear(void);

#endif
