#ifndef RIG_RECORD_JSON_H
#define RIG_RECORD_JSON_H

/*
 * The JSON form of the parts of a run record that go both into the journal
 * and into result.json, and come back out of the journal when a run is
 * recovered: one table of fields each way, so a field added here is
 * journaled, reported and recovered alike.
 */
#include <jansson.h>

#include "rig/base/fixture.h"
#include "rig/base/record.h"

/* A number or null (JSON has no NaN). */
json_t *json_number_or_null(double v);
/* The number at key, NAN when absent or null. */
double json_number_at(const json_t *obj, const char *key);

/* VERDICT_NONE for an unknown name. */
enum verdict verdict_parse(const char *name);

/* An array of numbers (NAN as null). */
json_t *json_doubles(const double *x, size_t n);


/* One burst's shots, rows[0..n), into its journal event e: an array per
 * shot_fields entry (rig/base/record.h) and "flags". */
void shot_rows_to_json(json_t *e, const struct shot_row *rows, size_t n);
/* How many shots the burst event e holds. */
size_t shot_rows_count(const json_t *e);
/* Its shots into rows[0..n) (shot and burst numbers aside), intervals
 * linked; a number e does not hold is NAN. */
void shot_rows_from_json(const json_t *e, struct shot_row *rows, size_t n);

json_t *measurement_to_json(const struct measurement *m);
/* Fields absent from j keep measurement_init()'s values. */
void measurement_from_json(const json_t *j, struct measurement *m);

/* A capture's signal quality: the journal's `signal` event (with its step
 * and burst) and each capture of result.json. Fields absent from j read
 * as unknown (NAN, 0); have is set. */
json_t *signal_to_json(const struct signal_record *q);
void signal_from_json(const json_t *j, struct signal_record *q);

/* The station as reports show it: instruments, certificates, environment,
 * uncertainties. */
json_t *fixture_to_json(const struct fixture *fx);
/* Enough of a fixture back for the reports (not for driving hardware). */
void fixture_from_json(const json_t *j, struct fixture *fx);

/* A spec's declaration (models, requirements, settings, shots): journaled
 * when the script loads it, and in result.json. */
json_t *spec_to_json(const struct spec_decl *d);
void spec_from_json(const json_t *j, struct spec_decl *d);

/* An uncertainty budget as result.json and the journal give it
 * (docs/result.schema.json). */
json_t *fixture_budget_to_json(const struct fixture_budget *b);
/* And back (every number as written; a null degree of freedom is infinity). */
void fixture_budget_from_json(const json_t *j, struct fixture_budget *b);

#endif
