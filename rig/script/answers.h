#ifndef RIG_ANSWERS_H
#define RIG_ANSWERS_H

#include <stddef.h>

/* Prompts answered through a file (rig run --answers FILE; rig/script/answers.c). */

/* Remove an answer left over from before the prompt was shown. */
void answers_clear(const char *path);

/* Wait until FILE holds an answer: 0 and its first line in answer (then
 * FILE is removed), or -1 when the run was interrupted meanwhile or FILE
 * cannot be read. */
int answers_wait(const char *path, char *answer, size_t len);

#endif
