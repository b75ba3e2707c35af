# Bad input of every kind: one line on stderr naming file:line, exit 2.

write() { mkdir -p "$(dirname "$WORK/$1")"; cat >"$WORK/$1"; }

test_script_syntax_error() {
	write bad.lua <<'LUA'
rig.step("DEPTH-ACC", {}, function(s)
  local x = = 1
end)
LUA
	rig_run run "$WORK/bad.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/bad.lua:2: "
	expect_one_line_err
	[ ! -e "$WORK/run" ] || fail "a run directory was created for a script that does not compile"
}

test_script_runtime_error_names_line() {
	write boom.lua <<'LUA'
local spec = require "specs.mi350"
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4 mm" }, function(s)
  local shots = assert(rig.uut:burst(5))
  s:judge("depth_mm", shots.depth_mm, spec.depth(4))
  error("operator cable missing")
end)
LUA
	mkdir -p "$WORK/specs" && cp scripts/specs/mi350.lua "$WORK/specs/"
	rig_run run "$WORK/boom.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/boom.lua:5: operator cable missing"
	expect_one_line_err
	expect_file "$WORK/run/result.json"
	expect_file "$WORK/run/shots.csv"
	grep -q '"verdict": "ERROR"' "$WORK/run/result.json" || fail "run not marked ERROR"
	[ "$(tail -n +2 "$WORK/run/shots.csv" | wc -l)" -eq 5 ] || fail "shots measured before the error were lost"
}

test_api_misuse_names_line() {
	write misuse.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 1, 2, 3 }, { requirement = "DEPTH-ACC", mean = { lo = 5, hi = 3 } })
end)
LUA
	rig_run run "$WORK/misuse.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/misuse.lua:2: acceptance.mean: lo 5 is above hi 3"
	expect_one_line_err
}

test_burst_outside_step() {
	write outside.lua <<'LUA'
local shots = rig.uut:burst(3)
LUA
	rig_run run "$WORK/outside.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/outside.lua:1: uut:burst\(\) belongs inside a rig.step function"
}

test_unknown_setting() {
	write setting.lua <<'LUA'
rig.step("DEPTH-ACC", { depht_mm = 4 }, function(s) end)
LUA
	rig_run run "$WORK/setting.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/setting.lua:1: unknown setting 'depht_mm'"
}

test_script_judging_nothing_is_not_a_pass() {
	write empty.lua <<'LUA'
rig.log("nothing to see")
LUA
	rig_run run "$WORK/empty.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "judged nothing"
}

test_endless_loop_is_stopped() {
	write loop.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  while true do end
end)
LUA
	rig_run run "$WORK/loop.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/loop.lua:2: instruction budget exceeded"
}

test_sandbox_has_no_os_execute_or_io() {
	write escape.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  assert(os.execute == nil and io == nil and load == nil and dofile == nil, "escape hatch present")
  os.execute("touch /tmp/rig-escaped")
end)
LUA
	rig_run run "$WORK/escape.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "escape.lua:3: attempt to call a nil value \(field 'execute'\)"
}

test_unit_file_unknown_field() {
	write unit.lua <<'LUA'
return {
  serial = "X",
  depth = {
    ofset_mm = 0.1,
  },
}
LUA
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:4: depth.ofset_mm: unknown field"
	expect_one_line_err
}

test_unit_file_wrong_type() {
	write unit.lua <<'LUA'
return {
  dose = { gain = "high" },
}
LUA
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:2: dose.gain: expected a number, got string"
}

test_unit_file_syntax_error() {
	write unit.lua <<'LUA'
return {
  serial = "X"
  firmware = "1",
}
LUA
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:3: "
	expect_one_line_err
}

test_unit_file_bad_fault() {
	write unit.lua <<'LUA'
return {
  faults = {
    { kind = "usb_disconnect", at_shot = 10 },
    { kind = "gremlins", at_shot = 3 },
  },
}
LUA
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:4: faults\[2\].kind: \"gremlins\" is not a fault"
}

test_unit_file_missing() {
	rig_run run scripts/certify.lua --sim-unit "$WORK/nope.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "nope.lua: cannot open: No such file"
	expect_one_line_err
}

# A name given on the command line longer than rig keeps is refused as
# given, by the checked path builder (rig/base/paths.h), exit 2 in one line:
# never cut short and looked up as another file. So is a name that fits as
# given but not where rig would look for it (scripts/NAME in the data folder).
test_long_names_on_the_command_line_are_refused() {
	local long fits
	long=$(head -c 4400 /dev/zero | tr '\0' x)
	fits=$(head -c 4090 /dev/zero | tr '\0' y)
	rig_run run scripts/certify.lua --fixture "$long" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: path too long \(4400 bytes, at most 4095\): x{60}\.\.\.$"
	expect_one_line_err
	rig_run run "$long.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: path too long \(4404 bytes, at most 4095\): x{60}\.\.\.$"
	expect_one_line_err
	rig_run run scripts/certify.lua --sim-unit "$long" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: path too long \(4400 bytes, at most 4095\): x{60}\.\.\.$"
	expect_one_line_err
	rig_run run "$fits" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: path too long \(4098 bytes, at most 4095\): scripts/y{52}\.\.\.$"
	expect_one_line_err
	[ ! -e "$WORK/run" ] || fail "a refused run made its directory"
	# rig serve refuses before it listens (the timeout: a server that
	# started would otherwise wait for requests).
	RC=0
	timeout 20 "$RIG" serve --runs "$WORK/runs" --users "$WORK/$long" >"$WORK/out" \
		2>"$WORK/err" || RC=$?
	expect_rc 2
	expect_err "^rig: path too long \([0-9]+ bytes, at most 4095\): /"
	expect_one_line_err
	RC=0
	timeout 20 "$RIG" serve --runs "$WORK/runs" --db "$long" >"$WORK/out" 2>"$WORK/err" || RC=$?
	expect_rc 2
	expect_err "^rig: path too long \(4400 bytes, at most 4095\): x{60}\.\.\.$"
	expect_one_line_err
}

test_fixture_unknown_driver_names_the_line() {
	awk '/driver = "sim"/ && !done { sub(/"sim"/, "\"usb\""); done = 1 } { print }' \
		fixtures/sim-bench.lua >"$WORK/f.lua"
	line=$(grep -n 'driver = "usb"' "$WORK/f.lua" | cut -d: -f1)
	rig_run run scripts/certify.lua --fixture "$WORK/f.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/f.lua:$line: daq.driver: \"usb\" is not a driver of this rig \(sim or comedi\)$"
	expect_one_line_err
	[ ! -e "$WORK/run" ] || fail "a run directory was made for a fixture that cannot load"
}

test_fixture_impossible_date_and_inverted_range() {
	awk '/due = "2099-12-31"/ && !done { sub(/2099-12-31/, "2099-02-29"); done = 1 } { print }' \
		fixtures/sim-bench.lua >"$WORK/f.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/f.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "certificate.due: \"2099-02-29\" is not a date YYYY-MM-DD"
	sed 's/range_v = { -10, 10 }/range_v = { 10, -10 }/' fixtures/sim-bench.lua >"$WORK/g.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/g.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/g.lua:[0-9]+: daq.channels\[1\].range_v: lo 10 must be below hi -10"
}

# A misspelt or missing uncertainty would silently drop the guard band.
test_fixture_uncertainty_of_every_measured_quantity() {
	sed 's/depth_mm = 0.01,/dpeth_mm = 0.01,/' fixtures/sim-bench.lua >"$WORK/typo.lua"
	line=$(grep -n "uncertainty = {" "$WORK/typo.lua" | cut -d: -f1)
	rig_run run scripts/certify.lua --fixture "$WORK/typo.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/typo.lua:$line: uncertainty: depth_mm: missing"
	expect_one_line_err
	sed '/uncertainty = {/,/^  }/d' fixtures/sim-bench.lua >"$WORK/none.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/none.lua" --out "$WORK/run2"
	expect_rc 2
	expect_err "^rig: $WORK/none.lua:1: uncertainty: missing"
}

test_expired_calibration_refused_then_overridden() {
	sed 's/due = "2099-12-31" },\n        sim = { noise = 0.002/X/' fixtures/sim-bench.lua |
		awk 'NR==1,/due = "2099-12-31"/ { sub(/calibrated = "2026-01-15"/, "calibrated = \"2019-01-31\"");
			sub(/due = "2099-12-31"/, "due = \"2020-01-31\"") } { print }' \
		>"$WORK/fixture.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/fixture.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/fixture.lua:[0-9]+: calibration of the displacement sensor \(certificate SIM-CAL-LVDT-0001\) expired on 2020-01-31"
	expect_one_line_err
	rig_run run scripts/certify.lua --fixture "$WORK/fixture.lua" --out "$WORK/run" --allow-expired-cal --quiet
	expect_rc 0
	grep -q '"event":"calibration_override"' "$WORK/run/journal.jsonl" || fail "override not journaled"
	grep -q '"allow_expired_cal": true' "$WORK/run/result.json" || fail "override not in result.json"
	[ "$(jq -r '[.deviations[] | select(.kind == "calibration") | .text] | length' "$WORK/run/result.json")" -eq 2 ] ||
		fail "the override and its interlock message are not among the deviations"
}


# Lua shortens a long file name to "...tail" in its messages; rig names the
# file as it was given, however deep it lies.
test_long_paths_are_named_whole() {
	local d="$WORK/a-directory-name-long-enough-that-lua-would-shorten-it/and-one-more-level"
	mkdir -p "$d"
	printf 'x = = 1\n' >"$d/syntax.lua"
	rig_run run "$d/syntax.lua" --out "$WORK/r1" --quiet
	expect_rc 2
	expect_err "^rig: $d/syntax.lua:1: unexpected symbol near '='$"
	printf 'rig.step("DEPTH-ACC", {}, function(s)\n  error("boom")\nend)\n' >"$d/step.lua"
	rig_run run "$d/step.lua" --out "$WORK/r2" --quiet
	expect_rc 2
	expect_err "^rig: $d/step.lua:2: boom$"
	printf 'return {\n  depth = 1,\n}\n' >"$d/unit.lua"
	rig_run run scripts/certify.lua --sim-unit "$d/unit.lua" --out "$WORK/r3" --quiet
	expect_rc 2
	expect_err "^rig: $d/unit.lua:2: depth: expected a plain table, got number$"
}

test_bad_command_line() {
	rig_run run scripts/certify.lua --seed banana
	expect_rc 2
	expect_err '^rig: --seed needs a whole number'
	rig_run run scripts/certify.lua --step-timeout 1e308
	expect_rc 2
	expect_err '^rig: --step-timeout needs 0 to 1000000 seconds'
	rig_run run scripts/certify.lua --sim-unit ''
	expect_rc 2
	expect_err '^rig: --sim-unit needs a value'
	rig_run frobnicate
	expect_rc 2
	expect_err 'unknown command "frobnicate"'
	rig_run --version
	expect_rc 0
	expect_out '^rig [0-9]+\.[0-9]+\.[0-9]+$'
	rig_run --help
	expect_rc 0
	expect_out 'rig run SCRIPT|run SCRIPT'
}

# Every verb --help lists has its section in the manual page, and the manual
# names no verb the binary lacks.
test_manual_page_covers_every_verb() {
	rig_run --help
	verbs=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$WORK/out" | sort -u)
	[ "$(echo "$verbs" | wc -w)" -ge 13 ] || fail "--help lists only: $verbs"
	for v in $verbs; do
		grep -Eq "^\.(B|BR|BI) \"?$v( |\"|$)|^\.B rig $v" docs/rig.1 || fail "docs/rig.1 lacks $v"
	done
	for v in $(sed -n 's/^\.B rig \([a-z-]*\).*/\1/p' docs/rig.1 | sort -u); do
		echo "$verbs" | grep -qx "$v" || fail "docs/rig.1 documents $v, which --help lacks"
	done
	man -l docs/rig.1 >/dev/null 2>&1 || [ ! -x "$(command -v man)" ] || fail "man cannot render docs/rig.1"
}

test_error_without_a_message_ends_the_step_as_error() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", {}, function(s)
  error({ code = 7 })
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/t.lua:2: error raised with a table value, not a message$"
	expect_one_line_err
	[ "$(jq -r '.steps[0].verdict' "$WORK/run/result.json")" = ERROR ] || fail "step verdict is not ERROR"
}

test_step_timeout_is_configurable() {
	write slow.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local t0 = os.clock()
  while os.clock() - t0 < 30 do local x = 0 for i = 1, 1000 do x = x + i end end
end)
LUA
	rig_run run "$WORK/slow.lua" --out "$WORK/run" --quiet --step-timeout 1
	expect_rc 2
	expect_err "^rig: $WORK/slow.lua:[0-9]+: time limit of 1 s exceeded \(--step-timeout\)"
	expect_one_line_err
	rig_run run "$WORK/slow.lua" --quiet --step-timeout -1
	expect_rc 2
	expect_err 'step-timeout needs 0 to 1000000 seconds'
}
