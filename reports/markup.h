#ifndef RIG_REPORTS_MARKUP_H
#define RIG_REPORTS_MARKUP_H

/* Text into XML and HTML: escaped, and with the characters XML 1.0 forbids dropped. */
#include <stdio.h>

void markup_text(FILE *f, const char *s);

/* printf into a temporary buffer, then markup_text. */
void markup_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
