#include <math.h>

#include "reports/reports.h"
#include "rig/base/file.h"
#include "rig/base/shot_flags.h"

static void field(FILE *f, const char *fmt, double v)
{
	if (isfinite(v))
		fprintf(f, fmt, v);
}

int report_shots_csv(const struct run_record *r, const char *path)
{
	FILE *f;
	int rc = file_replace_open(path, &f);

	if (rc)
		return rc;
	fputs("step,shot,t_s,depth_mm,volume_ul,interval_ms,u_depth_mm,u_volume_ul,flags\n", f);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step_record *s = &r->steps[i];

		for (size_t j = 0; j < s->nshots; j++) {
			const struct shot_row *row = &s->shots[j];
			char names[64];

			file_csv_text(f, s->id);
			fprintf(f, ",%u,", row->shot);
			field(f, "%.6f", row->t_s);
			fputc(',', f);
			field(f, "%.6f", row->depth_mm);
			fputc(',', f);
			field(f, "%.6f", row->volume_ul);
			fputc(',', f);
			field(f, "%.4f", row->interval_ms);
			fputc(',', f);
			field(f, "%.6f", row->u_depth_mm);
			fputc(',', f);
			field(f, "%.6f", row->u_volume_ul);
			fprintf(f, ",%s\n", shot_flag_names(row->flags, " ", names, sizeof(names)));
		}
	}
	return file_replace_commit(f, path);
}
