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
	# The unit file is checked before the run starts: nothing left behind.
	[ ! -e "$WORK/run/journal.jsonl" ] || fail "a run was started with a unit file that is not text"
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

# ---- 7. Recovery touches only run directories rig provably owns ----

quick_script() {
	write q.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
}

test_run_leaves_foreign_siblings_alone() {
	quick_script
	mkdir -p "$WORK/p/mine" "$WORK/p/link"
	printf '{"not":"a rig journal"}\n' >"$WORK/p/mine/journal.jsonl"
	echo "my notes" >"$WORK/p/mine/notes.txt"
	echo "precious" >"$WORK/target.txt"
	ln -s "$WORK/target.txt" "$WORK/p/link/journal.jsonl"
	(cd "$WORK/p" && find . -exec ls -ld {} + | sort; sha256sum mine/* "$WORK/target.txt") >"$WORK/before"
	rig_run run "$WORK/q.lua" --out "$WORK/p/x" --quiet
	expect_rc 0
	! grep -q recover "$WORK/err" || fail "rig recovered a sibling: $(cat "$WORK/err")"
	rm -rf "$WORK/p/x"
	(cd "$WORK/p" && find . -exec ls -ld {} + | sort; sha256sum mine/* "$WORK/target.txt") >"$WORK/after"
	diff "$WORK/before" "$WORK/after" || fail "a foreign directory was changed"
}

test_recover_never_follows_a_symlinked_journal() {
	mkdir -p "$WORK/d"
	printf 'precious\nlines\n' >"$WORK/target.txt"
	ln -s "$WORK/target.txt" "$WORK/d/journal.jsonl"
	rig_run recover "$WORK/d"
	expect_rc 2
	expect_err "journal.jsonl: is a symbolic link"
	[ "$(cat "$WORK/target.txt")" = "$(printf 'precious\nlines')" ] || fail "the target was changed"
	[ ! -e "$WORK/d/MANIFEST" ] && [ ! -e "$WORK/d/result.json" ] || fail "records written"
}

test_recover_refuses_a_journal_rig_did_not_write() {
	mkdir -p "$WORK/d"
	printf '{"not":"a rig journal"}\n' >"$WORK/d/journal.jsonl"
	echo "my notes" >"$WORK/d/notes.txt"
	rig_run recover "$WORK/d"
	expect_rc 2
	expect_err "not a rig run directory"
	[ ! -e "$WORK/d/MANIFEST" ] && [ ! -e "$WORK/d/journal.jsonl.torn" ] || fail "records written"
}

# Under the default reports/out, the next run closes a killed run of its
# own -- and only that: a copy of a run journal in a directory rig did not
# make is left alone.
test_next_run_closes_only_its_own_leftovers() {
	quick_script
	mkdir -p "$WORK/cwd/reports/out"
	ln -s "$TOP/fixtures" "$WORK/cwd/fixtures"
	write slow.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  rig.log("started")
  while true do end
end)
LUA
	(cd "$WORK/cwd" && exec "$RIG" run "$WORK/slow.lua" --quiet >/dev/null 2>&1) &
	local pid=$!
	for _ in $(seq 100); do
		ls "$WORK"/cwd/reports/out/*/journal.jsonl >/dev/null 2>&1 &&
			grep -q '"event":"log"' "$WORK"/cwd/reports/out/*/journal.jsonl && break
		sleep 0.05
	done
	kill -9 $pid; wait $pid 2>/dev/null || true
	local killed
	killed=$(ls -d "$WORK"/cwd/reports/out/*)
	mkdir "$WORK/cwd/reports/out/copy"
	cp "$killed/journal.jsonl" "$WORK/cwd/reports/out/copy/"
	(cd "$WORK/cwd" && "$RIG" run "$WORK/q.lua" --quiet) >"$WORK/out" 2>"$WORK/err" || true
	expect_err "recovered reports/out/$(basename "$killed"): run .* ABORTED"
	! grep -q "copy" "$WORK/err" || fail "the copy was touched: $(cat "$WORK/err")"
	[ ! -e "$WORK/cwd/reports/out/copy/MANIFEST.sig" ] || fail "the copy was signed"
	rig_run verify "$killed"
	expect_rc 0
}

# ---- 8. Two runs into one --out: the second touches nothing ----

test_second_run_into_a_live_out_touches_nothing() {
	quick_script
	write slow.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  rig.log("started")
  local t = os.clock() while os.clock() - t < 1.5 do end
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
	"$RIG" run "$WORK/slow.lua" --out "$WORK/run" --quiet >"$WORK/a.out" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do grep -q '"event":"log"' "$WORK/run/journal.jsonl" 2>/dev/null && break; sleep 0.05; done
	rig_run run "$WORK/q.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/run: already exists and is not empty \(choose a new --out directory\)$"
	expect_one_line_err
	local rca=0
	wait $pid || rca=$?
	[ "$rca" -eq 0 ] || fail "the first run ended $rca: $(cat "$WORK/a.out")"
	rig_run verify "$WORK/run"
	expect_rc 0
	[ "$(grep -c '"event":"run_start"' "$WORK/run/journal.jsonl")" -eq 1 ] || fail "two runs in one journal"
	python3 - "$WORK/run" <<'PY' || fail "the record is not the first run's"
import json, sys
d = sys.argv[1]
start = json.loads(open(d + "/journal.jsonl").readline())
res = json.load(open(d + "/result.json"))
assert res["run_id"] == start["run_id"] and res["verdict"] == "PASS", res["verdict"]
assert res["script"]["path"].endswith("slow.lua"), res["script"]
PY
}

test_two_runs_racing_for_one_out() {
	quick_script
	local i a b ra rb
	for i in 1 2 3; do
		"$RIG" run "$WORK/q.lua" --out "$WORK/race$i" --quiet >"$WORK/a$i" 2>&1 & a=$!
		"$RIG" run "$WORK/q.lua" --out "$WORK/race$i" --quiet >"$WORK/b$i" 2>&1 & b=$!
		ra=0; wait $a || ra=$?
		rb=0; wait $b || rb=$?
		[ $((ra + rb)) -eq 2 ] && { [ $ra -eq 0 ] || [ $rb -eq 0 ]; } ||
			fail "race $i: exits $ra and $rb: $(cat "$WORK/a$i" "$WORK/b$i")"
		grep -q "already exists" "$WORK/a$i" "$WORK/b$i" || fail "race $i: no refusal"
		"$RIG" verify "$WORK/race$i" >/dev/null || fail "race $i: record does not verify"
		[ "$(grep -c '"event":"run_start"' "$WORK/race$i/journal.jsonl")" -eq 1 ] || fail "race $i: two runs"
	done
}

# ---- 9. --out into an existing non-empty directory is refused ----

test_out_into_non_empty_directory_refused() {
	quick_script
	mkdir -p "$WORK/mine"
	echo '{"mine": true}' >"$WORK/mine/result.json"
	rig_run run "$WORK/q.lua" --out "$WORK/mine" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/mine: already exists and is not empty \(choose a new --out directory\)$"
	[ "$(cat "$WORK/mine/result.json")" = '{"mine": true}' ] || fail "result.json overwritten"
	[ "$(ls -A "$WORK/mine")" = result.json ] || fail "files added: $(ls -A "$WORK/mine")"
}

test_out_holding_only_a_symlink_refused() {
	quick_script
	mkdir -p "$WORK/l"
	ln -s /etc/passwd "$WORK/l/passwd"
	rig_run run "$WORK/q.lua" --out "$WORK/l" --quiet
	expect_rc 2
	expect_err "already exists and is not empty"
	[ "$(ls -A "$WORK/l")" = passwd ] || fail "files added"
}

test_out_symlink_refused() {
	quick_script
	mkdir -p "$WORK/real"
	ln -s "$WORK/real" "$WORK/ln"
	rig_run run "$WORK/q.lua" --out "$WORK/ln" --quiet
	expect_rc 2
	expect_err "is a symbolic link"
	[ -z "$(ls -A "$WORK/real")" ] || fail "files added"
}

test_out_into_existing_empty_directory_runs() {
	quick_script
	mkdir -p "$WORK/empty"
	rig_run run "$WORK/q.lua" --out "$WORK/empty" --quiet
	expect_rc 0
	rig_run verify "$WORK/empty"
	expect_rc 0
}

# ---- 4. Capture names are unique by construction ----

test_capture_names_never_collide() {
	write t.lua <<'LUA'
for _, label in ipairs { "a/b", "a_b", "a b", "a:b" } do
  rig.step("DEPTH-ACC", { depth_mm = 4, label = label }, function(s)
    local shots = assert(rig.uut:burst(3))
    s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3, hi = 5 } })
  end)
end
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 0
	python3 - "$WORK/run" <<'PY' || fail "captures collide or differ from the journal"
import hashlib, json, sys
d = sys.argv[1]
bursts = [e for e in map(json.loads, open(d + "/journal.jsonl")) if e["event"] == "burst"]
files = [b["capture"]["file"] for b in bursts]
assert len(bursts) == 4 and len(set(files)) == 4, files
for b in bursts:
    got = hashlib.sha256(open(d + "/" + b["capture"]["file"], "rb").read()).hexdigest()
    assert got == b["capture"]["sha256"], (b["capture"]["file"], got)
print(files)
PY
	rig_run verify "$WORK/run"
	expect_rc 0
}

# verify compares every capture with the SHA-256 the journal recorded, not
# only with the MANIFEST: a capture swapped before signing is found.
test_verify_checks_captures_against_the_journal() {
	write t.lua <<'LUA'
for _, label in ipairs { "x", "y" } do
  rig.step("DEPTH-ACC", { depth_mm = 4, label = label }, function(s)
    local shots = assert(rig.uut:burst(3))
    s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3, hi = 5 } })
  end)
end
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 0
	# Swap the two captures and re-sign, as a run that overwrote one would have.
	(cd "$WORK/run/captures" && mv DEPTH-ACC@x-1.rcap t && mv DEPTH-ACC@y-1.rcap DEPTH-ACC@x-1.rcap && mv t DEPTH-ACC@y-1.rcap)
	# verify: the captures are not the ones the journal recorded.
	rig_run verify "$WORK/run"
	expect_rc 1
	expect_out "DEPTH-ACC@x-1.rcap"
	# recover refuses to sign them in (issue 16): nothing is re-signed.
	rm "$WORK/run/MANIFEST" "$WORK/run/MANIFEST.sig"
	rig_run recover "$WORK/run"
	expect_rc 2
	expect_err "DEPTH-ACC@[xy]-1.rcap"
	[ ! -f "$WORK/run/MANIFEST.sig" ] || fail "a changed capture was signed in"
}

# ---- 5. shots.csv is RFC 4180 ----

test_shots_csv_quotes_labels() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = 'depth, "deep" 4' }, function(s)
  local shots = assert(rig.uut:burst(3))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3, hi = 5 } })
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 0
	python3 - "$WORK/run" <<'PY' || fail "shots.csv is not RFC 4180"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/shots.csv", newline="")))
header, body = rows[0], rows[1:]
assert header == ["step", "shot", "t_s", "depth_mm", "volume_ul", "interval_ms", "u_depth_mm",
                  "u_volume_ul", "flags"], header
assert len(body) == 3, body
step = [e for e in map(json.loads, open(d + "/journal.jsonl")) if e["event"] == "step_start"][0]["step"]
for r in body:
    assert len(r) == 9 and r[0] == step, r
    float(r[3])
    assert float(r[6]) > 0 and r[8] == "", r  # a quiet sim sensor: a small u(depth), no flag
assert step == 'DEPTH-ACC@depth,"deep"4', step
truth = list(csv.reader(open(d + "/truth.csv", newline="")))[1:]
assert len(truth) == 3 and all(len(r) == 6 and r[0] == step for r in truth), truth
PY
}

# ---- 6. A step that judges nothing is ERROR everywhere ----

test_step_that_judges_nothing_is_error() {
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = "judged" }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
rig.step("DEPTH-ACC", { depth_mm = 4, label = "empty" }, function(s) end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/t.lua: step DEPTH-ACC@empty judged nothing$"
	expect_one_line_err
	expect_out '^DEPTH-ACC .*ERROR$'
	expect_out '^ERROR '
	python3 - "$WORK/run" <<'PY' || fail "verdicts differ between records"
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
res = json.load(open(d + "/result.json"))
assert res["verdict"] == "ERROR", res["verdict"]
steps = {s["id"]: s for s in res["steps"]}
assert steps["DEPTH-ACC@empty"]["verdict"] == "ERROR", steps["DEPTH-ACC@empty"]
assert "judged nothing" in steps["DEPTH-ACC@empty"]["error"]
j = [e for e in map(json.loads, open(d + "/journal.jsonl"))]
ends = [e for e in j if e["event"] == "step_end" and e["step"] == "DEPTH-ACC@empty"]
assert ends[0]["verdict"] == "ERROR", ends
assert j[-1]["event"] == "run_end" and j[-1]["verdict"] == "ERROR", j[-1]
suite = ET.parse(d + "/junit.xml").getroot()
cases = [c for c in suite.iter("testcase") if "empty" in (c.get("name") or "")]
assert cases and (cases[0].find("error") is not None or cases[0].find("failure") is not None), "junit"
PY
}

# ---- 10. require refuses empty path segments; one memory cap ----

test_require_refuses_empty_segments() {
	local name
	for name in "specs..mi350" ".specs.mi350" "specs.mi350." "specs...mi350"; do
		write t.lua <<LUA
local spec = require "$name"
LUA
		rig_run run "$WORK/t.lua" --out "$WORK/run-$RANDOM" --quiet
		expect_rc 2
		expect_err "^rig: $WORK/t.lua:1: module name '$name' has an empty part"
	done
	write t.lua <<'LUA'
assert(require "specs.mi350" == require "specs.mi350")
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  s:judge("depth_mm", { 4, 4.01, 3.99 }, { requirement = "DEPTH-ACC", unit = "mm", mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 1 # INCOMPLETE: the spec's coverage is not this test's point
	[ "$(grep -c '"event":"module"' "$WORK/run/journal.jsonl")" -eq 1 ] || fail "module loaded twice"
}

test_script_memory_cap_is_the_documented_256_mb() {
	grep -q '"not enough memory" (256 MB cap)' docs/reliability.md || fail "docs changed"
	write t.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local t = {}
  local big = ("x"):rep(32 << 20)  -- 288 MB in all: over 256, under 512
  for i = 1, 8 do t[i] = big .. i end
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "not enough memory"
	# Under the cap by a margin, the same script runs.
	sed -i 's/for i = 1, 8/for i = 1, 2/' "$WORK/t.lua"
	rig_run run "$WORK/t.lua" --out "$WORK/run2" --quiet
	expect_err "judged nothing"
}
