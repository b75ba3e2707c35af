-- Schema 3: the modules (specs, libraries) each run required, by path and
-- SHA-256 as its journal's "module" events name them, and their text, kept
-- once per hash: rig diff judges a run with the very spec it ran against,
-- even after the file was edited or moved (docs/regression.md).

CREATE TABLE run_module (
	run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	path   TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	PRIMARY KEY (run_id, path)
) WITHOUT ROWID;

CREATE TABLE module_text (
	sha256 TEXT PRIMARY KEY,  -- of text, checked when it was stored
	text   BLOB NOT NULL
) WITHOUT ROWID;
