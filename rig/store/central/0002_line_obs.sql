-- Central store schema 2: what `rig line` reads, kept as runs are accepted.
-- Joining every measurement to its step and run and aggregating them took
-- seconds over 10,000 runs (make bench); rig line now reads one narrow row
-- per judged measurement of an accepted run, grouped by a small key table,
-- and PostgreSQL aggregates them (rig/line/report.c, docs/line.md).

-- A requirement and setting as rig line groups them: the step id, the
-- requirement, the measurement's name and unit, and its limits (NaN: no
-- limit, so that the key is unique without NULLs). Limits are part of the
-- key: capability against two different limits is two rows.
CREATE TABLE rig.line_group (
	id          serial PRIMARY KEY,
	step_id     text NOT NULL,
	requirement text NOT NULL,
	name        text NOT NULL,
	unit        text NOT NULL,
	lsl         double precision NOT NULL,
	usl         double precision NOT NULL,
	UNIQUE (step_id, requirement, name, unit, lsl, usl)
);

-- One judged measurement (not a count) of an accepted run: its n, mean
-- and sum of squares about its mean, (n - 1) sd^2, from which the line's
-- overall and within-unit sums of squares follow exactly. Station and
-- serial are the run's.
CREATE TABLE rig.line_obs (
	run_id     text NOT NULL REFERENCES rig.run (id) ON DELETE CASCADE,
	step_no    bigint NOT NULL,
	m_no       bigint NOT NULL,
	grp        int NOT NULL REFERENCES rig.line_group (id),
	station    text NOT NULL,
	uut_serial text NOT NULL,
	n          bigint NOT NULL,
	mean       double precision NOT NULL,
	ss         double precision NOT NULL,
	PRIMARY KEY (run_id, step_no, m_no)
);

-- rig line reads the rows of units tested more than once by serial.
CREATE INDEX line_obs_by_serial ON rig.line_obs (uut_serial);

-- The judged measurements (not counts) of one run if it is accepted, as
-- rig.line_obs holds them, with their group's key.
CREATE FUNCTION rig.line_rows(run text) RETURNS TABLE (
	run_id text, step_no bigint, m_no bigint, step_id text, requirement text, name text,
	unit text, lsl double precision, usl double precision, station text, uut_serial text,
	n bigint, mean double precision, ss double precision)
	LANGUAGE sql STABLE SET search_path = rig, pg_temp
	AS $$
	SELECT m.run_id, m.step_no, m.m_no, s.id, m.requirement, m.name, m.unit,
	       coalesce(m.lsl, 'NaN'), coalesce(m.usl, 'NaN'), r.station, r.uut_serial, m.n, m.mean,
	       -- as the station's store judged it: no spread from one value
	       CASE WHEN m.n > 1 AND m.sd IS NOT NULL AND m.sd NOT IN ('NaN', 'Infinity', '-Infinity')
		    THEN (m.n - 1) * m.sd * m.sd ELSE 0 END
	FROM rig.measurement m JOIN rig.step s ON s.run_id = m.run_id AND s.step_no = m.step_no
	JOIN rig.run r ON r.id = m.run_id
	WHERE m.run_id = run AND r.status = 'accepted'
	  AND m.n > 0 AND m.mean IS NOT NULL AND m.count IS NULL
	$$;

-- Adds them (groups first); idempotent.
CREATE FUNCTION rig.line_obs_add(run text) RETURNS void LANGUAGE sql SECURITY DEFINER
	SET search_path = rig, pg_temp
	AS $$
	INSERT INTO rig.line_group (step_id, requirement, name, unit, lsl, usl)
		SELECT DISTINCT step_id, requirement, name, unit, lsl, usl FROM rig.line_rows(run)
		ON CONFLICT DO NOTHING;
	INSERT INTO rig.line_obs (run_id, step_no, m_no, grp, station, uut_serial, n, mean, ss)
		SELECT o.run_id, o.step_no, o.m_no, g.id, o.station, o.uut_serial, o.n, o.mean, o.ss
		FROM rig.line_rows(run) o JOIN rig.line_group g USING (step_id, requirement, name,
								     unit, lsl, usl)
		ON CONFLICT DO NOTHING;
	$$;

-- Kept with the run's status, in the transaction that sets it (rig line
-- ingest), whoever sets it.
CREATE FUNCTION rig.line_obs_follow_status() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = rig, pg_temp
	AS $$ BEGIN
		IF NEW.status = 'accepted' AND OLD.status <> 'accepted' THEN
			PERFORM rig.line_obs_add(NEW.id);
		ELSIF OLD.status = 'accepted' AND NEW.status <> 'accepted' THEN
			DELETE FROM rig.line_obs WHERE run_id = NEW.id;
		END IF;
		RETURN NULL;
	END $$;
CREATE TRIGGER line_obs AFTER UPDATE OF status ON rig.run
	FOR EACH ROW EXECUTE FUNCTION rig.line_obs_follow_status();

-- Runs accepted before this migration.
SELECT rig.line_obs_add(id) FROM rig.run WHERE status = 'accepted';

-- rig line's yields read the accepted runs in this order (an index-only
-- scan, no sort), and its within-unit pass looks for units tested more
-- than once.
CREATE INDEX run_accepted_for_yield ON rig.run
	(script_path, script_sha256, uut_firmware, uut_serial, started, id) INCLUDE (verdict)
	WHERE status = 'accepted';
CREATE INDEX run_accepted_by_serial ON rig.run (uut_serial) WHERE status = 'accepted';

REVOKE ALL ON FUNCTION rig.line_obs_add(text), rig.line_rows(text) FROM PUBLIC;
GRANT SELECT ON rig.line_group, rig.line_obs TO rig_qa, rig_ingest;
