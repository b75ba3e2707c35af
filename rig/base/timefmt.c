#include "rig/base/timefmt.h"

static void format_utc(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, len, fmt, &tm) == 0 && len)
		buf[0] = '\0';
}

void time_format_iso(time_t t, char *buf, size_t len)
{
	format_utc(t, "%Y-%m-%dT%H:%M:%SZ", buf, len);
}

void time_format_date(time_t t, char *buf, size_t len)
{
	format_utc(t, "%Y-%m-%d", buf, len);
}

void time_format_compact(time_t t, char *buf, size_t len)
{
	format_utc(t, "%Y%m%dT%H%M%SZ", buf, len);
}
