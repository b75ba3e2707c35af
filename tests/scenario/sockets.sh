# Several units at once: a fixture with sockets, each socket its own run
# (docs/script-api.md, sockets).

FX4=fixtures/sim-bench-4.lua
# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain / sanitizer pass on 2 cores: batch sync 21/22, kill mid batch 12/12).
SLOW_TESTS="test_batch_sync_waits_for_every_socket test_kill_mid_batch_then_recover_closes_every_socket"


write() { cat >"$WORK/$1"; }

# One shared-balance step and one depth step, short.
write_grav_script() {
	write grav.lua <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4mm" }, function(s)
  local shots = assert(rig.uut:burst(10))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", target = 4, each = { lo = 3.5, hi = 4.5 } })
end)
rig.step("DOSE-GRAV", { depth_mm = 4, dose_ul = 50, label = "10 x 50 ul" }, function(s)
  assert(rig.scale:tare())
  local shots = assert(rig.uut:burst(10))
  local grams = assert(rig.scale:weigh())
  s:judge("burst_volume_ul", { grams * 1000 }, { requirement = "DOSE-GRAV", target = 500, each = { lo = 400, hi = 600 } })
end)
LUA
}

test_four_sockets_one_bad_unit_fails_alone() {
	rig_run run scripts/certify.lua --fixture "$FX4" --out "$WORK/b" \
		--sim-unit 3=fixtures/units/dose-low.lua
	expect_rc 1
	expect_out "^3 +SIM-BAD-DOSE +FAIL .*DOSE-ACC DOSE-GRAV"
	for s in 1 2 4; do
		expect_out "^$s +SIM-0001 +PASS"
		[ "$(jq -r .verdict "$WORK/b/socket-$s/result.json")" = PASS ] || fail "socket $s"
		[ "$(jq -r .socket "$WORK/b/socket-$s/result.json")" = "$s" ] || fail "socket name $s"
		"$RIG" verify "$WORK/b/socket-$s" --key "${RIG_KEY%.sec}.pub" >/dev/null ||
			fail "socket $s does not verify"
	done
	[ "$(jq -r .verdict "$WORK/b/batch.json")" = FAIL ] || fail "batch verdict"
	[ "$(jq -r '.sockets[2].failing | join(",")' "$WORK/b/batch.json")" = "DOSE-ACC,DOSE-GRAV" ] ||
		fail "batch.json failing list"
	# Each socket simulated a unit of its own (seed + socket index).
	depth='[.steps[0].measurements[] | select(.name == "depth_mm") | .mean][0]'
	[ "$(jq -r "$depth" "$WORK/b/socket-1/result.json")" != \
	  "$(jq -r "$depth" "$WORK/b/socket-2/result.json")" ] ||
		fail "sockets 1 and 2 measured the same numbers"
}

test_sockets_never_share_the_balance() {
	write_grav_script
	rig_run run "$WORK/grav.lua" --fixture "$FX4" --out "$WORK/b"
	expect_rc 0
	# Every hold of the balance, [lock, unlock] in ms, across the sockets.
	# A release is journaled before the lock is let go, so within one
	# millisecond an unlock comes before the next socket's lock.
	cat "$WORK"/b/socket-*/journal.jsonl | jq -r 'select(.event == "scale_lock" or .event == "scale_unlock") | "\(.at_ms) \(if .event == "scale_unlock" then 0 else 1 end) \(.socket) \(.event)"' |
		sort -k1,1n -k2,2n >"$WORK/holds"
	[ "$(grep -c scale_lock "$WORK/holds")" = 4 ] || fail "not 4 balance holds"
	awk '$4 == "scale_lock" { if (held != "") exit 1; held = $3 }
	     $4 == "scale_unlock" { if (held != $3) exit 1; held = "" }' "$WORK/holds" ||
		{ cat "$WORK/holds"; fail "two sockets held the balance at once"; }
	# Somebody waited, and it is journaled.
	[ "$(cat "$WORK"/b/socket-*/journal.jsonl | jq -s '[.[] | select(.event == "scale_lock") | .waited_ms] | max')" -gt 0 ] ||
		fail "no socket waited for the balance"
}

test_batch_sync_waits_for_every_socket() {
	write sync.lua <<'LUA'
-- Sockets reach the sync point at different times: socket 1 fires more.
local n = rig.batch.socket == "1" and 40 or 5
rig.prompt("load the unit")
rig.step("DEPTH-ACC", { depth_mm = 4, label = "warm-up" }, function(s)
  local shots = assert(rig.uut:burst(n))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", target = 4, each = { lo = 3.5, hi = 4.5 } })
  rig.batch.sync("loaded")
end)
assert(rig.batch.sockets == 4, "sockets " .. tostring(rig.batch.sockets))
LUA
	rig_run run "$WORK/sync.lua" --fixture "$FX4" --out "$WORK/b" --realtime
	expect_rc 0
	cat "$WORK"/b/socket-*/journal.jsonl | jq -r 'select(.event == "batch_sync") | "\(.arrived_ms) \(.at_ms)"' >"$WORK/sync"
	[ "$(wc -l <"$WORK/sync")" = 4 ] || fail "not 4 sync events"
	# Prompts are answered by the batch, each journaled with its socket.
	[ "$(cat "$WORK"/b/socket-*/journal.jsonl | jq -r 'select(.event == "prompt") | "\(.socket) \(.answer)"' | sort | tr '\n' ,)" = \
	  "1 automatic (batch),2 automatic (batch),3 automatic (batch),4 automatic (batch)," ] || fail "prompts"
	last_arrival=$(sort -n "$WORK/sync" | tail -1 | cut -d' ' -f1)
	first_leave=$(sort -k2,2n "$WORK/sync" | head -1 | cut -d' ' -f2)
	[ "$first_leave" -ge "$last_arrival" ] || fail "a socket left the sync point before all arrived"
	[ $((last_arrival - $(sort -n "$WORK/sync" | head -1 | cut -d' ' -f1))) -gt 1000 ] ||
		fail "sockets did not arrive at different times"
	# Outside a batch the sync point is no wait.
	rig_run run "$WORK/sync.lua" --out "$WORK/single"
	expect_rc 2; expect_err "sockets 1"
}

test_a_safety_stop_ends_only_its_socket() {
	rig_run run scripts/certify.lua --fixture "$FX4" --out "$WORK/b" \
		--sim-unit 2=fixtures/units/too-deep.lua --param shots=10
	[ "$RC" -ge 1 ] || fail "exit $RC"
	[ "$(jq -r .verdict "$WORK/b/socket-2/result.json")" != PASS ] || fail "socket 2 passed"
	grep -q '"safety_stop"\|SAFE-DEPTH' "$WORK/b/socket-2/journal.jsonl" || fail "no safety stop journaled"
	for s in 1 3 4; do
		[ "$(jq -r .verdict "$WORK/b/socket-$s/result.json")" = PASS ] || fail "socket $s did not pass"
	done
}

test_kill_mid_batch_then_recover_closes_every_socket() {
	setsid "$RIG" run scripts/certify.lua --fixture "$FX4" --out "$WORK/b" --realtime \
		>"$WORK/out" 2>"$WORK/err" &
	pid=$!
	for _ in $(seq 1 100); do
		[ "$(cat "$WORK"/b/socket-*/journal.jsonl 2>/dev/null | grep -c '"burst"')" -ge 4 ] && break
		sleep 0.1
	done
	kill -9 -- -"$pid"
	wait "$pid" 2>/dev/null || true
	for s in 1 2 3 4; do
		[ -f "$WORK/b/socket-$s/journal.jsonl" ] || fail "socket $s has no journal"
		[ ! -f "$WORK/b/socket-$s/MANIFEST" ] || fail "socket $s closed although killed"
		rig_run recover "$WORK/b/socket-$s"
		expect_rc 0
		[ "$(jq -r .verdict "$WORK/b/socket-$s/result.json")" = ABORTED ] || fail "socket $s not ABORTED"
		"$RIG" verify "$WORK/b/socket-$s" --key "${RIG_KEY%.sec}.pub" >/dev/null ||
			fail "socket $s does not verify after recover"
	done
}

test_socket_options_are_checked_before_any_shot() {
	rig_run run scripts/certify.lua --fixture "$FX4" --out "$WORK/b" \
		--sim-unit 9=fixtures/units/dose-low.lua
	expect_rc 2; expect_one_line_err; expect_err "no socket \"9\""
	[ ! -d "$WORK/b" ] || fail "a batch directory was made"
	rig_run run scripts/certify.lua --fixture "$FX4" --socket 7 --out "$WORK/c"
	expect_rc 2; expect_one_line_err; expect_err "no socket \"7\" \(sockets: 1, 2, 3, 4\)"
	rig_run run scripts/certify.lua --out "$WORK/d" --sim-unit 2=fixtures/units/dose-low.lua
	expect_rc 2; expect_err "declares no sockets"
	# A scanned serial names one unit: not every socket's.
	rig_run run scripts/certify.lua --fixture "$FX4" --out "$WORK/s" --serial SIM-0001
	expect_rc 2; expect_one_line_err; expect_err "--serial SIM-0001 names one unit, but the fixture has 4 sockets"
	[ ! -d "$WORK/s" ] || fail "a batch directory was made"
	# One socket alone is an ordinary run.
	write_grav_script
	rig_run run "$WORK/grav.lua" --fixture "$FX4" --socket 2 --out "$WORK/e"
	expect_rc 0
	[ "$(jq -r .socket "$WORK/e/result.json")" = 2 ] || fail "socket not recorded"
	# A fixture's sockets are checked when it loads.
	sed 's/{ name = "3"/{ name = "2"/' "$FX4" >"$WORK/dup.lua"
	cp fixtures/sim-bench.lua "$WORK/" # the base it extends, beside it
	rig_run run scripts/certify.lua --fixture "$WORK/dup.lua"
	expect_rc 2; expect_one_line_err; expect_err "dup.lua:[0-9]+: .*socket name \"2\" used twice"
}

# Sockets on one Comedi board share one command: each needs its own channel
# group and trigger line, checked before a batch directory or a device is
# touched (no board is needed to refuse it).
test_sockets_on_one_comedi_board_need_inputs_of_their_own() {
	FX2=fixtures/ni-pci6221-2.lua
	cp fixtures/ni-pci6221.lua "$WORK/"  # the base the edited copies extend
	sed 's/trigger_line = 1, channels = socket2/trigger_line = 1, channels = socket1/' "$FX2" >"$WORK/same-ai.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/same-ai.lua" --out "$WORK/b"
	expect_rc 2; expect_one_line_err; expect_err "same-ai.lua:[0-9]+: sockets 1 and 2 both use AI 0"
	[ ! -d "$WORK/b" ] || fail "a batch directory was made"
	sed 's/trigger_line = 1, channels = socket2/trigger_line = 0, channels = socket2/' "$FX2" >"$WORK/same-line.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/same-line.lua" --out "$WORK/b"
	expect_rc 2; expect_one_line_err; expect_err "same-line.lua: sockets 1 and 2 both use trigger line 0"
	sed 's/trigger_line = 1, channels = socket2 }/trigger_line = 1 }/' "$FX2" >"$WORK/no-group.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/no-group.lua" --out "$WORK/b"
	expect_rc 2; expect_one_line_err; expect_err "no-group.lua: socket 2: sockets on one Comedi board need channel groups of their own"
	[ ! -d "$WORK/b" ] || fail "a batch directory was made"
}
