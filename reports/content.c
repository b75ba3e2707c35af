#include "reports/content.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/format.h"
#include "rig/base/error.h"

#define HIST_W 300.0
#define HIST_H 180.0
#define WAVE_W 300.0
#define WAVE_H 230.0

static struct fact *fact(struct fact *out, size_t *n, const char *label)
{
	out[*n].label = label;
	out[*n].value[0] = '\0';
	return &out[(*n)++];
}

size_t content_facts(const struct run_record *r, const struct fixture *fx, struct fact *out)
{
	size_t n = 0;

	snprintf(fact(out, &n, "Unit under test")->value, sizeof(out->value),
		 "%s, serial %s, firmware %s", r->uut.model, r->uut.serial, r->uut.firmware);
	snprintf(fact(out, &n, "Station")->value, sizeof(out->value), "%s", r->station);
	snprintf(fact(out, &n, "Fixture")->value, sizeof(out->value), "%s (%.200s, SHA-256 %s)",
		 fx->name, r->fixture_file.path, r->fixture_file.sha256);
	snprintf(fact(out, &n, "Operator")->value, sizeof(out->value), "%s%s", r->operator_name,
		 r->batch ? " (prompts answered automatically)" : "");
	snprintf(fact(out, &n, "Started / ended")->value, sizeof(out->value), "%s / %s",
		 r->started, r->ended[0] ? r->ended : "(not ended)");
	snprintf(fact(out, &n, "Run")->value, sizeof(out->value), "%s, rig %s", r->id,
		 r->rig_version);
	snprintf(fact(out, &n, "Script")->value, sizeof(out->value), "%.240s, SHA-256 %s",
		 r->script.path, r->script.sha256);
	for (size_t i = 0; i < r->nmodules && n < CONTENT_MAX_FACTS - 4; i++)
		snprintf(fact(out, &n, "Spec / module")->value, sizeof(out->value),
			 "%.240s, SHA-256 %s", r->modules[i].path, r->modules[i].sha256);
	if (r->sim)
		snprintf(fact(out, &n, "Simulation")->value, sizeof(out->value),
			 "sim bench, unit %.160s%s%s, seed %llu", r->sim_unit.path,
			 r->sim_unit.sha256[0] ? ", SHA-256 " : "", r->sim_unit.sha256,
			 (unsigned long long)r->seed);
	snprintf(fact(out, &n, "Environment")->value, sizeof(out->value),
		 "%.1f degC, %.1f kPa, %.0f %% RH", fx->env.temperature_c, fx->env.pressure_kpa,
		 fx->env.humidity_pct);
	if (r->allow_expired_cal)
		snprintf(fact(out, &n, "Calibration")->value, sizeof(out->value),
			 "run with an EXPIRED certificate (--allow-expired-cal)");
	return n;
}

size_t content_instruments(const struct fixture *fx, struct instrument_row *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->daq.nchannels && n < max; i++) {
		const struct fixture_channel *ch = &fx->daq.channels[i];

		if (!ch->sensor[0] && !ch->cert.id[0])
			continue;
		snprintf(out[n].channel, sizeof(out[n].channel), "%s", ch->name);
		snprintf(out[n].unit, sizeof(out[n].unit), "%s", ch->unit);
		snprintf(out[n].model, sizeof(out[n].model), "%s", ch->sensor);
		snprintf(out[n].cert, sizeof(out[n].cert), "%s", ch->cert.id[0] ? ch->cert.id : "none");
		snprintf(out[n].issuer, sizeof(out[n].issuer), "%s", ch->cert.issuer);
		snprintf(out[n].due, sizeof(out[n].due), "%s", ch->cert.due);
		n++;
	}
	if (fx->scale.driver[0] && n < max) {
		snprintf(out[n].channel, sizeof(out[n].channel), "balance");
		snprintf(out[n].unit, sizeof(out[n].unit), "g");
		snprintf(out[n].model, sizeof(out[n].model), "%s", fx->scale.model);
		snprintf(out[n].cert, sizeof(out[n].cert), "%s",
			 fx->scale.cert.id[0] ? fx->scale.cert.id : "none");
		snprintf(out[n].issuer, sizeof(out[n].issuer), "%s", fx->scale.cert.issuer);
		snprintf(out[n].due, sizeof(out[n].due), "%s", fx->scale.cert.due);
		n++;
	}
	return n;
}

void content_row(const struct step_record *s, const struct measurement *m, struct table_row *row)
{
	row->requirement = m->requirement;
	row->setting = s->label;
	row->name = m->name;
	row->unit = m->unit;
	row->n = m->n;
	format_measured(m, row->measured, sizeof(row->measured));
	format_limits(m, row->limits, sizeof(row->limits));
	format_ti(m, row->ti, sizeof(row->ti));
	format_cpk(m, row->cpk, sizeof(row->cpk));
	if (m->uncertainty > 0)
		snprintf(row->u, sizeof(row->u), "%.3g", m->uncertainty);
	else
		row->u[0] = '\0';
	row->verdict = m->verdict;
	row->reason = m->reason;
}

static void add_job(struct step_figures *f, int kind, double *x, size_t n,
		    const struct measurement *m)
{
	struct plot_job *j = &f->job[f->njobs];

	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->x = x;
	j->n = n;
	j->m = m;
	j->w = kind == PLOT_WAVEFORM ? WAVE_W : HIST_W;
	j->h = kind == PLOT_WAVEFORM ? WAVE_H : HIST_H;
	j->wf = kind == PLOT_WAVEFORM ? &f->wf : NULL;
	f->values[f->njobs++] = kind == PLOT_HISTOGRAM ? x : NULL; /* owned once */
}

void content_figures(const char *run_dir, const struct step_record *s, struct step_figures *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < s->nm && f->njobs + 3 <= CONTENT_MAX_JOBS; i++) {
		const struct measurement *m = &s->m[i];
		double *x;
		size_t n;

		if (strcmp(m->requirement, s->requirement))
			continue;
		f->traced[f->ntraced++] = m;
		if ((n = plot_values(s, m, &x)) == 0)
			continue;
		add_job(f, PLOT_HISTOGRAM, x, n, m);
		add_job(f, PLOT_RUN_CHART, x, n, m);
	}
	if (s->nshots == 0) {
		snprintf(f->wf_error, sizeof(f->wf_error), "no shots were recorded in this step");
	} else if (plot_load_waveform(run_dir, s, &f->wf) != 0) {
		snprintf(f->wf_error, sizeof(f->wf_error), "raw waveform unavailable: %s",
			 rig_last_error());
	} else {
		f->have_wf = 1;
		add_job(f, PLOT_WAVEFORM, NULL, 0, NULL);
	}
}

void content_figures_release(struct step_figures *f)
{
	for (size_t i = 0; i < f->njobs; i++)
		free(f->values[i]);
	plot_waveform_release(&f->wf);
	memset(f, 0, sizeof(*f));
}
