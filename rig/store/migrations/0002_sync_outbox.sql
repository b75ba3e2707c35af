-- Results store, schema 2: the outbox of store-and-forward to a line's
-- central store (docs/line.md). A run is waiting for a central store
-- until a row here says that store confirmed it: pushed (it holds this
-- manifest) or conflict (it holds another manifest for the run id).
CREATE TABLE sync_outbox (
	run_id          TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	target          TEXT NOT NULL,        -- user@host:port/db
	manifest_sha256 TEXT NOT NULL,        -- of the MANIFEST pushed
	outcome         TEXT NOT NULL,        -- pushed | conflict
	confirmed       TEXT NOT NULL,        -- ISO 8601 UTC
	PRIMARY KEY (run_id, target)
) WITHOUT ROWID;
