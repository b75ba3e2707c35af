#ifndef RIG_SERVE_I18N_H
#define RIG_SERVE_I18N_H

/*
 * The text of rig serve's pages: one table per language (English, German),
 * every key in every table. The browser's Accept-Language chooses; English
 * when it asks for neither.
 */
#include <jansson.h>

/* "en" or "de" for an Accept-Language header (NULL: "en"). */
const char *i18n_pick(const char *accept_language);

/* The table of lang as a JSON object {key: text}. */
json_t *i18n_table(const char *lang);

#endif
