#ifndef RIG_TESTUTIL_H
#define RIG_TESTUTIL_H

/*
 * Every tests/unit/test_*.c is its own Check program: it defines
 * test_suite() and links tests/lib/check_main.c, so a new suite needs no
 * registration anywhere.
 */
#include <check.h>

Suite *test_suite(void);

/* Absolute path of a file in the source tree (tests run from the top). */
const char *test_path(const char *relative);

/* A fresh empty directory under $TMPDIR (or build/tmp), removed at exit. */
const char *test_tmpdir(void);

/* Write text to a file in dir; returns the full path (static storage per call slot). */
const char *test_write_file(const char *dir, const char *name, const char *text);

/* The whole file as a string (free it); the test fails when it cannot be read. */
char *test_read_file(const char *path);

/* text with its first `from` replaced by `to`, as a new string; text is
 * freed. The test fails when text has no `from`. */
char *test_replace(char *text, const char *from, const char *to);

#endif
