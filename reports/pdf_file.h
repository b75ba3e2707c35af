#ifndef RIG_REPORTS_PDF_FILE_H
#define RIG_REPORTS_PDF_FILE_H

#include <cairo.h>

/*
 * Finish and release a PDF surface that was drawn into part (path's .part
 * file, rig/base/file.h) and move it into place as path: 0, or the cairo
 * failure as RIG_ERR_IO with the part file removed, so a PDF is either
 * whole at path or not there.
 */
int pdf_file_finish(cairo_surface_t *s, const char *path, const char *part);

#endif
