-- Results store, schema 1: one row per run, its steps, the measurements
-- judged in them with the values they were judged from, and every shot.
-- Numbers are REAL; NULL stands for "not applicable" (NAN in the record).
-- The run directory stays the primary record: these rows are a copy made
-- for history, comparison and trends (docs/regression.md).

CREATE TABLE run (
	id              TEXT PRIMARY KEY,     -- run id, as in result.json
	started         TEXT NOT NULL,        -- ISO 8601 UTC
	ended           TEXT,
	verdict         TEXT NOT NULL,        -- PASS FAIL INDETERMINATE ERROR ABORTED
	station         TEXT NOT NULL,
	operator        TEXT NOT NULL,
	rig_version     TEXT NOT NULL,
	script_path     TEXT NOT NULL,
	script_sha256   TEXT NOT NULL,
	fixture_path    TEXT NOT NULL,
	fixture_sha256  TEXT NOT NULL,
	sim             INTEGER NOT NULL,     -- 1: sim bench
	seed            INTEGER,
	sim_unit_path   TEXT,
	uut_model       TEXT NOT NULL,
	uut_serial      TEXT NOT NULL,
	uut_firmware    TEXT NOT NULL,        -- what the unit ran when judged
	firmware_branch TEXT NOT NULL,        -- major.minor of uut_firmware
	firmware_image  TEXT,                 -- file flashed in the run, if any
	firmware_sha256 TEXT,
	out_dir         TEXT NOT NULL,        -- the run directory
	error           TEXT NOT NULL DEFAULT '',
	safety_stop     TEXT NOT NULL DEFAULT '',
	recorded        TEXT NOT NULL         -- when this row was written
);
CREATE INDEX run_by_serial ON run (uut_serial, started);
CREATE INDEX run_by_firmware ON run (uut_firmware, started);
CREATE INDEX run_by_branch ON run (uut_model, firmware_branch, script_path, started);

-- Run options given with --param, as the script saw them.
CREATE TABLE run_param (
	run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	name   TEXT NOT NULL,
	value  TEXT NOT NULL,
	PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE step (
	run_id       TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	step_no      INTEGER NOT NULL,        -- 1-based order in the run
	id           TEXT NOT NULL,           -- REQUIREMENT@setting
	requirement  TEXT NOT NULL,
	label        TEXT NOT NULL,
	depth_mm     REAL, dose_ul REAL, rate_per_min REAL,
	started      TEXT, ended TEXT,
	verdict      TEXT NOT NULL,
	error        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, step_no)
) WITHOUT ROWID;

CREATE TABLE measurement (
	run_id      TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	step_no     INTEGER NOT NULL,
	m_no        INTEGER NOT NULL,         -- 1-based order in the step
	name        TEXT NOT NULL,
	unit        TEXT NOT NULL,
	requirement TEXT NOT NULL,
	target      REAL,
	n           INTEGER NOT NULL,
	mean REAL, sd REAL, min REAL, max REAL,
	lsl REAL, usl REAL, mean_lo REAL, mean_hi REAL,
	ti_lo REAL, ti_hi REAL, k REAL, confidence REAL, coverage REAL,
	cpk REAL, cpk_lo REAL,
	uncertainty REAL, guard_band REAL,
	count INTEGER, expected INTEGER,      -- exact-count criteria; NULL otherwise
	verdict     TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, step_no, m_no)
) WITHOUT ROWID;
CREATE INDEX measurement_by_requirement ON measurement (requirement, name);

-- The values a measurement was judged from, in order: its statistics can
-- be recomputed with SQL (avg(v) is the mean) and compared across runs.
CREATE TABLE value (
	run_id  TEXT NOT NULL,
	step_no INTEGER NOT NULL,
	m_no    INTEGER NOT NULL,
	i       INTEGER NOT NULL,             -- 1-based
	v       REAL NOT NULL,
	PRIMARY KEY (run_id, step_no, m_no, i),
	FOREIGN KEY (run_id, step_no, m_no)
		REFERENCES measurement (run_id, step_no, m_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- Every shot measured (shots.csv of the run directory).
CREATE TABLE shot (
	run_id      TEXT NOT NULL,
	step_no     INTEGER NOT NULL,
	shot        INTEGER NOT NULL,
	burst       INTEGER NOT NULL,
	t_s         REAL,
	depth_mm    REAL,
	volume_ul   REAL,
	interval_ms REAL,
	flags       INTEGER NOT NULL,
	PRIMARY KEY (run_id, step_no, shot),
	FOREIGN KEY (run_id, step_no) REFERENCES step (run_id, step_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- Baselines set by hand (rig baseline set RUN), kept as a history: the
-- latest row for a model, firmware branch and script is the baseline.
CREATE TABLE baseline (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	uut_model       TEXT NOT NULL,
	firmware_branch TEXT NOT NULL,
	script_path     TEXT NOT NULL,
	run_id          TEXT NOT NULL REFERENCES run (id),
	set_at          TEXT NOT NULL,
	set_by          TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX baseline_by_key ON baseline (uut_model, firmware_branch, script_path, seq);
