#ifndef RIG_REPORTS_SIGNATURE_PAGE_H
#define RIG_REPORTS_SIGNATURE_PAGE_H

/*
 * The signature page of a run (21 CFR 11.50(b)): every electronic
 * signature's printed name, date and time (UTC) and meaning, with its key
 * ID, as page.html and page.pdf in the signatures folder. Re-rendered by
 * each rig sign; the newest record holds both files' SHA-256.
 */
#include <stddef.h>

struct approval_record;

/* Write dir/page.html and dir/page.pdf listing r[0..n); their SHA-256s. */
int signature_page_write(const char *dir, const struct approval_record *r, size_t n,
			 char html_sha256[65], char pdf_sha256[65]);

#endif
