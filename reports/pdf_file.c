#include "reports/pdf_file.h"

#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"

int pdf_file_finish(cairo_surface_t *s, const char *path, const char *part)
{
	cairo_status_t st;

	cairo_surface_finish(s);
	st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		unlink(part);
		return rig_error(RIG_ERR_IO, "%s: cannot write PDF: %s", path,
				 cairo_status_to_string(st));
	}
	return file_replace_finish(path);
}
