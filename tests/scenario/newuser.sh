# Rough edges a new user hits (issue 18): another injector model on the sim
# bench, the history table with long serials, the trend's x axis, a bad unit
# file in front of the results store.

# A short procedure: one burst of 12 shots at 4 mm.
short_script() {
	cat >"$WORK/short.lua" <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 350, label = "4 mm" },
  function(s) s:judge("depth_mm", assert(rig.uut:burst(12)).depth_mm,
                      { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.8, hi = 4.2 } }) end)
LUA
}

# The unit file declares the model's settings; the MI-350's are the default.
test_unit_file_declares_its_models_settings() {
	rig_run run tests/scenario/scripts/small-dose.lua --out "$WORK/350" --quiet
	expect_rc 2
	expect_err 'unit SIM-0001 \(MI-350\) refused depth 2 mm, dose 5 ul, rate 60/min \(range: 0\.5-6 mm, 10-100 ul, 1-350/min\)'
	rig_run run tests/scenario/scripts/small-dose.lua --sim-unit fixtures/units/mi200.lua \
		--out "$WORK/200" --quiet
	expect_rc 0
	expect_out '^unit MI-200 SIM-MI200-0001 firmware 1\.2\.0'
	expect_out '^DOSE-ACC +5 ul .* PASS$'
	# Measured against the model's own truth: 20 shots of 5 ul, mean within 1 %.
	python3 - "$WORK/200" <<'PY' || fail "measured volumes do not match the truth"
import csv, json, sys
d = sys.argv[1]
truth = [float(r["volume_ul"]) for r in csv.DictReader(open(d + "/truth.csv"))]
shots = [float(r["volume_ul"]) for r in csv.DictReader(open(d + "/shots.csv"))]
assert len(truth) == len(shots) == 20, (len(truth), len(shots))
assert abs(sum(truth) / 20 - 5) < 0.05, sum(truth) / 20
assert abs(sum(shots) / 20 - sum(truth) / 20) < 0.05, (sum(shots) / 20, sum(truth) / 20)
PY
	# The MI-200 refuses what is outside its own ranges (rate above 240/min).
	sed 's/rate_per_min = 60/rate_per_min = 300/' tests/scenario/scripts/small-dose.lua >"$WORK/fast.lua"
	rig_run run "$WORK/fast.lua" --sim-unit fixtures/units/mi200.lua --out "$WORK/fast" --quiet
	expect_rc 2
	expect_err 'refused .* rate 300/min \(range: 0\.3-4 mm, 2-50 ul, 1-240/min\)'
	# An inverted range is refused with its line.
	printf 'return {\n  model = "X",\n  dose = { min_ul = 50, max_ul = 5 },\n}\n' >"$WORK/bad.lua"
	rig_run run scripts/certify.lua --sim-unit "$WORK/bad.lua" --out "$WORK/bad" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/bad.lua:3: dose: min_ul 50 is above max_ul 5"
	expect_one_line_err
}

# A bad unit file stops rig before the run starts: no run folder, no row.
test_bad_unit_file_leaves_no_run_in_the_store() {
	short_script
	rig_run run "$WORK/short.lua" --out "$WORK/good" --db "$WORK/results.db" --quiet
	expect_rc 0
	printf 'return { serial = "X", depth = { gain = "high" } }\n' >"$WORK/unit.lua"
	rig_run run "$WORK/short.lua" --sim-unit "$WORK/unit.lua" --out "$WORK/bad" \
		--db "$WORK/results.db" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:1: depth.gain: expected a number"
	[ ! -e "$WORK/bad/journal.jsonl" ] || fail "a run was started"
	rig_run history --db "$WORK/results.db" --json
	expect_rc 0
	[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/out")" = 1 ] ||
		fail "history holds other runs than the good one"
	expect_no_out '"serial": ""'
}

# Columns stay in line whatever the serial's length.
test_history_columns_line_up_with_long_serials() {
	short_script
	printf 'return { serial = "SIM-LONG-SERIAL-NUMBER-0000001" }\n' >"$WORK/long.lua"
	rig_run run "$WORK/short.lua" --out "$WORK/a" --db "$WORK/results.db" --quiet
	expect_rc 0
	rig_run run "$WORK/short.lua" --sim-unit "$WORK/long.lua" --out "$WORK/b" \
		--db "$WORK/results.db" --quiet
	expect_rc 0
	rig_run history --db "$WORK/results.db"
	expect_rc 0
	[ "$(wc -l <"$WORK/out")" -eq 3 ] || fail "header and two rows expected"
	# Each column starts where its heading starts, on every line.
	python3 - "$WORK/out" <<'PY' || fail "columns out of line"
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0]
starts = [head.index(h) for h in ("started", "serial", "firmware", "verdict", "steps", "script", "directory")]
for line in lines[1:]:
    for s in starts:
        assert line[s - 1] == " " and line[s] != " ", (s, line)
assert "SIM-LONG-SERIAL-NUMBER-0000001 2.4.1" in lines[1] + lines[2]
PY
}

# The trend's x axis names the runs by their start, not "run 0.5, 1.5".
test_trend_axis_names_the_runs() {
	short_script
	local i
	for i in 1 2 3; do
		rig_run run "$WORK/short.lua" --seed "$i" --out "$WORK/r$i" --db "$WORK/results.db" --quiet
		expect_rc 0
		sleep 1
	done
	rig_run trend --requirement DEPTH-ACC --db "$WORK/results.db" --out "$WORK/trend.pdf"
	expect_rc 0
	pdftotext -layout "$WORK/trend.pdf" "$WORK/trend.txt"
	for i in 1 2 3; do
		t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["started"][11:19])' \
			"$WORK/r$i/result.json")
		grep -q "$t" "$WORK/trend.txt" || fail "run $i ($t) not named on the x axis"
	done
	day=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["started"][:10])' \
		"$WORK/r1/result.json")
	grep -q "run started, UTC, on $day" "$WORK/trend.txt" || fail "x axis label"
	! grep -Eq '(^| )(0\.5|1\.5|2\.5)( |$)' "$WORK/trend.txt" || fail "fractional run numbers on the axis"
}

# rig diff judges a run with the spec module it required, as the store kept
# it by hash, and says so; not silently with scripts/specs/mi350.lua.
test_diff_uses_the_spec_the_run_required() {
	cp -r scripts "$WORK/s"
	# Another spec, hair-trigger: any change at alpha 0.5 is a regression.
	sed -i -e 's/^  alpha = 0.05,/  alpha = 0.5,/' -e 's/mean = 0.05, sd_ratio = 1.5/mean = 0.0001, sd_ratio = 1/' \
		-e 's/mean_pct = [0-9.]*, sd_ratio = 1.5/mean_pct = 0.0001, sd_ratio = 1/' \
		"$WORK/s/specs/mi350.lua"
	grep -q 'alpha = 0.5,' "$WORK/s/specs/mi350.lua" || fail "spec not changed"
	local sha seed n
	sha=$(sha256sum "$WORK/s/specs/mi350.lua" | cut -c1-12)
	# One build, two seeds: no regression by the MI-350's thresholds.
	for seed in 1 2; do
		rig_run run "$WORK/s/regression.lua" --firmware fixtures/firmware/2.4.1.lua --seed "$seed" \
			--param soak_min=1 --out "$WORK/r$seed" --db "$WORK/results.db" --quiet
		expect_rc 0
	done
	rig_run diff latest --db "$WORK/results.db" --spec scripts/specs/mi350.lua
	expect_rc 0
	expect_out '^thresholds scripts/specs/mi350.lua \(sha256 [0-9a-f]{12}; given with --spec\)'
	# By the spec the run required, noise is a regression: that one was used.
	rig_run diff latest --db "$WORK/results.db"
	expect_rc 1
	expect_out "^thresholds $WORK/s/specs/mi350.lua \(sha256 $sha; the spec run [0-9A-Za-z-]+ required\), alpha 0.5"
	n=$(grep -c 'REGRESSION' "$WORK/out")
	[ "$n" -ge 1 ] || fail "no regression flagged"
	# The file gone: the store still holds the text the run hashed.
	rm -rf "$WORK/s"
	rig_run diff latest --db "$WORK/results.db" --json -
	expect_rc 1
	python3 - "$WORK/out" "$sha" "$n" <<'PY' || fail "diff JSON does not name the recorded spec"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["spec"]["sha256"].startswith(sys.argv[2]), d["spec"]
assert d["spec"]["origin"].startswith("the spec run "), d["spec"]
assert d["alpha"] == 0.5, d["alpha"]
assert d["regressions"] == int(sys.argv[3]), (d["regressions"], sys.argv[3])
PY
}
