# Fault injection: each fault ends the run with the expected verdict or a
# precise error, the right exit status, and nothing journaled lost (the
# journal's chain is intact and closed with run_end).

unit() { cat >"$WORK/unit.lua"; }

certify() {
	rig_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run" --quiet "$@"
}

journal_closed() { # expected last verdict
	local out
	out=$(tests/faults/journal-chain "$WORK/run/journal.jsonl") || fail "journal chain broken"
	[ "${out#* }" = run_end ] || fail "journal not closed: $out"
	grep -q "\"event\":\"run_end\",\"verdict\":\"$1\"" "$WORK/run/journal.jsonl" ||
		fail "run_end verdict is not $1"
	expect_file "$WORK/run/result.json"
}

shots_kept() { # expected rows in shots.csv
	local n
	n=$(tail -n +2 "$WORK/run/shots.csv" | wc -l)
	[ "$n" -eq "$1" ] || fail "shots.csv has $n rows, expected $1"
}

test_usb_disconnect_mid_burst() {
	unit <<<'return { faults = { { kind = "usb_disconnect", at_shot = 100 } } }'
	certify
	expect_rc 2
	expect_err '^rig: scripts/steps/mi350.lua:[0-9]+: burst: unit SIM-0001 disconnected after shot 100'
	expect_one_line_err
	journal_closed ERROR
	grep -q '"event":"device_error"' "$WORK/run/journal.jsonl" || fail "device error not journaled"
	shots_kept 99 # 60 of step 1, the 39 of step 2 before the unplug
}

test_daq_overrun() {
	unit <<<'return { faults = { { kind = "daq_overrun", at_shot = 90 } } }'
	certify
	expect_rc 2
	expect_err 'acquisition buffer overrun after scan [0-9]+ \(samples lost\)'
	expect_one_line_err
	journal_closed ERROR
	# Step 1 whole; step 2 up to the block before the overrun, never the lost block.
	n=$(tail -n +2 "$WORK/run/shots.csv" | wc -l)
	[ "$n" -ge 80 ] && [ "$n" -lt 90 ] || fail "$n shots kept"
}

test_stuck_needle() {
	unit <<<'return { faults = { { kind = "stuck_needle", at_shot = 30 } } }'
	certify
	expect_rc 2
	expect_err 'unit SIM-0001 reports a fault after [0-9]+ shots: needle stuck out'
	journal_closed ERROR
}

test_balance_unstable() {
	unit <<<'return { faults = { { kind = "balance_unstable", at_shot = 1 } } }'
	certify
	expect_rc 2
	expect_err 'balance reading: balance SIM-BAL-1: no stable reading within 10000 ms'
	journal_closed ERROR
	# Every other requirement was measured and kept.
	expect_out '^DEPTH-ACC +6 mm .*PASS$'
	expect_out '^RATE-ACC +350/min .*PASS$'
	shots_kept 780
}

test_depth_drift_over_a_burst() {
	unit <<<'return { depth = { drift_mm_per_shot = 0.005 } }'
	certify
	expect_rc 1
	expect_out '^DEPTH-ACC .*FAIL$'
	journal_closed FAIL
}

test_missed_and_double_shots_counted() {
	unit <<<'return { missed_shot_prob = 0.05, double_shot_prob = 0.05 }'
	certify
	expect_rc 1
	expect_out '^SHOT-COUNT +every burst .*FAIL$'
	journal_closed FAIL
}

test_disk_full_while_writing() {
	unit <<<'return {}'
	# A 5 MB file-size limit: the first long capture cannot be written.
	RC=0
	(ulimit -f 5000; exec "$RIG" run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run" \
		--quiet) >"$WORK/out" 2>"$WORK/err" || RC=$?
	expect_rc 2
	expect_err 'write failed: File too large'
	expect_one_line_err
	journal_closed ERROR
	# Eight whole steps, and the shots of the ninth measured before its capture hit the limit.
	n=$(tail -n +2 "$WORK/run/shots.csv" | wc -l)
	[ "$n" -gt 480 ] && [ "$n" -lt 540 ] || fail "$n shots kept"
}

# A real full disk (a small tmpfs; needs root) while the reports are written:
# the journal stays whole and closed, no half-written report is left, the run
# stays out of the results store until rig recover completes its records.
test_disk_full_while_writing_the_reports() {
	mkdir -p "$WORK/disk"
	if ! mount -t tmpfs -o size=47m tmpfs "$WORK/disk" 2>/dev/null; then
		echo "note: not run: cannot mount a tmpfs here (needs root)"
		return 0
	fi
	trap 'umount "$WORK/disk" 2>/dev/null' EXIT
	rig_run run scripts/certify.lua --out "$WORK/disk/r" --db "$WORK/results.db" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/disk/r/report.(html|pdf): write failed: No space left on device"
	expect_err "not in the results store until its records are complete"
	out=$(tests/faults/journal-chain "$WORK/disk/r/journal.jsonl") || fail "journal chain broken"
	[ "${out#* }" = run_end ] || fail "journal not closed: $out"
	! ls "$WORK"/disk/r/*.part >/dev/null 2>&1 || fail "half-written files left: $(ls "$WORK"/disk/r/*.part)"
	mount -o remount,size=80m "$WORK/disk"
	rig_run recover "$WORK/disk/r"
	expect_rc 0
	expect_out "added to the results store"
	rig_run verify "$WORK/disk/r"
	expect_rc 0
	rig_run history --db "$WORK/results.db"
	expect_out "PASS +13 +scripts/certify.lua $WORK/disk/r"
}

test_sigterm_mid_run() {
	unit <<<'return {}'
	"$RIG" run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run" --quiet --realtime \
		>"$WORK/out" 2>"$WORK/err" &
	pid=$!
	sleep 2
	kill -TERM $pid
	RC=0; wait $pid || RC=$?
	expect_rc 2
	expect_err 'interrupted by a signal'
	journal_closed ABORTED
	grep -q '"verdict": "ABORTED"' "$WORK/run/result.json" || fail "result.json not ABORTED"
	grep -q '"event":"burst"' "$WORK/run/journal.jsonl" || fail "the interrupted burst was not journaled"
}

test_firmware_not_the_required_one() {
	unit <<<'return { firmware = "2.3.9" }'
	cat >"$WORK/fw.lua" <<'LUA'
rig.uut:require_firmware("2.4.0", "2.4.1")
rig.step("DEPTH-ACC", {}, function(s) end)
LUA
	rig_run run "$WORK/fw.lua" --sim-unit "$WORK/unit.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "fw.lua:1: unit SIM-0001 runs firmware 2.3.9; this script requires 2.4.0 or 2.4.1"
	expect_one_line_err
	grep -q '"result":"refused"' "$WORK/run/journal.jsonl" || fail "firmware check not journaled"
}

test_huge_shot_count_refused() {
	cat >"$WORK/huge.lua" <<'LUA'
rig.step("SHOT-COUNT", {}, function(s) rig.uut:burst(1e9) end)
LUA
	rig_run run "$WORK/huge.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err 'huge.lua:1: .*(a burst fires 1 to 100000 shots|number has no integer representation)'
}

test_deep_recursion_is_an_error_not_a_crash() {
	cat >"$WORK/deep.lua" <<'LUA'
local function f(n) return 1 + f(n + 1) end
rig.step("DEPTH-ACC", {}, function(s) f(1) end)
LUA
	rig_run run "$WORK/deep.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err 'deep.lua:1: stack overflow'
	expect_one_line_err
}

test_oversized_files_refused() {
	head -c 2000000 /dev/zero | tr '\0' ' ' >"$WORK/big.lua"
	rig_run run "$WORK/big.lua" --out "$WORK/run"
	expect_rc 2
	expect_err 'big.lua: file too large'
	cp "$WORK/big.lua" "$WORK/unit.lua"
	certify
	expect_rc 2
	expect_err 'unit.lua: file too large'
}

test_memory_hog_script_stopped() {
	cat >"$WORK/hog.lua" <<'LUA'
rig.step("DEPTH-ACC", {}, function(s)
  local t = {}
  for i = 1, 1e9 do t[i] = ("x"):rep(4096) .. i end
end)
LUA
	rig_run run "$WORK/hog.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err 'not enough memory'
	expect_one_line_err
}
