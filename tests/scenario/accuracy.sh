# Measurement accuracy on the sim bench: shots.csv against the model's
# truth.csv, matched by time (tests/scenario/match-shots.awk), at 20 kS/s,
# 1 kS/s and 1 MS/s. Targets (issue 4): depth error <= 0.02 mm for 99 % of
# shots, volume error <= 1 % of the set dose, onset error <= 0.1 ms, every
# true shot found, no phantom.

# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain / sanitizer pass on 2 cores: missed/double 12/60, 1 ms bursts 12/29,
# 20 kS/s 19/19).
SLOW_TESTS="test_missed_and_double_shots_found test_accuracy_1ms_short_bursts
	test_accuracy_20ks_ten_seeds_every_setting"

# run NAME SCRIPT ARGS...: a sim run into $WORK/NAME (a failing verdict is fine).
run() {
	local name=$1 script=$2; shift 2
	rig_run run "$script" --out "$WORK/$name" --quiet "$@"
	[ "$RC" -le 1 ] || fail "$name: rig run exit $RC"
}

# matches DIR...: the match lines of every run.
matches() {
	local d
	for d in "$@"; do
		jq -r '.steps[] | "\(.id)\t\(.setting.dose_ul)"' "$d/result.json" >"$d/settings"
		awk -f tests/scenario/match-shots.awk "$d/settings" "$d/truth.csv" "$d/shots.csv" ||
			fail "$d: matching failed"
	done
}

# expect_accurate MIN_SHOTS DIR...: the targets hold over all these runs.
expect_accurate() {
	local min=$1; shift
	matches "$@" >"$WORK/matches"
	awk -v min="$min" -v tol="${DEPTH_TOL:-0.02}" '
		function abs(x) { return x < 0 ? -x : x }
		$1 == "missed" || $1 == "phantom" { bad[$1]++; print; next }
		{ n++; if (abs($4) <= tol) depth_ok++
		  if (abs($5) > onset) onset = abs($5); if (abs($6) > vol) vol = abs($6) }
		END {
			printf "%d shots: depth within %g mm %.2f %%, worst onset %.4f ms, worst volume %.3f %% of set, missed %d, phantom %d\n",
			       n, tol, 100 * depth_ok / n, onset, vol, bad["missed"], bad["phantom"]
			exit !(n >= min && depth_ok >= 0.99 * n && onset <= 0.1 && vol <= 1 && !bad["missed"] && !bad["phantom"])
		}' "$WORK/matches" || fail "accuracy targets missed"
}

# Seeds 1..10, or 1..3 in the sanitizer pass.
seeds() { if sanitized; then seq 1 3; else seq 1 10; fi; }

test_accuracy_20ks_ten_seeds_every_setting() {
	local s dirs="" n=0
	for s in $(seeds); do
		run "s$s" scripts/certify.lua --seed "$s"
		dirs="$dirs $WORK/s$s" n=$((n + 780))
	done
	expect_accurate $n $dirs
	# A healthy unit: not one shot flagged partial, slow or unfinished.
	! jq -e 'select(.event == "burst") | .flags[] | select(. != 0)' \
		"$WORK"/s*/journal.jsonl >/dev/null || fail "flags on a healthy unit"
}

test_accuracy_1ks_ten_seeds() {
	local s dirs="" n=0
	for s in $(seeds); do
		run "k$s" scripts/certify.lua --fixture fixtures/sim-bench-1k.lua --seed "$s"
		dirs="$dirs $WORK/k$s" n=$((n + 780))
	done
	expect_accurate $n $dirs
}

# The noisy station (0.25 % noise, 0.15 % hum, a 1 kHz ring) and the 5 kS/s
# one (issue 14): every shot found, no phantom; depth p99 within 0.05 mm
# with that noise, 0.02 mm at 5 kS/s.
test_accuracy_noisy_station() {
	run n1 scripts/certify.lua --fixture fixtures/sim-bench-noisy.lua --seed 1
	run n2 scripts/certify.lua --fixture fixtures/sim-bench-noisy.lua --seed 2
	DEPTH_TOL=0.05 expect_accurate 1560 "$WORK/n1" "$WORK/n2"
	grep -q '"event":"signal".*"hum_hz":50' "$WORK/n1/journal.jsonl" || fail "hum not seen"
}

test_accuracy_5ks_station() {
	run f1 scripts/certify.lua --fixture fixtures/sim-bench-5k.lua --seed 1
	run f2 scripts/certify.lua --fixture fixtures/sim-bench-5k.lua --seed 2
	expect_accurate 1560 "$WORK/f1" "$WORK/f2"
}

# A sensor that clips or is stuck: the step is ERROR with the reason, never
# a PASS, and rig measure on its capture exits 2 after its shots.
test_clipped_and_stuck_sensors_are_errors() {
	sed 's|sim = { noise = 0.002, drift_per_s = 0.0002 } },|sim = { noise = 0.002, clip_above = 4.5 } },|' \
		fixtures/sim-bench.lua >"$WORK/clip.lua"
	sed 's|sim = { noise = 0.002, drift_per_s = 0.0002 } },|sim = { stuck_code = 8192 } },|' \
		fixtures/sim-bench.lua >"$WORK/stuck.lua"
	grep -q clip_above "$WORK/clip.lua" && grep -q stuck_code "$WORK/stuck.lua" || fail "fixture edit"
	cat >"$WORK/one.lua" <<'LUA'
local spec = require "specs.mi350"
rig.step("DEPTH-ACC", { depth_mm = 6, dose_ul = 20, rate_per_min = 120 }, function(s)
  local shots = rig.uut:burst(5)
  s:judge("depth_mm", shots.depth_mm, spec.depth(6))
end)
LUA
	rig_run run "$WORK/one.lua" --fixture "$WORK/clip.lua" --out "$WORK/c" --quiet
	expect_rc 2
	expect_one_line_err
	expect_err "^rig: step DEPTH-ACC@6mm,20ul,120/min: burst 1: the displacement sensor clipped: [0-9]+ samples"
	jq -e '.steps[0].verdict == "ERROR"' "$WORK/c/result.json" >/dev/null || fail "clipped: step not ERROR"
	jq -r '.steps[0].error' "$WORK/c/result.json" | grep -q "sensor clipped" || fail "clipped: no reason"
	rig_run measure "$WORK/c/$(jq -r '.steps[0].captures[0].file' "$WORK/c/result.json")"
	expect_rc 2
	expect_err "displacement samples clipped"
	rig_run run "$WORK/one.lua" --fixture "$WORK/stuck.lua" --out "$WORK/s" --quiet
	[ "$RC" -ne 0 ] || fail "a stuck sensor passed"
	jq -r '.steps[0].error' "$WORK/s/result.json" | grep -q "stuck" || fail "stuck: no reason"
}

test_accuracy_1ms_short_bursts() {
	run m1 tests/scenario/scripts/short-bursts.lua --fixture fixtures/sim-bench-1m.lua --seed 1
	run m2 tests/scenario/scripts/short-bursts.lua --fixture fixtures/sim-bench-1m.lua --seed 2
	expect_accurate 48 "$WORK/m1" "$WORK/m2"
}

# Every shot the model missed or doubled shows in the count, no other.
test_missed_and_double_shots_found() {
	local s
	for s in 1 2 3; do
		run "miss$s" scripts/certify.lua --sim-unit fixtures/units/missed-shots.lua --seed "$s"
		run "double$s" scripts/certify.lua --sim-unit fixtures/units/double-shots.lua --seed "$s"
	done
	expect_accurate 2300 "$WORK"/miss? "$WORK"/double?
	# The units really did miss and double (780 commanded per run).
	[ "$(cat "$WORK"/miss?/truth.csv | grep -vc '^step,')" -lt 2340 ] || fail "no shot was missed"
	[ "$(cat "$WORK"/double?/truth.csv | grep -vc '^step,')" -gt 2340 ] || fail "no shot was doubled"
}

# A slow return: at 350/min the next stroke starts before the needle is home.
test_overlapping_shots_at_350_per_min() {
	run o1 tests/scenario/scripts/short-bursts.lua --sim-unit fixtures/units/slow-retract.lua --seed 1
	run o2 scripts/certify.lua --sim-unit fixtures/units/slow-retract.lua --seed 2
	expect_accurate 800 "$WORK/o1" "$WORK/o2"
}

# Partial strokes are flagged exactly when the true depth is short.
test_partial_strokes_flagged() {
	run w scripts/certify.lua --sim-unit fixtures/units/worn-stroke.lua --seed 3
	expect_accurate 780 "$WORK/w"
	jq -r 'select(.event == "burst") | .flags[] % 2' "$WORK/w/journal.jsonl" >"$WORK/flags"
	jq -r '.steps[] | "\(.id)\t\(.setting.depth_mm)"' "$WORK/w/result.json" >"$WORK/depths"
	awk -F'\t' 'FILENAME == ARGV[1] { set[$1] = $2; next }
		FILENAME == ARGV[2] { flag[++n] = $1; next }
		FNR > 1 { split($0, c, ","); short = c[4] < 0.75 * set[c[1]]; partial += short
		          if (short != flag[++i]) { print "shot " i " of " c[1] ": flag " flag[i] ", true depth " c[4]; bad++ } }
		END { print partial " partial strokes"; exit bad || partial < 20 }' \
		"$WORK/depths" "$WORK/flags" FS=, "$WORK/w/truth.csv" || fail "partial flags wrong"
}

test_slow_strokes_flagged() {
	run sticky tests/scenario/scripts/short-bursts.lua --sim-unit fixtures/units/sticky.lua --seed 4
	expect_accurate 24 "$WORK/sticky"
	[ "$(jq 'select(.event == "burst") | .flags[] | select(. == 4)' \
		"$WORK/sticky/journal.jsonl" | wc -l)" -eq 24 ] || fail "not every stroke flagged slow"
}

# A capture cut short or with an absurd header: the shots before the cut are
# printed and the exit status says the file is not whole; never a hang.
test_rig_measure_refuses_broken_captures() {
	local cap
	run r tests/scenario/scripts/short-bursts.lua --seed 1
	cap=$(ls "$WORK"/r/captures/*.rcap | head -1)
	head -c "$(( $(stat -c %s "$cap") - 3 ))" "$cap" >"$WORK/cut.rcap"
	rig_run measure "$WORK/cut.rcap" --csv
	expect_rc 2
	expect_err "^rig: $WORK/cut.rcap: truncated: [0-9]+ bytes of an incomplete last scan"
	expect_one_line_err
	[ "$(tail -n +2 "$WORK/out" | wc -l)" -ge 1 ] || fail "no shots printed before the cut"
	perl -pe 's/"unit":"mm"/"unit":"cm"/ if $. == 2' "$cap" >"$WORK/cm.rcap"
	rig_run measure "$WORK/cm.rcap"
	expect_rc 2
	expect_err "^rig: $WORK/cm.rcap:2: displacement in \"cm\": rig measures depth in mm"
	perl -pe 's/"rate_hz":[0-9.e+]+/"rate_hz":1e-20/ if $. == 2' "$cap" >"$WORK/slow.rcap"
	RC=0
	timeout 30 "$RIG" measure "$WORK/slow.rcap" >"$WORK/out" 2>"$WORK/err" || RC=$?
	expect_rc 2
	expect_err "scan rate 1e-20 Hz out of range"
}

# Any capture measured again gives what the run recorded, to the digit.
test_rig_measure_reproduces_shots_csv() {
	local step file
	run r scripts/certify.lua --seed 5
	jq -r '.steps[] | "\(.id)\t\(.captures[0].file)"' "$WORK/r/result.json" >"$WORK/caps"
	while IFS="$(printf '\t')" read -r step file; do
		rig_run measure "$WORK/r/$file" --csv
		expect_rc 0
		grep "^$step," "$WORK/r/shots.csv" | cut -d, -f2- >"$WORK/want"
		tail -n +2 "$WORK/out" >"$WORK/got"
		[ -s "$WORK/want" ] || fail "$step: no rows in shots.csv"
		cmp -s "$WORK/want" "$WORK/got" || fail "$step: rig measure differs from shots.csv"
	done <"$WORK/caps"
	[ "$(wc -l <"$WORK/caps")" -eq 13 ] || fail "13 captures expected"
}

# Header strictness (issue 14): what the format leaves ambiguous is refused
# with the file, exit 2; what it allows is measured.
test_rig_measure_capture_headers() {
	/usr/bin/python3 - "$WORK" <<'PY'
import json, struct, sys
work = sys.argv[1]
def cap(name, header, codes):
    with open("%s/%s.rcap" % (work, name), "wb") as f:
        f.write(b"RCAP1\n" + json.dumps(header).encode() + b"\n")
        f.write(struct.pack("<%dH" % len(codes), *codes))
def ch(name, unit, poly, **kw):
    d = {"name": name, "unit": unit, "poly": poly}; d.update(kw); return d
# one stroke of 4 mm at 20 kS/s: codes of a 16-bit -1..7 mm LVDT
def stroke(n=4000):
    out = []
    for i in range(n):
        x = 4.0 if 1000 <= i < 2000 else 0.0
        out.append(int(round((x + 1) / 0.0001220703125)))
    return out
d = stroke()
lin = [-1.0, 0.0001220703125]
base = {"rate_hz": 20000, "t0_s": 1.5}
cap("no-t0", {"rate_hz": 20000, "channels": [ch("displacement", "mm", lin)]}, d)
cap("text-t0", dict(base, t0_s="0", channels=[ch("displacement", "mm", lin)]), d)
cap("dup", dict(base, channels=[ch("displacement", "mm", lin), ch("displacement", "mm", lin)]),
    [c for x in d for c in (x, x)])
# monotonic over the codes present (8192..40960), turning back above 60000
curved = [-1.0, 0.0001220703125, 1e-10, -1.2e-15]
cap("curved", dict(base, channels=[ch("displacement", "mm", curved)]), d)
cap("many", dict(base, channels=[ch("aux%d" % i, "V", [0, 1]) for i in range(19)] +
                 [ch("displacement", "mm", lin), ch("plunger", "\u00b5L", [0, 0.125])]),
    [c for x in d for c in ([0] * 19 + [x, 800])])
# more channels than rig once held (256): the header line bounds them
cap("wide", dict(base, channels=[ch("aux%d" % i, "V", [0, 1]) for i in range(298)] +
                 [ch("plunger", "ul", [0, 0.125]), ch("displacement", "mm", lin)]),
    [c for x in d for c in ([7] * 298 + [800, x])])
PY
	rig_run measure "$WORK/no-t0.rcap"
	expect_rc 2
	expect_err "^rig: $WORK/no-t0.rcap:2: t0_s must be a finite number"
	rig_run measure "$WORK/text-t0.rcap"
	expect_rc 2
	expect_err "t0_s must be a finite number"
	rig_run measure "$WORK/dup.rcap"
	expect_rc 2
	expect_err "^rig: $WORK/dup.rcap:2: channels 1 and 2 are both named \"displacement\""
	rig_run measure "$WORK/curved.rcap" --csv
	expect_rc 0
	[ "$(tail -n +2 "$WORK/out" | wc -l)" -eq 1 ] || fail "curved: one shot expected"
	rig_run measure "$WORK/many.rcap" --csv
	expect_rc 0
	tail -n +2 "$WORK/out" | awk -F, '{ if ($3 < 3.99 || $3 > 4.01) exit 1 }' || fail "21 channels: depth"
	# the needle steps out at scan 1000: 50 % between scans 999 and 1000
	grep -q "^1,1.549975," "$WORK/out" || fail "21 channels: onset on the t0_s clock"
	rig_run measure "$WORK/wide.rcap" --csv
	expect_rc 0
	grep -q "^1,1.549975,4.000000,0.000000," "$WORK/out" || fail "300 channels: the shot"
}
