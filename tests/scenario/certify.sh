# `rig run scripts/certify.lua` on the sim bench: verdicts, failing
# requirement IDs, exit codes, artifacts, determinism.

certify() { # unit [extra args]
	local unit=$1; shift
	rig_run run scripts/certify.lua --sim-unit "fixtures/units/$unit.lua" --out "$WORK/run" --quiet "$@"
}

test_nominal_unit_passes() {
	certify nominal
	expect_rc 0
	expect_out '^PASS'
	for req in DEPTH-ACC DOSE-ACC DOSE-GRAV RATE-ACC SHOT-COUNT SAFE-DEPTH; do
		expect_out "^$req .*PASS\$"
	done
	expect_out "report: $WORK/run/"
	for f in result.json shots.csv truth.csv journal.jsonl; do expect_file "$WORK/run/$f"; done
	# 12 settings x 60 shots + the gravimetric burst
	[ "$(tail -n +2 "$WORK/run/shots.csv" | wc -l)" -eq 780 ] || fail "shots.csv rows"
	[ "$(ls "$WORK/run/captures" | wc -l)" -eq 13 ] || fail "13 raw captures expected"
}

# Each bad unit fails, and the summary names the requirement it breaks.
expect_fails() { # unit requirement...
	local unit=$1; shift
	certify "$unit"
	expect_rc 1
	expect_out '^FAIL'
	for req in "$@"; do expect_out "^$req .*FAIL\$"; done
}

test_depth_offset_fails_depth_acc() { expect_fails depth-offset DEPTH-ACC; }
test_dose_low_fails_dose() { expect_fails dose-low DOSE-ACC DOSE-GRAV; }
test_rate_fast_fails_rate_acc() { expect_fails rate-fast RATE-ACC; }
test_missed_shots_fail_shot_count() { expect_fails missed-shots SHOT-COUNT; }
test_double_shots_fail_shot_count() { expect_fails double-shots SHOT-COUNT; }

test_too_deep_stops_the_run() {
	certify too-deep
	expect_rc 1
	expect_out '^SAFE-DEPTH .*FAIL$'
	expect_out 'safety stop'
	# The run stopped at the first unsafe shot: no later step ran.
	expect_no_out '^DOSE-ACC'
	grep -q '"event":"safety_stop"' "$WORK/run/journal.jsonl" || fail "safety stop not journaled"
}

test_same_seed_same_shots() {
	certify nominal --seed 7
	mv "$WORK/run" "$WORK/a"
	certify nominal --seed 7
	cmp "$WORK/a/shots.csv" "$WORK/run/shots.csv" || fail "shots.csv differs for the same seed"
	cmp "$WORK/a/truth.csv" "$WORK/run/truth.csv" || fail "truth.csv differs for the same seed"
	mv "$WORK/run" "$WORK/b"
	certify nominal --seed 8
	! cmp -s "$WORK/a/shots.csv" "$WORK/run/shots.csv" || fail "a different seed gave the same shots"
}

test_result_json_names_every_requirement() {
	certify nominal
	for req in DEPTH-ACC DOSE-ACC DOSE-GRAV RATE-ACC SHOT-COUNT SAFE-DEPTH; do
		grep -q "\"id\": \"$req\"" "$WORK/run/result.json" || fail "$req missing from result.json"
	done
	grep -q '"verdict": "PASS"' "$WORK/run/result.json" || fail "no PASS verdict"
}

test_out_directory_is_never_reused() {
	certify nominal
	certify nominal
	expect_rc 2
	expect_err 'already exists and is not empty \(choose a new --out directory\)'
	expect_one_line_err
}
