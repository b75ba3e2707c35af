# Adversarial inputs of issue 13 (items 2-10): safety checks a value cannot
# disable, any bytes in text, names that cannot collide, run directories rig
# owns. Each test failed before its fix.

write() { cat >"$WORK/$1"; }

# ---- 2. SAFE-DEPTH cannot be disabled by a value ----

safe_depth_over() { # over_set_mm expression
	write sd.lua <<LUA
rig.every_burst{ safe_depth = { requirement = "SAFE-DEPTH", over_set_mm = $1 } }
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local shots = assert(rig.uut:burst(5))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", each = { lo = 3, hi = 5 } })
end)
LUA
	rig_run run "$WORK/sd.lua" --sim-unit fixtures/units/too-deep.lua --out "$WORK/run-$2" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/sd.lua:1: every_burst.safe_depth.over_set_mm must be a finite number in \(0, 2\] mm"
	expect_one_line_err
	expect_no_out 'SAFE-DEPTH.*PASS'
	! grep -q '"event":"burst"' "$WORK/run-$2/journal.jsonl" || fail "the unit fired with $1"
}

test_safe_depth_nan_refused() { safe_depth_over "0/0" nan; }
test_safe_depth_inf_refused() { safe_depth_over "math.huge" inf; }
test_safe_depth_negative_inf_refused() { safe_depth_over "-math.huge" ninf; }
test_safe_depth_absurd_refused() { safe_depth_over "1e300" big; }

test_safe_depth_still_stops_a_too_deep_unit() {
	write sd.lua <<'LUA'
rig.every_burst{ safe_depth = { requirement = "SAFE-DEPTH", over_set_mm = 0.5 } }
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local shots = assert(rig.uut:burst(5))
end)
LUA
	rig_run run "$WORK/sd.lua" --sim-unit fixtures/units/too-deep.lua --out "$WORK/run" --quiet
	expect_rc 1
	expect_out '^SAFE-DEPTH .*FAIL'
}

test_acceptance_target_must_be_finite() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", target = 0/0, mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/t.lua:2: acceptance.target must be a finite number"
}

# ---- 3. Text that enters the journal is valid UTF-8: refused at the boundary ----

# The record of a run that ended on a refused text is whole: the journal's
# chain closed by run_end, every event with its fields, result.json with the
# run's id, junit.xml well-formed, and rig verify content.
record_whole() { # run dir
	local d=$1 out
	out=$(tests/faults/journal-chain "$d/journal.jsonl") || fail "journal chain broken"
	[ "${out#* }" = run_end ] || fail "journal not closed: $out"
	python3 - "$d" <<'PY' || fail "record not whole"
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
events = [json.loads(l) for l in open(d + "/journal.jsonl", "rb")]
start = events[0]
assert start["event"] == "run_start" and start["run_id"] and start["operator"], start
for e in events:
    if e["event"] in ("step_start", "step_end", "log", "measurement", "run_end", "uut"):
        assert len(e) > 4, e  # more than seq, time, event, prev
res = json.load(open(d + "/result.json"))
assert res["run_id"] == start["run_id"], (res["run_id"], start["run_id"])
ET.parse(d + "/junit.xml")
PY
	"$RIG" verify "$d" >/dev/null 2>&1 || fail "rig verify rejects the record"
}

test_operator_not_utf8_refused() {
	rig_run run scripts/certify.lua --operator $'J\xfcrgen' --out "$WORK/run" --quiet
	expect_rc 2
	expect_err '^rig: --operator: not valid UTF-8 \(byte 0xfc at offset 1\)$'
	expect_one_line_err
	[ ! -e "$WORK/run" ] || fail "a run directory was made"
}

test_param_not_utf8_refused() {
	rig_run run scripts/certify.lua --param $'lot=A\xff' --out "$WORK/run" --quiet
	expect_rc 2
	expect_err '^rig: --param: not valid UTF-8 \(byte 0xff at offset 5\)$'
	[ ! -e "$WORK/run" ] || fail "a run directory was made"
}

test_utf8_operator_kept_exactly() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = "Tiefe – 4 mm ✓" }, function(s)
  rig.log("Prüfung läuft")
  s:judge("Tiefe_µm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
	rig_run run "$WORK/t.lua" --operator 'Jürgen Ößwald' --out "$WORK/run" --quiet
	expect_rc 0
	record_whole "$WORK/run"
	python3 - "$WORK/run" <<'PY' || fail "UTF-8 text not kept"
import json, sys
d = sys.argv[1]
res = json.load(open(d + "/result.json"))
assert res["operator"] == "Jürgen Ößwald", res["operator"]
j = [json.loads(l) for l in open(d + "/journal.jsonl", "rb")]
assert any(e.get("message") == "Prüfung läuft" for e in j)
assert any(e.get("label") == "Tiefe – 4 mm ✓" for e in j)
PY
}

bad_text_in_script() { # lua statement(s) inside a step, expected error
	write t.lua <<LUA
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
  $1
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/t.lua:3: $2"
	expect_one_line_err
	record_whole "$WORK/run"
}

test_log_not_utf8_refused() {
	bad_text_in_script 'rig.log("J\xfcrgen was here")' 'rig.log: message: not valid UTF-8 \(byte 0xfc at offset 1\)'
}
test_step_log_not_utf8_refused() {
	bad_text_in_script 's:log("bad \xc3\x28")' 'step:log: message: not valid UTF-8 \(byte 0xc3 at offset 4\)'
}
test_measurement_name_not_utf8_refused() {
	bad_text_in_script 's:judge("d\xe9pth", { 4 }, { requirement = "DEPTH-ACC", mean = { lo = 3, hi = 5 } })' 'step:judge: measurement name: not valid UTF-8 \(byte 0xe9 at offset 1\)'
}
test_acceptance_unit_not_utf8_refused() {
	bad_text_in_script 's:judge("d2", { 4 }, { requirement = "DEPTH-ACC", unit = "\xb5m", mean = { lo = 3, hi = 5 } })' 'acceptance.unit: not valid UTF-8 \(byte 0xb5 at offset 0\)'
}
test_text_with_nul_refused() {
	bad_text_in_script 'rig.log("a\0b")' 'rig.log: message: a NUL byte at offset 1'
}

test_step_label_not_utf8_refused() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
rig.step("DEPTH-ACC", { depth_mm = 4, label = "tiefe \xff" }, function(s) end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/t.lua:4: setting label: not valid UTF-8 \(byte 0xff at offset 6\)"
	expect_one_line_err
	record_whole "$WORK/run"
}

test_unit_serial_not_utf8_refused() {
	printf 'return { serial = "SIM-\xfc1" }\n' >"$WORK/unit.lua"
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/unit.lua:1: serial: not valid UTF-8 \(byte 0xfc at offset 4\)"
	expect_one_line_err
	record_whole "$WORK/run"
	! grep -q '"event":"burst"' "$WORK/run/journal.jsonl" || fail "the unit fired"
}

# An error message is shown, never refused: its stray bytes as \xNN.
test_error_message_not_utf8_escaped() {
	bad_text_in_script 'error("J\xfcrgen \xe2\x82\xac")' 'J\\xfcrgen €$'
	grep -q 'J\\\\xfcrgen' "$WORK/run/journal.jsonl" || fail "error not journaled"
}

# rig recover of a run whose journal is whole never signs an empty record.
test_recover_after_kill_keeps_utf8_fields() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = "Größe" }, function(s)
  rig.log("läuft")
  while true do end
end)
LUA
	"$RIG" run "$WORK/t.lua" --operator 'Jürgen' --out "$WORK/run" --quiet >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q '"event":"log"' "$WORK/run/journal.jsonl" 2>/dev/null && break; sleep 0.1; done
	kill -KILL $pid; wait $pid || true
	rig_run recover "$WORK/run"
	expect_rc 0
	python3 - "$WORK/run" <<'PY' || fail "recovered record lost fields"
import json, sys
res = json.load(open(sys.argv[1] + "/result.json"))
assert res["operator"] == "Jürgen" and res["run_id"] and res["verdict"] == "ABORTED", res
PY
}
