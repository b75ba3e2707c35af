#ifndef RIG_TIMEFMT_H
#define RIG_TIMEFMT_H

#include <stddef.h>
#include <time.h>

/* 2026-11-23T21:05:50Z */
void time_format_iso(time_t t, char *buf, size_t len);
/* 2026-11-23 (for certificate due dates) */
void time_format_date(time_t t, char *buf, size_t len);
/* 20261123T210550Z (for run IDs) */
void time_format_compact(time_t t, char *buf, size_t len);

#endif
