#include "reports/content.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/format.h"
#include "rig/base/audit.h"
#include "rig/base/error.h"
#include "rig/base/physics.h"

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
	if (r->scanned_serial[0])
		snprintf(fact(out, &n, "Scanned serial")->value, sizeof(out->value), "%s",
			 r->scanned_serial);
	snprintf(fact(out, &n, "Station")->value, sizeof(out->value), "%s", r->station);
	snprintf(fact(out, &n, "Fixture")->value, sizeof(out->value), "%s (%.200s, SHA-256 %s)",
		 fx->name, r->fixture_file.path, r->fixture_file.sha256);
	snprintf(fact(out, &n, "Operator")->value, sizeof(out->value), "%s%s", r->operator_name,
		 r->batch ? " (prompts answered automatically)" : "");
	snprintf(fact(out, &n, "Started / ended")->value, sizeof(out->value), "%s / %s",
		 r->started, r->ended[0] ? r->ended : "(not ended)");
	snprintf(fact(out, &n, "Run")->value, sizeof(out->value), "%s, rig %s", r->id,
		 r->rig_version);
	if (r->spec.name[0]) {
		char models[SPEC_MAX_MODELS * 34] = "";

		for (size_t i = 0; i < r->spec.nmodels; i++)
			snprintf(models + strlen(models), sizeof(models) - strlen(models), "%s%s",
				 i ? ", " : "", r->spec.models[i]);
		snprintf(fact(out, &n, "Specification")->value, sizeof(out->value),
			 "%s revision %s, for %.200s (%.200s)", r->spec.name, r->spec.revision, models,
			 r->spec.path);
	} else {
		snprintf(fact(out, &n, "Specification")->value, sizeof(out->value),
			 "none declared: coverage not checked");
	}
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
	snprintf(fact(out, &n, "Station key")->value, sizeof(out->value),
		 "Ed25519 key ID %s signs MANIFEST (compare with the station's registered "
		 "station.pub)", r->station_key_id[0] ? r->station_key_id : "(not recorded)");
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
		snprintf(out[n].calibrated, sizeof(out[n].calibrated), "%s", ch->cert.calibrated);
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
		snprintf(out[n].calibrated, sizeof(out[n].calibrated), "%s",
			 fx->scale.cert.calibrated);
		snprintf(out[n].due, sizeof(out[n].due), "%s", fx->scale.cert.due);
		n++;
	}
	if (n < max) {
		const struct fixture_timebase *tb = &fx->timebase;

		snprintf(out[n].channel, sizeof(out[n].channel), "timebase");
		snprintf(out[n].unit, sizeof(out[n].unit), "s");
		snprintf(out[n].model, sizeof(out[n].model), "%s",
			 tb->model[0] ? tb->model : "DAQ sample clock (not declared)");
		snprintf(out[n].cert, sizeof(out[n].cert), "%s",
			 tb->cert.id[0] ? tb->cert.id : "NONE: times not traceable");
		snprintf(out[n].issuer, sizeof(out[n].issuer), "%s", tb->cert.issuer);
		snprintf(out[n].calibrated, sizeof(out[n].calibrated), "%s", tb->cert.calibrated);
		snprintf(out[n].due, sizeof(out[n].due), "%s", tb->cert.due);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if (!out[i].calibrated[0] && strncmp(out[i].cert, "NONE", 4) && strcmp(out[i].cert, "none"))
			snprintf(out[i].calibrated, sizeof(out[i].calibrated), "not recorded");
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

void content_sim_banner(const struct run_record *r, char *buf, size_t len)
{
	if (r->sim)
		snprintf(buf, len, "SIMULATION: sim bench run (simulated unit, DAQ and balance), "
			 "not a certificate of a unit");
	else
		buf[0] = '\0';
}

const char *const content_decision_rule[] = {
	"ISO 14253-1 guard banding (stringent acceptance): each specification "
	"limit is moved inward by the expanded measurement uncertainty U of the quantity, "
	"from the fixture: stated with coverage factor k = 2, or combined from its uncertainty "
	"budget (k from the effective degrees of freedom, shown in the budget table); "
	"what remains is the acceptance zone.",
	"PASS: every judged result (the mean, each end of the tolerance interval, or every "
	"single value, as the spec asks) lies inside its acceptance zone. FAIL: a result lies "
	"outside its specification limits. INDETERMINATE: a result lies between a limit and "
	"its acceptance zone, or no tolerance interval could be made: conformance can be "
	"neither proven nor refuted at this uncertainty; the unit is not accepted.",
	"Tolerance intervals: mean +/- k sd claims that the stated coverage of all shots lies "
	"inside with the stated confidence (normal k, exact). When the Anderson-Darling test "
	"rejects normality (p below the spec's alpha), an interval between order statistics "
	"is used instead (distribution-free), which needs a minimum n.",
	"INCOMPLETE: everything judged passed, but the run did not cover its specification "
	"(a requirement or setting skipped, or fewer shots than required): not a certification.",
	NULL,
};

/* "mean 3.9..4.1; TI 3.7..4.3" with every limit moved inward by gb */
static void limits_text(const struct measurement *m, double gb, char *buf, size_t len)
{
	char a[64] = "", b[64] = "";
	const char *what = m->ti_method[0] ? "TI" : "each";

	if (m->expected >= 0) {
		snprintf(buf, len, "exactly %ld", m->expected);
		return;
	}
	if (!isnan(m->mean_lo) && !isnan(m->mean_hi))
		snprintf(a, sizeof(a), "mean %.4g..%.4g", m->mean_lo + gb, m->mean_hi - gb);
	else if (!isnan(m->mean_lo))
		snprintf(a, sizeof(a), "mean >= %.4g", m->mean_lo + gb);
	else if (!isnan(m->mean_hi))
		snprintf(a, sizeof(a), "mean <= %.4g", m->mean_hi - gb);
	if (!isnan(m->lsl) && !isnan(m->usl))
		snprintf(b, sizeof(b), "%s %.4g..%.4g", what, m->lsl + gb, m->usl - gb);
	else if (!isnan(m->lsl))
		snprintf(b, sizeof(b), "%s >= %.4g", what, m->lsl + gb);
	else if (!isnan(m->usl))
		snprintf(b, sizeof(b), "%s <= %.4g", what, m->usl - gb);
	snprintf(buf, len, "%s%s%s%s%s", a, a[0] && b[0] ? "; " : "", b, m->unit[0] ? " " : "",
		 a[0] || b[0] ? m->unit : "");
}

const char content_no_spec[] = "The script loaded no spec module that declares its "
			       "requirements: coverage was not checked.";
const char content_no_deviations[] = "None: the procedure ran as written, with no run options, "
				     "overrides, automatic prompt answers or operator notes.";

void content_coverage_cells(const struct coverage_row *row, char req[32], char got[48])
{
	if (!strcmp(row->setting, "every burst")) {
		snprintf(req, 32, "in every step");
		snprintf(got, 48, "checked in %zu of %zu steps", row->shots_measured,
			 row->steps_required);
	} else {
		snprintf(req, 32, "%zu", row->shots_required);
		snprintf(got, 48, "%zu", row->shots_measured);
	}
}

void content_decision(const struct measurement *m, struct decision_row *out)
{
	static const char *const labels[CONTENT_DECISION_ROWS] = {
		"specification limits", "acceptance zone", "tolerance interval", "TI method",
		"normality",
	};
	struct {
		char limits[128], acceptance[128], ti[96], method[96], normality[96];
	} dd, *d = &dd;

	snprintf(out->title, sizeof(out->title), "%s (%s): %s", m->name, m->requirement,
		 verdict_name(m->verdict));
	limits_text(m, 0, d->limits, sizeof(d->limits));
	if (m->expected >= 0)
		snprintf(d->acceptance, sizeof(d->acceptance), "the same (a count has no uncertainty)");
	else if (m->guard_band > 0) {
		char z[96];

		limits_text(m, m->guard_band, z, sizeof(z));
		snprintf(d->acceptance, sizeof(d->acceptance), "%s (U = %.3g inside)", z,
			 m->guard_band);
	} else
		snprintf(d->acceptance, sizeof(d->acceptance), "= the limits (no U declared)");
	if (!m->ti_method[0])
		snprintf(d->ti, sizeof(d->ti), "none asked");
	else if (isnan(m->k))
		snprintf(d->ti, sizeof(d->ti), "%g %% confidence, %g %% coverage", 100 * m->confidence,
			 100 * m->coverage);
	else
		snprintf(d->ti, sizeof(d->ti), "k %.4f, %g %% confidence, %g %% coverage", m->k,
			 100 * m->confidence, 100 * m->coverage);
	if (!m->ti_method[0])
		snprintf(d->method, sizeof(d->method), "-");
	else if (!strcmp(m->ti_method, "distribution-free")) {
		if (m->ti_rank_lo || m->ti_rank_hi)
			snprintf(d->method, sizeof(d->method),
				 "distribution-free (order statistics %zu and %zu of %zu)", m->ti_rank_lo,
				 m->ti_rank_hi, m->n);
		else
			snprintf(d->method, sizeof(d->method),
				 "distribution-free: none possible, needs n >= %zu", m->ti_n_required);
	} else
		snprintf(d->method, sizeof(d->method), "normal (%s k)", m->ti_method);
	if (isnan(m->normality_p))
		snprintf(d->normality, sizeof(d->normality), "not tested (n < 8 or no TI)");
	else
		snprintf(d->normality, sizeof(d->normality),
			 "Anderson-Darling p = %.3g: %s (alpha %.2g)", m->normality_p,
			 m->normality_p < m->normality_alpha ? "rejected" : "not rejected",
			 m->normality_alpha);
	{
		const char *v[CONTENT_DECISION_ROWS] = { d->limits, d->acceptance, d->ti, d->method,
							 d->normality };

		for (size_t i = 0; i < CONTENT_DECISION_ROWS; i++) {
			out->row[i].label = labels[i];
			snprintf(out->row[i].value, sizeof(out->row[i].value), "%s", v[i]);
		}
	}
}

size_t content_requirement_lines(const struct run_record *r, struct requirement_line *out,
				 size_t max)
{
	const char *ids[32];
	size_t n = audit_requirements(r, ids, max < 32 ? max : 32);

	for (size_t i = 0; i < n; i++) {
		struct margin mg;
		struct requirement_line *l = &out[i];

		audit_margin(r, ids[i], &mg);
		l->id = ids[i];
		l->verdict = mg.verdict;
		l->measurements = mg.measurements;
		for (size_t k = 0; k < r->nsteps; k++)
			if (!strcmp(r->steps[k].requirement, ids[i]) &&
			    (r->steps[k].error[0] || r->steps[k].verdict == VERDICT_ABORTED))
				l->verdict = verdict_worse(l->verdict, r->steps[k].verdict);
		if (mg.measurements == 0)
			snprintf(l->margin, sizeof(l->margin), "not judged in this run");
		else if (isnan(mg.dist))
			snprintf(l->margin, sizeof(l->margin), "exact count in %zu checks",
				 mg.measurements);
		else if (isnan(mg.pct))
			snprintf(l->margin, sizeof(l->margin), "%s %+.4g %s from its limit (%s)",
				 mg.clause, mg.dist, mg.m->unit, mg.step->label);
		else
			snprintf(l->margin, sizeof(l->margin), "%s %.4g %s inside its limit, %.0f %% of "
				 "the tolerance left (%s)", mg.clause, mg.dist, mg.m->unit, mg.pct,
				 mg.step->label);
		if (!isnan(mg.dist) && mg.dist < 0)
			snprintf(l->margin, sizeof(l->margin), "%s %.4g %s OUTSIDE its limit (%s)",
				 mg.clause, -mg.dist, mg.m->unit, mg.step->label);
	}
	return n;
}

size_t content_gravimetric(const struct step_record *s, const struct fixture *fx,
			   struct fact *out)
{
	const struct fixture_environment *e = &fx->env;
	const struct gravimetric_record *g = &s->grav;
	size_t n = 0;
	char *v;

	if (!g->have && s->nreadings == 0)
		return 0;
	v = fact(out, &n, "Balance readings")->value;
	for (size_t i = 0; i < s->nreadings; i++)
		snprintf(v + strlen(v), sizeof(out->value) - strlen(v), "%s%.5f g", i ? ", " : "",
			 s->readings_g[i]);
	if (!s->nreadings)
		snprintf(v, sizeof(out->value), "(none recorded)");
	if (g->have) {
		snprintf(fact(out, &n, "Net reading")->value, sizeof(out->value),
			 "%.5f g = %.2f mg, taken %.1f s after the tare", g->grams, g->grams * 1000,
			 g->seconds);
		snprintf(fact(out, &n, "Evaporation")->value, sizeof(out->value),
			 "+%.4f mg (%.4g mg/s, declared in the fixture, x %.1f s)", g->evaporation_mg,
			 e->evaporation_mg_per_s, g->seconds);
		snprintf(fact(out, &n, "Z factor")->value, sizeof(out->value),
			 "%.6f ul/mg (ISO 8655-6: water %.5f g/ml, air %.6f g/ml, weights 8.0 g/ml)",
			 g->z_ul_per_mg, water_density(e->temperature_c),
			 air_density(e->temperature_c, e->pressure_kpa, e->humidity_pct));
		snprintf(fact(out, &n, "Volume")->value, sizeof(out->value),
			 "(%.2f + %.4f) mg x %.6f = %.2f ul", g->grams * 1000, g->evaporation_mg,
			 g->z_ul_per_mg, g->volume_ul);
	}
	snprintf(fact(out, &n, "Environment")->value, sizeof(out->value),
		 "water %.1f degC, air %.1f kPa, %.0f %% RH: declared in the fixture, not "
		 "measured during the run", e->temperature_c, e->pressure_kpa, e->humidity_pct);
	return n;
}

const char *const content_signal_head[CONTENT_SIGNAL_COLS] = {
	"burst", "noise (mm rms)", "mains hum (mm)", "plunger noise (ul rms)",
	"clipped samples", "u(depth) Type A (mm)", "u(volume) Type A (ul)", "shots flagged",
};

const char content_signal_note[] =
	"Noise: robust rms of the idle signal; hum: the largest 50/60 Hz amplitude fitted before a "
	"shot and removed from its depth; u: Type A standard uncertainty of one shot from the "
	"noise (rms over the capture's shots), combined with the fixture's U into the guard band. "
	"A clipped or stuck sensor or an ambiguous shot makes the step ERROR.";

/* A number, or "-" when there is none. */
static void number_cell(char *buf, size_t len, const char *fmt, double v)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "-");
}

int content_signal_row(const struct artifact *a, struct signal_row *row)
{
	const struct signal_record *q = &a->signal;
	const size_t len = sizeof(row->cell[0]);

	if (!q->have)
		return 0;
	snprintf(row->cell[0], len, "%u", a->burst);
	number_cell(row->cell[1], len, "%.4f", q->noise_mm);
	if (q->hum_hz > 0)
		snprintf(row->cell[2], len, "%.4f at %.0f Hz", q->hum_mm, q->hum_hz);
	else
		snprintf(row->cell[2], len, "none found");
	number_cell(row->cell[3], len, "%.4f", q->plunger_noise_ul);
	snprintf(row->cell[4], len, "%llu", (unsigned long long)q->clipped_samples);
	number_cell(row->cell[5], len, "%.4f", q->u_depth_mm);
	number_cell(row->cell[6], len, "%.4f", q->u_volume_ul);
	if (q->stuck)
		snprintf(row->cell[7], len, "sensor STUCK");
	else if (q->clipped_shots || q->ambiguous_shots)
		snprintf(row->cell[7], len, "%u clipped, %u ambiguous", q->clipped_shots,
			 q->ambiguous_shots);
	else
		snprintf(row->cell[7], len, "none");
	row->flag = q->stuck || q->clipped_samples || q->clipped_shots || q->ambiguous_shots;
	return 1;
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
