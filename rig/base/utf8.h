#ifndef RIG_UTF8_H
#define RIG_UTF8_H

/*
 * rig's one rule for text: every text that enters a run's journal (and so
 * its records) -- command-line values, script labels, log messages,
 * measurement names and units, data file strings such as a unit's serial,
 * what a device reports -- is valid UTF-8 without NUL bytes. Anything else
 * is refused where it enters, naming the first offending byte, so no
 * record ever holds a text that JSON, XML or a PDF cannot carry
 * (docs/reliability.md).
 */
#include <stddef.h>

/* NULL when s[0..n) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) without NUL; else why, e.g. "not
 * valid UTF-8 (byte 0xfc at offset 1)", in buf: callers print "WHAT: why". */
const char *utf8_problem(const char *s, size_t n, char *buf, size_t len);

/* For messages only (an error shown and journaled is never refused): s
 * with each byte that breaks UTF-8, and NUL, written as \xNN into out
 * (room for 4 n bytes); returns the length written. */
size_t utf8_escape(const char *s, size_t n, char *out);

#endif
