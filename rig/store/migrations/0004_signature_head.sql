-- Schema 4: the head of each run's electronic signature chain (rig sign),
-- so that rig verify notices a signature record deleted, reordered or an
-- older copy of the run directory restored (docs/reports.md).
CREATE TABLE signature_head (
	run_id  TEXT PRIMARY KEY REFERENCES run (id) ON DELETE CASCADE,
	records INTEGER NOT NULL,             -- how many records the chain has
	sha256  TEXT NOT NULL,                -- SHA-256 of the last record's text
	updated TEXT NOT NULL
) WITHOUT ROWID;
