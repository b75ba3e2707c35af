# The line's central store against a real PostgreSQL server (a throwaway
# cluster per test, started and stopped here): store-and-forward from
# station stores, idempotent pushes, conflicts, roles, signatures, and the
# line statistics. Run by tests/run-scenarios tests/line.
source tests/lib/pgcluster.sh

SCRIPT=tests/line/scripts/depth.lua
# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain pass on 2 cores: server killed mid sync 11, biased station 10, eight
# stations 9).
SLOW_TESTS="test_server_killed_mid_sync_resumes_without_loss
	test_line_names_a_biased_station_and_not_an_unbiased_one
	test_eight_stations_push_concurrently_twice_no_duplicate"

# A cluster in /tmp (the server runs as postgres, which must reach it),
# the schema, and stations A B C D each with its own login role (password
# in a .pgpass file, as a station keeps it), key, fixture and store.
line_setup() {
	PGT=$(mktemp -d /tmp/rig-line.XXXXXX)
	chmod 755 "$PGT"
	trap 'pg_stop; rm -rf "$PGT"' EXIT
	pg_start "$PGT/pg" || fail "cannot start PostgreSQL"
	ADMIN="host=$PGHOST port=$PGPORT user=postgres dbname=postgres"
	rig_run line init --db "$ADMIN"; expect_rc 0
	: >"$WORK/pgpass"
	chmod 600 "$WORK/pgpass"
	export PGPASSFILE=$WORK/pgpass
	for s in ${STATIONS:-A B C D}; do
		pg_psql "CREATE ROLE station_${s,,} LOGIN PASSWORD 'secret-$s'"
		echo "127.0.0.1:$PGPORT:postgres:station_${s,,}:secret-$s" >>"$WORK/pgpass"
		sed "s/SIM-STATION-01/STATION-$s/" fixtures/sim-bench.lua >"$WORK/fx-$s.lua"
		"$RIG" keygen --out "$WORK/key-$s.sec" >/dev/null
		rig_run line add-station "STATION-$s" --role "station_${s,,}" --key "$WORK/key-$s.pub" \
			--db "$ADMIN"
		expect_rc 0
	done
	pg_psql "CREATE ROLE qa LOGIN PASSWORD 'secret-qa' IN ROLE rig_qa"
	echo "127.0.0.1:$PGPORT:postgres:qa:secret-qa" >>"$WORK/pgpass"
	QA="postgresql://qa@127.0.0.1:$PGPORT/postgres"
}

central() { echo "postgresql://station_${1,,}@127.0.0.1:$PGPORT/postgres"; }

# station_run S SEED [ARGS...]: one run of station S into its own store.
station_run() {
	local s=$1 seed=$2
	shift 2
	# A FAIL or INDETERMINATE (1) is a complete run the line counts too.
	local rc=0
	RIG_KEY=$WORK/key-$s.sec "$RIG" run "$SCRIPT" --fixture "$WORK/fx-$s.lua" --seed "$seed" \
		--out "$WORK/runs/$s-$seed" --db "$WORK/store-$s.db" --quiet "$@" >"$WORK/run.log" 2>&1 || rc=$?
	[ "$rc" -le 1 ] || { cat "$WORK/run.log"; fail "run $s $seed could not complete"; }
}

count() { pg_psql "SELECT count(*) FROM rig.$1"; }

test_eight_stations_push_concurrently_twice_no_duplicate() {
	# The sanitizer pass (several times slower) runs 4 stations x 3 runs.
	local all="A B C D E F G H" runs="1 2 3 4 5" nruns=40
	if sanitized; then all="A B C D" runs="1 2 3" nruns=12; fi
	STATIONS=$all line_setup
	for s in $all; do
		(for i in $runs; do station_run $s $i --param shots=10; done) &
	done
	wait
	# Every station pushes twice, all at once.
	for s in $all; do
		("$RIG" sync --to "$(central $s)" --db "$WORK/store-$s.db" --quiet >"$WORK/sync1-$s" 2>&1
		 echo $? >"$WORK/rc1-$s"
		 "$RIG" sync --to "$(central $s)" --db "$WORK/store-$s.db" >"$WORK/sync2-$s" 2>&1
		 echo $? >"$WORK/rc2-$s") &
	done
	wait
	for s in $all; do
		[ "$(cat "$WORK/rc1-$s")$(cat "$WORK/rc2-$s")" = 00 ] || { cat "$WORK"/sync*-$s; fail "sync of $s"; }
		grep -q "sync: 0 pushed, 0 already there" "$WORK/sync2-$s" || fail "second sync of $s pushed again"
	done
	[ "$(count run)" = $nruns ] || fail "central holds $(count run) runs, not $nruns"
	[ "$(count shot)" = $((nruns * 10)) ] || fail "central holds $(count shot) shots, not $((nruns * 10))"
	[ "$(pg_psql "SELECT count(*) FROM (SELECT station FROM rig.run GROUP BY station HAVING count(*) = $(echo $runs | wc -w)) x")" = "$(echo $all | wc -w)" ] ||
		fail "not $(echo $runs | wc -w) runs per station"
	# Forgetting the outbox pushes nothing twice either: the central store
	# already holds each run with the same manifest.
	sqlite3 "$WORK/store-A.db" "DELETE FROM sync_outbox"
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"
	expect_rc 0; expect_out "0 pushed, $(echo $runs | wc -w) already there"
	[ "$(count run)" = $nruns ] || fail "duplicate after a forgotten outbox"
	# Each shot value arrived exactly: compare one run's shots with shots.csv.
	id=$(sqlite3 "$WORK/store-A.db" "SELECT id FROM run ORDER BY started LIMIT 1")
	want=$(sqlite3 "$WORK/store-A.db" "SELECT printf('%.17g', sum(depth_mm)) FROM shot WHERE run_id = '$id'")
	got=$(pg_psql "SELECT sum(depth_mm)::numeric(30,12) FROM rig.shot WHERE run_id = '$id'")
	awk -v a="$want" -v b="$got" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }' || fail "shots differ: $want vs $got"
	echo "note: $(echo $all | wc -w) stations x $(echo $runs | wc -w) runs pushed twice concurrently: $nruns runs, $((nruns * 10)) shots, no duplicate"
}

test_server_killed_mid_sync_resumes_without_loss() {
	STATIONS="A" line_setup
	for i in $(seq 1 12); do station_run A $i --param shots=10; done
	"$RIG" sync --to "$(central A)" --db "$WORK/store-A.db" --with-captures >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	# Kill the server once the first runs are in, mid-push.
	for _ in $(seq 1 200); do
		[ "$(pg_psql "SELECT count(*) FROM rig.run" 2>/dev/null || echo 0)" -ge 3 ] && break
		sleep 0.02
	done
	pg_kill
	RC=0; wait $pid || RC=$?
	[ "$RC" = 2 ] || [ "$RC" = 0 ] || fail "sync exit $RC after the server died"
	pg_restart || fail "restart"
	before=$(count run)
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db" --with-captures
	expect_rc 0
	[ "$(count run)" = 12 ] || fail "after resume: $(count run) runs, not 12 (had $before)"
	[ "$(count shot)" = 120 ] || fail "after resume: $(count shot) shots"
	[ "$(pg_psql "SELECT count(*) FROM rig.run WHERE NOT sealed")" = 0 ] || fail "an unsealed run"
	# The captures arrived whole: reassemble one and hash it.
	read -r sha path <<<"$(pg_psql "SELECT sha256, path FROM rig.capture LIMIT 1" | tr '|' ' ')"
	pg_psql "SELECT encode(data, 'hex') FROM rig.capture_chunk WHERE sha256 = '$sha' ORDER BY seq" |
		tr -d '\n' | xxd -r -p | sha256sum | grep -q "^$sha " || fail "capture $path differs"
	# A station killed mid-sync leaves nothing half-pushed either.
	for i in $(seq 13 20); do station_run A $i --param shots=10; done
	"$RIG" sync --to "$(central A)" --db "$WORK/store-A.db" --with-captures >/dev/null 2>&1 &
	pid=$!
	sleep 0.15
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"
	expect_rc 0
	[ "$(count run)" = 20 ] || fail "after a killed station: $(count run) runs"
	[ "$(count shot)" = 200 ] || fail "after a killed station: $(count shot) shots"
	echo "note: server killed after $before of 12 runs, station killed mid-sync: resumed to 20 runs, 200 shots"
}

test_station_cannot_push_another_stations_run() {
	STATIONS="A B" line_setup
	station_run A 1
	# Station B's credentials, station A's store.
	rig_run sync --to "$(central B)" --db "$WORK/store-A.db"
	expect_rc 2
	expect_err "row-level security|not an open run"
	[ "$(count run)" = 0 ] || fail "the run went in"
	# Nor can a station read other stations' runs.
	station_run A 2
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"; expect_rc 0
	[ "$("$PG_BIN/psql" -X -At "$(central B)" -c "SELECT count(*) FROM rig.run")" = 0 ] ||
		fail "station B sees station A's runs"
	if "$PG_BIN/psql" -X -At "$(central B)" -c "SELECT count(*) FROM rig.shot" >/dev/null 2>&1; then
		fail "station B may read shots"
	fi
}

test_forged_manifest_for_existing_run_is_a_conflict() {
	STATIONS="A" line_setup
	station_run A 1
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"; expect_rc 0
	d=$WORK/runs/A-1
	held=$(pg_psql "SELECT manifest_sha256 FROM rig.run")
	# A forger edits the result, rebuilds MANIFEST and signs it with a key
	# of their own (signify, not rig).
	sed -i 's/"PASS"/"PASS "/' "$d/result.json"
	(cd "$d" && find . -type f ! -name 'MANIFEST*' ! -name station.pub ! -name SIGNATURES | sed 's|^\./||' |
		LC_ALL=C sort | xargs sha256sum >MANIFEST)
	signify-openbsd -G -n -p "$WORK/forger.pub" -s "$WORK/forger.sec" >/dev/null
	signify-openbsd -S -s "$WORK/forger.sec" -m "$d/MANIFEST" -x "$d/MANIFEST.sig"
	cp "$WORK/forger.pub" "$d/station.pub"
	sqlite3 "$WORK/store-A.db" "DELETE FROM sync_outbox"
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"
	expect_rc 1
	expect_err "CONFLICT .*possible tampering"
	[ "$(pg_psql "SELECT manifest_sha256 FROM rig.run")" = "$held" ] || fail "the manifest was overwritten"
	[ "$(count conflict)" = 1 ] || fail "no conflict recorded"
	# A new run signed by the forger's key is pushed but never accepted.
	station_run A 2
	d=$WORK/runs/A-2
	signify-openbsd -S -s "$WORK/forger.sec" -m "$d/MANIFEST" -x "$d/MANIFEST.sig"
	cp "$WORK/forger.pub" "$d/station.pub"
	rig_run sync --to "$(central A)" --db "$WORK/store-A.db"; expect_rc 0
	rig_run line ingest --db "$ADMIN"; expect_rc 0; expect_out "1 accepted, 1 rejected"
	[ "$(pg_psql "SELECT status_reason FROM rig.run WHERE status = 'rejected'")" = \
	  "station's key is not trusted by the central store" ] || fail "wrong rejection"
	# Reports count accepted runs only.
	rig_run line --db "$QA" --json; expect_rc 0
	[ "$(jq '.yields[0].units' "$WORK/out")" = 1 ] || fail "rejected run counted"
	[ "$(jq '.requirements[0].values' "$WORK/out")" = 20 ] || fail "rejected run's values counted"
}

test_credentials_never_on_the_command_line() {
	STATIONS="A" line_setup
	rig_run sync --to "postgresql://station_a:secret-A@127.0.0.1:$PGPORT/postgres"
	expect_rc 2; expect_one_line_err; expect_err "password .*pgpass"
	grep -q secret-A "$WORK/err" && fail "the password was echoed"
	rig_run sync --to "host=127.0.0.1 port=$PGPORT user=station_a password=x"
	expect_rc 2; expect_err "pgpass"
	# Without the .pgpass the server refuses, and the message names no secret.
	station_run A 1
	: >"$WORK/empty-pgpass"; chmod 600 "$WORK/empty-pgpass"
	PGPASSFILE=$WORK/empty-pgpass rig_run sync --to "$(central A)" --db "$WORK/store-A.db"
	expect_rc 2; expect_one_line_err; expect_err "central store unreachable"
	# Unreachable server: exit 2, the run stays in the outbox.
	rig_run sync --to "postgresql://station_a@127.0.0.1:1/postgres" --db "$WORK/store-A.db"
	expect_rc 2; expect_err "unreachable"
	[ "$(sqlite3 "$WORK/store-A.db" "SELECT count(*) FROM sync_outbox")" = 0 ] || fail "outbox lost"
}

test_station_conf_forwards_after_each_run() {
	STATIONS="A" line_setup
	mkdir -p "$WORK/cfg/rig"
	printf '# the line\ncentral = %s\n' "$(central A)" >"$WORK/cfg/rig/station.conf"
	XDG_CONFIG_HOME=$WORK/cfg RIG_KEY=$WORK/key-A.sec rig_run run "$SCRIPT" \
		--fixture "$WORK/fx-A.lua" --out "$WORK/runs/conf-1" --db "$WORK/store-A.db"
	expect_rc 0; expect_out "forwarded to station_a@127.0.0.1"
	[ "$(count run)" = 1 ] || fail "not forwarded"
	# The central store down: the run passes all the same and waits.
	pg_stop
	XDG_CONFIG_HOME=$WORK/cfg RIG_KEY=$WORK/key-A.sec rig_run run "$SCRIPT" \
		--fixture "$WORK/fx-A.lua" --out "$WORK/runs/conf-2" --db "$WORK/store-A.db"
	expect_rc 0; expect_err "stays in the outbox"
	pg_restart
	XDG_CONFIG_HOME=$WORK/cfg rig_run sync --db "$WORK/store-A.db"
	expect_rc 0; expect_out "1 pushed"
	# A malformed station.conf is named with its line.
	printf 'central postgresql://x\n' >"$WORK/cfg/rig/station.conf"
	XDG_CONFIG_HOME=$WORK/cfg rig_run sync --db "$WORK/store-A.db"
	expect_rc 2; expect_err "station.conf:1: expected key = value"
}

test_line_names_a_biased_station_and_not_an_unbiased_one() {
	line_setup
	# Station C's displacement sensor reads 0.05 mm deep at 4 mm: its true
	# gain is 1.25 % above its calibration (depth is the stroke above its
	# baseline, so only a gain error biases it).
	sed -i 's/sim = { noise = 0.002, drift_per_s = 0.0002 }/sim = { noise = 0.002, drift_per_s = 0.0002, gain = 1.0125 }/' "$WORK/fx-C.lua"
	grep -q -- 'gain = 1.0125' "$WORK/fx-C.lua" || fail "bias not applied"
	# Five units (sim units of their own serials), each tested on several
	# stations: Cpk's subgroups.
	for u in 0 1 2 3 4; do
		sed 's/serial = "SIM-0001"/serial = "UNIT-'$u'"/' fixtures/units/nominal.lua >"$WORK/unit-$u.lua"
	done
	n=0
	for s in A B C D; do
		for i in 1 2 3 4; do
			n=$((n + 1))
			station_run $s $n --param shots=20 --sim-unit "$WORK/unit-$((n % 5)).lua"
		done
		rig_run sync --to "$(central $s)" --db "$WORK/store-$s.db" --quiet; expect_rc 0
	done
	rig_run line ingest --db "$ADMIN"; expect_rc 0; expect_out "16 accepted, 0 rejected"
	# The commands over recorded runs read the central store too.
	rig_run history --db "$QA" --limit 100; expect_rc 0
	[ "$(grep -c '^20' "$WORK/out")" = 16 ] || fail "history --db postgresql:// lists $(grep -c '^20' "$WORK/out") runs"
	a1=$(sqlite3 "$WORK/store-A.db" "SELECT id FROM run ORDER BY started, id LIMIT 1")
	a2=$(sqlite3 "$WORK/store-A.db" "SELECT id FROM run ORDER BY started DESC, id DESC LIMIT 1")
	rig_run diff "$a1" "$a2" --db "$QA"; [ "$RC" -le 1 ] || fail "diff exit $RC"; expect_out "DEPTH-ACC"
	rig_run baseline set "$a1" --db "$QA"; expect_rc 0
	[ "$(count baseline)" = 1 ] || fail "baseline not on the central store"
	rig_run baseline show "$a2" --db "$QA"; expect_rc 0; expect_out "$a1"
	rig_run trend --requirement DEPTH-ACC --db "$QA" --out "$WORK/trend.svg"; [ "$RC" -le 1 ] || fail "trend exit $RC"
	rig_run line --db "$QA" --json; expect_rc 0
	cp "$WORK/out" "$WORK/line.json"
	[ "$(jq -r '.requirements[] | select(.step == "DEPTH-ACC@4mm" and .requirement == "DEPTH-ACC") | .stations[] | select(.biased) | .station' "$WORK/line.json")" = STATION-C ] ||
		{ cat "$WORK/line.json" | head -60; fail "STATION-C not named biased"; }
	p=$(jq '.requirements[] | select(.step == "DEPTH-ACC@4mm" and .requirement == "DEPTH-ACC") | .anova.p' "$WORK/line.json")
	# The ANOVA against R's aov on the same run means.
	pg_psql "SELECT r.station, m.mean FROM rig.measurement m JOIN rig.run r ON r.id = m.run_id WHERE m.name = 'depth_mm'" |
		tr '|' ' ' >"$WORK/means.txt"
	rp=$(M=$WORK/means.txt Rscript -e 'd <- read.table(Sys.getenv("M")); s <- summary(aov(V2 ~ V1, data = d)); cat(sprintf("%.12g", s[[1]][["Pr(>F)"]][1]))' 2>/dev/null) ||
		rp=""
	if [ -n "$rp" ]; then
		awk -v a="$p" -v b="$rp" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-12 || d / b < 1e-6) }' ||
			fail "ANOVA p $p, R says $rp"
	fi
	# Capability against R from every value the runs were judged from:
	# overall sd, within-unit sd (each unit's values about its own mean,
	# pooled), Ppk and Cpk, for each requirement and setting.
	pg_psql "SELECT s.id || '/' || m.requirement || '/' || m.name, r.uut_serial, v.v FROM rig.value v
		JOIN rig.measurement m USING (run_id, step_no, m_no)
		JOIN rig.step s USING (run_id, step_no) JOIN rig.run r ON r.id = v.run_id
		WHERE m.count IS NULL AND r.status = 'accepted'" | tr '|' ' ' >"$WORK/values.txt"
	jq -r '.requirements[] | [.step + "/" + .requirement + "/" + .measurement, .units, .values,
		.mean, .sd_overall, .sd_within, (.ppk // "NA"), (.cpk // "NA"), (.lsl // "NA"),
		(.usl // "NA")] | @tsv' "$WORK/line.json" >"$WORK/rig-cap.txt"
	Rscript tests/line/capability.R "$WORK/values.txt" "$WORK/rig-cap.txt" >"$WORK/r-cap.txt" 2>&1 &&
		grep -q '^1 groups compared$' "$WORK/r-cap.txt" ||
		{ cat "$WORK/r-cap.txt"; fail "capability differs from R (or R failed)"; }
	# What migration 0002 does to runs accepted before it (and again: idempotent)
	# gives the same figures.
	pg_psql "DELETE FROM rig.line_obs"
	pg_psql "SELECT rig.line_obs_add(id) FROM rig.run WHERE status = 'accepted'" >/dev/null
	pg_psql "SELECT rig.line_obs_add(id) FROM rig.run WHERE status = 'accepted'" >/dev/null
	rig_run line --db "$QA" --json; expect_rc 0
	cmp -s "$WORK/out" "$WORK/line.json" || { diff "$WORK/line.json" "$WORK/out" | head; fail "rebuilt line rows differ"; }
	# Without the bias, nobody is named.
	pg_psql "DELETE FROM rig.run WHERE station = 'STATION-C'"
	rig_run line --db "$QA" --json; expect_rc 0
	[ -z "$(jq -r '.requirements[] | .stations[] | select(.biased) | .station' "$WORK/out")" ] ||
		fail "a station named biased without bias"
	rig_run line --db "$QA" --html "$WORK/line.html"; expect_rc 0
	grep -q '<img' "$WORK/line.html" || fail "no chart in the HTML page"
	echo "note: rig line: STATION-C (+0.05 mm) named biased, ANOVA p=$p (R: ${rp:-not run}); none named without it; Ppk, Cpk, sds of $(tail -1 "$WORK/r-cap.txt") with R"
}
