-- Central results store (PostgreSQL), schema 1: every station's runs, as
-- each station's own store holds them (rig/store/migrations/0001_init.sql:
-- same tables and columns, so a push copies rows column by column), plus
-- the signed records that prove them, the stations and their trusted keys,
-- and conflicts (a run id pushed again with another manifest).
-- docs/line.md describes the roles and how a line is set up.

CREATE SCHEMA IF NOT EXISTS rig;

-- The roles. Group roles without login; each station logs in as a role of
-- its own that is a member of rig_station.
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rig_station') THEN CREATE ROLE rig_station NOLOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rig_qa') THEN CREATE ROLE rig_qa NOLOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rig_ingest') THEN CREATE ROLE rig_ingest NOLOGIN; END IF;
END $$;

CREATE TABLE rig.station (
	name    text PRIMARY KEY,             -- as the fixture names it (run.station)
	db_role text NOT NULL UNIQUE,         -- the login role it pushes as
	added   timestamptz NOT NULL DEFAULT now()
);

-- Station keys the central store accepts manifests from (signify public
-- key files, as station.pub); key_id is the key number in hex.
CREATE TABLE rig.trusted_key (
	key_id  text PRIMARY KEY,
	pubkey  text NOT NULL,
	station text NOT NULL REFERENCES rig.station (name),
	added   timestamptz NOT NULL DEFAULT now()
);

-- The station a login role pushes for; NULL for any other role.
CREATE FUNCTION rig.my_station() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = rig, pg_temp
	AS $$ SELECT name FROM rig.station WHERE db_role = session_user $$;

CREATE TABLE rig.run (
	id              text PRIMARY KEY,
	started         text NOT NULL,
	ended           text,
	verdict         text NOT NULL,
	station         text NOT NULL REFERENCES rig.station (name),
	operator        text NOT NULL,
	rig_version     text NOT NULL,
	script_path     text NOT NULL,
	script_sha256   text NOT NULL,
	fixture_path    text NOT NULL,
	fixture_sha256  text NOT NULL,
	sim             bigint NOT NULL,
	seed            bigint,
	sim_unit_path   text,
	uut_model       text NOT NULL,
	uut_serial      text NOT NULL,
	uut_firmware    text NOT NULL,
	firmware_branch text NOT NULL,
	firmware_image  text,
	firmware_sha256 text,
	out_dir         text NOT NULL,
	error           text NOT NULL DEFAULT '',
	safety_stop     text NOT NULL DEFAULT '',
	recorded        text NOT NULL,
	-- The signed record, as the run directory holds it.
	manifest        bytea NOT NULL,       -- MANIFEST
	manifest_sha256 text NOT NULL,        -- sha256 of manifest, hex
	manifest_sig    text NOT NULL,        -- MANIFEST.sig
	station_pub     text NOT NULL,        -- station.pub
	signatures      bytea,                -- the e-signature chain (signatures/), if any
	-- Push bookkeeping: a run is written in one transaction and sealed by
	-- its last statement; rig line ingest then checks its signature
	-- against rig.trusted_key and accepts or rejects it. Queries read
	-- accepted runs only.
	sealed          boolean NOT NULL DEFAULT false,
	status          text NOT NULL DEFAULT 'pending'
	                CHECK (status IN ('pending', 'accepted', 'rejected')),
	status_reason   text NOT NULL DEFAULT '',
	pushed_at       timestamptz NOT NULL DEFAULT now(),
	pushed_by       text NOT NULL DEFAULT session_user
);
CREATE INDEX run_by_serial ON rig.run (uut_serial, started);
CREATE INDEX run_by_status ON rig.run (status, started);

CREATE TABLE rig.run_param (
	run_id text NOT NULL REFERENCES rig.run (id) ON DELETE CASCADE,
	name   text NOT NULL,
	value  text NOT NULL,
	PRIMARY KEY (run_id, name)
);

CREATE TABLE rig.step (
	run_id       text NOT NULL REFERENCES rig.run (id) ON DELETE CASCADE,
	step_no      bigint NOT NULL,
	id           text NOT NULL,
	requirement  text NOT NULL,
	label        text NOT NULL,
	depth_mm     double precision, dose_ul double precision, rate_per_min double precision,
	started      text, ended text,
	verdict      text NOT NULL,
	error        text NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, step_no)
);

CREATE TABLE rig.measurement (
	run_id      text NOT NULL,
	step_no     bigint NOT NULL,
	m_no        bigint NOT NULL,
	name        text NOT NULL,
	unit        text NOT NULL,
	requirement text NOT NULL,
	target      double precision,
	n           bigint NOT NULL,
	mean double precision, sd double precision, min double precision, max double precision,
	lsl double precision, usl double precision, mean_lo double precision, mean_hi double precision,
	ti_lo double precision, ti_hi double precision, k double precision,
	confidence double precision, coverage double precision,
	cpk double precision, cpk_lo double precision,
	uncertainty double precision, guard_band double precision,
	count bigint, expected bigint,
	verdict     text NOT NULL,
	reason      text NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, step_no, m_no),
	FOREIGN KEY (run_id, step_no) REFERENCES rig.step (run_id, step_no) ON DELETE CASCADE
);
CREATE INDEX measurement_by_requirement ON rig.measurement (requirement, name);

CREATE TABLE rig.value (
	run_id  text NOT NULL,
	step_no bigint NOT NULL,
	m_no    bigint NOT NULL,
	i       bigint NOT NULL,
	v       double precision NOT NULL,
	PRIMARY KEY (run_id, step_no, m_no, i),
	FOREIGN KEY (run_id, step_no, m_no)
		REFERENCES rig.measurement (run_id, step_no, m_no) ON DELETE CASCADE
);

CREATE TABLE rig.shot (
	run_id      text NOT NULL,
	step_no     bigint NOT NULL,
	shot        bigint NOT NULL,
	burst       bigint NOT NULL,
	t_s         double precision,
	depth_mm    double precision,
	volume_ul   double precision,
	interval_ms double precision,
	flags       bigint NOT NULL,
	PRIMARY KEY (run_id, step_no, shot),
	FOREIGN KEY (run_id, step_no) REFERENCES rig.step (run_id, step_no) ON DELETE CASCADE
);

-- Every capture's hash (from MANIFEST); the bytes only when pushed
-- --with-captures, in chunks, once per distinct content.
CREATE TABLE rig.capture (
	run_id text NOT NULL REFERENCES rig.run (id) ON DELETE CASCADE,
	path   text NOT NULL,
	sha256 text NOT NULL,
	PRIMARY KEY (run_id, path)
);
CREATE TABLE rig.capture_chunk (
	sha256 text NOT NULL,
	seq    bigint NOT NULL,
	data   bytea NOT NULL,
	PRIMARY KEY (sha256, seq)
);

CREATE TABLE rig.baseline (
	seq             bigserial PRIMARY KEY,
	uut_model       text NOT NULL,
	firmware_branch text NOT NULL,
	script_path     text NOT NULL,
	run_id          text NOT NULL REFERENCES rig.run (id),
	set_at          text NOT NULL,
	set_by          text NOT NULL,
	note            text NOT NULL DEFAULT ''
);

-- A run id pushed again with a different manifest: never overwritten,
-- recorded here for QA (possible tampering).
CREATE TABLE rig.conflict (
	seq             bigserial PRIMARY KEY,
	run_id          text NOT NULL,
	station         text,
	pushed_by       text NOT NULL DEFAULT session_user,
	manifest_sha256 text NOT NULL,
	held_sha256     text,
	manifest        bytea NOT NULL,
	manifest_sig    text NOT NULL,
	detected_at     timestamptz NOT NULL DEFAULT now()
);

-- Stations: insert their own station's runs (and rows of those runs while
-- unsealed), see only their own runs; nothing else.
ALTER TABLE rig.run ENABLE ROW LEVEL SECURITY;
CREATE POLICY station_sees_own ON rig.run FOR SELECT TO rig_station
	USING (station = rig.my_station());
CREATE POLICY station_inserts_own ON rig.run FOR INSERT TO rig_station
	WITH CHECK (station = rig.my_station() AND NOT sealed AND status = 'pending'
		    AND pushed_by = session_user);
CREATE POLICY station_seals_own ON rig.run FOR UPDATE TO rig_station
	USING (station = rig.my_station() AND NOT sealed)
	WITH CHECK (station = rig.my_station() AND status = 'pending');
CREATE POLICY others_read ON rig.run FOR SELECT TO rig_qa, rig_ingest USING (true);
CREATE POLICY ingest_judges ON rig.run FOR UPDATE TO rig_ingest USING (sealed) WITH CHECK (sealed);

-- A child row may be written only into the caller's own unsealed run.
CREATE FUNCTION rig.run_open_for_me(run text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = rig, pg_temp
	AS $$ SELECT EXISTS (SELECT 1 FROM rig.run r WHERE r.id = run AND NOT r.sealed
			     AND r.station = rig.my_station()) $$;

-- Child rows: a trigger, not row security (COPY, which pushes use, does
-- not work under row security). A station may add rows only to its own
-- unsealed run; superusers (the store's administrators) are exempt.
CREATE FUNCTION rig.check_child_row() RETURNS trigger LANGUAGE plpgsql
	SET search_path = rig, pg_temp
	AS $$ BEGIN
		-- Anyone but a superuser (who administers the store) writes
		-- only into an open run of their own station.
		IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
		   AND NOT rig.run_open_for_me(NEW.run_id) THEN
			RAISE EXCEPTION 'run % is not an open run of this station', NEW.run_id
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		RETURN NEW;
	END $$;
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['run_param', 'step', 'measurement', 'value', 'shot', 'capture'] LOOP
		EXECUTE format('CREATE TRIGGER station_writes_own BEFORE INSERT ON rig.%I '
			       'FOR EACH ROW EXECUTE FUNCTION rig.check_child_row()', t);
	END LOOP;
END $$;
ALTER TABLE rig.conflict ENABLE ROW LEVEL SECURITY;
CREATE POLICY station_reports ON rig.conflict FOR INSERT TO rig_station
	WITH CHECK (pushed_by = session_user);
CREATE POLICY others_read ON rig.conflict FOR SELECT TO rig_qa, rig_ingest USING (true);

GRANT USAGE ON SCHEMA rig TO rig_station, rig_qa, rig_ingest;
GRANT SELECT ON ALL TABLES IN SCHEMA rig TO rig_qa, rig_ingest;
GRANT SELECT (id, station, manifest_sha256, sealed, status) ON rig.run TO rig_station;
GRANT INSERT ON rig.run, rig.run_param, rig.step, rig.measurement, rig.value, rig.shot,
	rig.capture, rig.capture_chunk, rig.conflict TO rig_station;
GRANT UPDATE (sealed) ON rig.run TO rig_station;
GRANT SELECT ON rig.schema_version TO rig_station;
GRANT SELECT (sha256, seq) ON rig.capture_chunk TO rig_station;
GRANT USAGE ON SEQUENCE rig.conflict_seq_seq TO rig_station;
GRANT UPDATE (status, status_reason) ON rig.run TO rig_ingest;
GRANT INSERT ON rig.baseline TO rig_qa;
GRANT USAGE ON SEQUENCE rig.baseline_seq_seq TO rig_qa;
