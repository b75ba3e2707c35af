# Firmware regression: the results store, rig diff on sim firmware builds
# that differ in a controlled way, the false alarm rate, baselines,
# concurrent writers (docs/regression.md).
#
# Suite runs use --param soak_min=1 (a one-minute soak instead of five):
# the soak judges depth like the other settings and one minute gives 350
# shots, more than any other step, so the statistics keep their power.

# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain / sanitizer pass on 2 cores: false alarm rate 68/17).
SLOW_TESTS=test_false_alarm_rate_over_seeds

regression() { # out firmware seed [args]
	local out=$1 fw=$2 seed=$3; shift 3
	rig_run run scripts/regression.lua --firmware "fixtures/firmware/$fw.lua" --seed "$seed" \
		--param soak_min=1 --out "$WORK/$out" --db "$WORK/results.db" --quiet "$@"
}

run_id() { # run directory -> its run id from result.json
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$1/result.json"
}

# The requirements a diff flags, sorted and unique, from its JSON.
flagged() { # base run
	"$RIG" diff "$1" "$2" --db "$WORK/results.db" --json - >"$WORK/diff.json" || true
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted({c["requirement"] for c in d["comparisons"] if c["regression"]})))' \
		"$WORK/diff.json"
}

test_controlled_builds_flag_exactly_their_requirements() {
	regression base 2.4.1 1; expect_rc 0
	regression dose 2.4.2-dose-low 1; expect_rc 1
	regression depth 2.4.2-depth-shift 1; expect_rc 1
	regression noisy 2.4.2-dose-noisy 1
	local base dose depth noisy got
	base=$(run_id "$WORK/base") dose=$(run_id "$WORK/dose") depth=$(run_id "$WORK/depth")
	noisy=$(run_id "$WORK/noisy")
	got=$(flagged "$base" "$dose")
	[ "$got" = "DOSE-ACC DOSE-GRAV" ] || fail "3 % dose under-delivery flagged [$got]"
	got=$(flagged "$base" "$depth")
	[ "$got" = "DEPTH-ACC" ] || fail "0.1 mm depth shift flagged [$got]"
	# Twice the dose noise: a change in spread, seen by the Brown-Forsythe test.
	got=$(flagged "$base" "$noisy")
	[ "$got" = "DOSE-ACC" ] || fail "doubled dose noise flagged [$got]"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert all("spread" in c["worse"] for c in d["comparisons"]
           if c["regression"] and c["quantity"] == "volume_ul"), "spread not the reason"' \
		"$WORK/diff.json" || fail "noisy build: not flagged for spread"
	# The table, the exit status and the quiet form.
	rig_run diff "$base" "$dose" --db "$WORK/results.db"
	expect_rc 1
	expect_out '^DOSE-ACC +50 ul +volume_ul +-1\.[0-9]+ \[.*REGRESSION: mean'
	expect_out '^[0-9]+ regressions in [0-9]+ comparisons$'
	rig_run diff "$base" "$dose" --db "$WORK/results.db" --quiet
	expect_rc 1
	expect_no_out '^DEPTH-ACC'
	expect_no_out '^base '
	# JUnit for CI: valid XML, one failure per regression.
	rig_run diff "$base" "$depth" --db "$WORK/results.db" --junit "$WORK/diff.xml" --quiet
	expect_rc 1
	xmllint --noout "$WORK/diff.xml" || fail "junit not well-formed"
	[ "$(grep -c '<failure ' "$WORK/diff.xml")" -eq 7 ] || fail "7 depth regressions expected"
	grep -q 'failures="7"' "$WORK/diff.xml" || fail "testsuite failure count"
	# The store knows which image each run flashed.
	rig_run history --db "$WORK/results.db" --firmware 2.4.2-dose-low
	expect_out "^$dose "
	[ "$(grep -c '^2' "$WORK/out")" -eq 1 ] || fail "history --firmware lists one run"
}

# Two runs of one build differ only by the sim's random seed: any flag is a
# false alarm. 20 diffs (base seed 1 against seeds 2..21); sanitizer builds
# run 4, as they check memory, not statistics.
test_false_alarm_rate_over_seeds() {
	local n=20 alarms=0 base seed id
	sanitized && n=4
	regression base 2.4.1 1; expect_rc 0
	base=$(run_id "$WORK/base")
	for seed in $(seq 2 $((n + 1))); do
		regression "s$seed" 2.4.1 "$seed"
		[ "$RC" -le 1 ] || fail "seed $seed: run failed"
		id=$(run_id "$WORK/s$seed")
		rig_run diff "$base" "$id" --db "$WORK/results.db" --quiet
		case $RC in
		0) ;;
		1) alarms=$((alarms + 1)); echo "false alarm, seed $seed:"; cat "$WORK/out" ;;
		*) fail "diff seed $seed: exit $RC" ;;
		esac
	done
	echo "note: false alarm rate: $alarms of $n diffs of one build across seeds"
	[ "$alarms" -eq 0 ] || fail "$alarms false alarms in $n diffs"
}

tiny_script() {
	cat >"$WORK/tiny.lua" <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 350, label = "4 mm" },
  function(s) s:judge("depth_mm", assert(rig.uut:burst(5)).depth_mm,
                      { requirement = "DEPTH-ACC", mean = { lo = 3.9, hi = 4.1 } }) end)
LUA
}

# Killed while it waits for a store another process holds locked: the run is
# complete and signed but not in the store; rig recover puts it there.
test_run_killed_waiting_for_the_store_is_added_by_recover() {
	local pid holder id
	tiny_script
	rig_run run "$WORK/tiny.lua" --out "$WORK/first" --db "$WORK/results.db" --quiet
	expect_rc 0
	python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(60)' "$WORK/results.db" "$WORK/locked" &
	holder=$!
	while [ ! -e "$WORK/locked" ]; do sleep 0.05; done
	"$RIG" run "$WORK/tiny.lua" --out "$WORK/r" --db "$WORK/results.db" --quiet >"$WORK/out" 2>&1 &
	pid=$!
	# the verdict is printed before the wait for the lock
	until grep -q '^report: ' "$WORK/out"; do sleep 0.05; done
	sleep 0.5
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	kill "$holder"; wait "$holder" 2>/dev/null || true
	id=$(run_id "$WORK/r")
	rig_run verify "$WORK/r"
	expect_rc 0
	rig_run history --db "$WORK/results.db"
	expect_no_out "^$id "
	rig_run recover "$WORK/r"
	expect_rc 0
	expect_out "already closed and signed"
	expect_out "run $id added to the results store $WORK/results.db"
	rig_run history --db "$WORK/results.db"
	expect_out "^$id "
	rig_run recover "$WORK/r" # once is enough
	expect_no_out "added to"
}

test_concurrent_writers_lose_no_run() {
	local i pids="" n=8
	tiny_script
	for i in $(seq 1 $n); do
		"$RIG" run "$WORK/tiny.lua" --seed "$i" --out "$WORK/c$i" --db "$WORK/results.db" \
			--quiet >"$WORK/c$i.out" 2>"$WORK/c$i.err" &
		pids="$pids $!"
	done
	for i in $pids; do wait "$i" || fail "a concurrent run failed"; done
	! grep -q warning "$WORK"/c*.err ||
		fail "a run could not write the store: $(grep -h warning "$WORK"/c*.err | head -3)"
	[ "$(sqlite3 "$WORK/results.db" 'SELECT count(*) FROM run')" -eq $n ] || fail "runs lost"
	[ "$(sqlite3 "$WORK/results.db" 'SELECT count(*) FROM shot')" -eq $((5 * n)) ] ||
		fail "shots lost"
	[ "$(sqlite3 "$WORK/results.db" 'PRAGMA integrity_check')" = ok ] || fail "store damaged"
	for i in $(seq 1 $n); do
		rig_run history --db "$WORK/results.db" --limit 100
		expect_out "^$(run_id "$WORK/c$i") "
	done
}

test_store_values_recompute_the_statistics() {
	tiny_script
	rig_run run "$WORK/tiny.lua" --out "$WORK/r" --db "$WORK/results.db" --quiet
	expect_rc 0
	# The mean in the store is the mean of the values it keeps, and those are
	# the depths of shots.csv.
	sqlite3 "$WORK/results.db" "SELECT printf('%.9f %.9f', m.mean, (SELECT avg(v) FROM value v
		WHERE v.run_id = m.run_id AND v.step_no = m.step_no AND v.m_no = m.m_no))
		FROM measurement m WHERE m.requirement = 'DEPTH-ACC'" >"$WORK/means"
	read -r a b <"$WORK/means"
	[ "$a" = "$b" ] || fail "mean $a, values average $b"
	[ "$(sqlite3 "$WORK/results.db" "SELECT group_concat(printf('%.6f', depth_mm), ' ') FROM shot")" = \
	  "$(tail -n +2 "$WORK/r/shots.csv" | cut -d, -f4 | xargs printf '%.6f ' | sed 's/ $//')" ] ||
		fail "stored shots differ from shots.csv"
	[ "$(sqlite3 "$WORK/results.db" 'PRAGMA user_version')" -ge 1 ] || fail "schema version"
	[ "$(sqlite3 "$WORK/results.db" 'PRAGMA journal_mode')" = wal ] || fail "not WAL"
}

test_default_store_is_under_xdg_data_home() {
	tiny_script
	XDG_DATA_HOME="$WORK/xdg" rig_run run "$WORK/tiny.lua" --out "$WORK/r" --quiet
	expect_rc 0
	expect_file "$WORK/xdg/rig/results.db"
	XDG_DATA_HOME="$WORK/xdg" rig_run history
	expect_out "^$(run_id "$WORK/r") "
	# looking is not recording: a mistyped store is refused, never created
	rig_run history --db "$WORK/typo/results.db"
	expect_rc 2
	expect_err "^rig: $WORK/typo/results.db: no results store"
	[ ! -e "$WORK/typo" ] || fail "history created $WORK/typo"
}

test_unwritable_store_keeps_the_run() {
	tiny_script
	mkdir -p "$WORK/ro" && echo "not a database" >"$WORK/ro/results.db"
	rig_run run "$WORK/tiny.lua" --out "$WORK/r" --db "$WORK/ro/results.db" --quiet
	expect_rc 0
	expect_err "rig: warning: results store: .*results.db.* is not in the store \(its records are complete in $WORK/r\)"
	expect_file "$WORK/r/result.json"
	"$RIG" verify "$WORK/r" >/dev/null || fail "the run directory does not verify"
	rig_run history --db "$WORK/ro/results.db"
	expect_rc 2
	expect_one_line_err
}

test_baselines_set_and_latest_pass() {
	tiny_script
	local a b c
	for r in a b c; do
		rig_run run "$WORK/tiny.lua" --out "$WORK/$r" --db "$WORK/results.db" --quiet
	done
	a=$(run_id "$WORK/a") b=$(run_id "$WORK/b") c=$(run_id "$WORK/c")
	rig_run baseline show "$c" --db "$WORK/results.db"
	expect_out "^$b \(latest-pass\)$"
	rig_run baseline set "$a" --note "release 2.4.1" --db "$WORK/results.db"
	expect_out "^baseline set: $a$"
	rig_run diff latest --db "$WORK/results.db"
	expect_rc 0
	expect_out "^baseline: $a \(set\)$"
	rig_run diff "$a" --db "$WORK/results.db"
	expect_rc 2
	expect_err 'no baseline for run'
	# a prefix of several runs names two of them (read before the query ends)
	rig_run baseline set "${a%%T*}" --db "$WORK/results.db"
	expect_rc 2
	expect_err "run id \"${a%%T*}\" is ambiguous \(($a|$b|$c), ($a|$b|$c), \.\.\.\)$"
	expect_one_line_err
}

test_firmware_option_must_be_flashed() {
	rig_run run scripts/certify.lua --firmware fixtures/firmware/2.4.1.lua --out "$WORK/r" \
		--db "$WORK/results.db" --quiet
	expect_rc 2
	expect_err "never flashed it"
	rig_run run scripts/regression.lua --firmware "$WORK/missing.lua" --out "$WORK/r2" --quiet
	expect_rc 2
	expect_err "missing.lua: cannot read the image"
}

test_bad_firmware_images_are_refused() {
	printf 'return {\n  image = "rig sim firmware",\n  version = "9",\n  dose = { gain = "low" },\n}\n' \
		>"$WORK/bad.lua"
	rig_run run scripts/regression.lua --firmware "$WORK/bad.lua" --out "$WORK/r" \
		--db "$WORK/results.db" --quiet
	expect_rc 2
	expect_err "bad.lua:4: dose.gain"
	printf 'return { image = "rig sim firmware", version = "9", model = "MI-999" }\n' >"$WORK/other.lua"
	rig_run run scripts/regression.lua --firmware "$WORK/other.lua" --out "$WORK/r2" --quiet
	expect_rc 2
	expect_err "image built for MI-999"
}

test_regression_script_refuses_an_unknown_param() {
	rig_run run scripts/regression.lua --param shot=10 --out "$WORK/r" --db "$WORK/results.db" --quiet
	expect_rc 2
	expect_err "^rig: scripts/regression.lua:[0-9]+: --param shot: unknown \(this script takes shots and soak_min\)$"
}

test_diff_and_history_refuse_bad_input() {
	tiny_script
	rig_run run "$WORK/tiny.lua" --out "$WORK/r" --db "$WORK/results.db" --quiet
	rig_run diff nope --db "$WORK/results.db"
	expect_rc 2
	expect_err 'no run "nope" in the store'
	expect_one_line_err
	rig_run diff --db "$WORK/results.db"
	expect_rc 2
	rig_run history --limit x --db "$WORK/results.db"
	expect_rc 2
	expect_one_line_err
	printf 'return { name = "X" }\n' >"$WORK/spec.lua"
	rig_run diff "$(run_id "$WORK/r")" "$(run_id "$WORK/r")" --spec "$WORK/spec.lua" --db "$WORK/results.db"
	expect_rc 2
	expect_err 'spec.lua: no regression table'
	rig_run diff "$(run_id "$WORK/r")" "$(run_id "$WORK/r")" --db "$WORK/results.db"
	expect_rc 2
	expect_err "$(run_id "$WORK/r") is its own baseline: nothing to compare"
	# a run that did not complete can be no baseline
	printf 'rig.step("DEPTH-ACC", {}, function(s) error("fixture slipped") end)\n' >"$WORK/err.lua"
	rig_run run "$WORK/err.lua" --out "$WORK/e" --db "$WORK/results.db" --quiet
	expect_rc 2
	rig_run baseline set "$(run_id "$WORK/e")" --db "$WORK/results.db"
	expect_rc 2
	expect_err "did not complete \(ERROR or ABORTED\): it can be no baseline"
}

test_trend_flags_a_shifted_build() {
	cat >"$WORK/t.lua" <<'LUA'
if rig.firmware then assert(rig.uut:flash()) end
rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 350, label = "4 mm" },
  function(s) s:judge("depth_mm", assert(rig.uut:burst(30)).depth_mm,
                      { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.8, hi = 4.2 } }) end)
LUA
	local seed
	for seed in 1 2 3 4 5 6 7 8; do
		rig_run run "$WORK/t.lua" --firmware fixtures/firmware/2.4.1.lua --seed "$seed" \
			--out "$WORK/r$seed" --db "$WORK/results.db" --quiet
		expect_rc 0
	done
	rig_run trend --requirement DEPTH-ACC --firmware 2.4.1 --db "$WORK/results.db" \
		--out "$WORK/stable.svg"
	expect_rc 0
	expect_out '^DEPTH-ACC@4mm depth_mm: 8 runs, centre 4\.0[0-9]* mm, .* 0 out of control$'
	xmllint --noout "$WORK/stable.svg" || fail "SVG not well-formed"
	rig_run run "$WORK/t.lua" --firmware fixtures/firmware/2.4.2-depth-shift.lua --seed 9 \
		--out "$WORK/r9" --db "$WORK/results.db" --quiet
	rig_run trend --requirement DEPTH-ACC --db "$WORK/results.db" --out "$WORK/trend.html"
	expect_rc 1
	expect_out "run 9 $(run_id "$WORK/r9") \(firmware 2\.4\.2-depth-shift\): .*X-bar beyond 3 sigma"
	expect_file "$WORK/trend.html"
	[ "$(grep -o 'alt="control chart"' "$WORK/trend.html" | wc -l)" -eq 2 ] || fail "X-bar and S charts expected"
	# Limits from the 8 runs of the released build: only the shifted one is out.
	rig_run trend --requirement DEPTH-ACC --limits-from 8 --db "$WORK/results.db" \
		--out "$WORK/ref.html"
	expect_rc 1
	expect_out ', 1 out of control$'
	expect_out "^  run 9 $(run_id "$WORK/r9") "
	rig_run trend --requirement NOPE --db "$WORK/results.db" --out "$WORK/x.html"
	expect_rc 2
	expect_err 'no measurements of NOPE'
}
