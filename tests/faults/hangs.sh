# Limits a script cannot swallow (issue 13, item 1). Each hang case runs
# with --step-timeout 2 and must end within 5 s with exit status 2 and, when
# a run was live, its journal closed (run_end) naming what stopped it. A
# case that hangs is killed after 20 s so the suite itself never hangs.

script() { cat >"$WORK/s.lua"; }

# timed_run ARGS... : rig ARGS in the background, bounded at 20 s; sets RC
# and SECS (wall seconds, one decimal).
timed_run() {
	local t0 t1
	t0=$(date +%s%N)
	RC=0
	timeout -s KILL 20 "$RIG" "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
	t1=$(date +%s%N)
	SECS=$(( (t1 - t0) / 100000000 ))
	SECS="$((SECS / 10)).$((SECS % 10))"
}

within() { # seconds
	[ "${SECS%.*}" -lt "$1" ] || fail "took $SECS s (limit $1 s)"
	echo "note: exit $RC after $SECS s"
}

# The journal is a whole chain closed by run_end with verdict $1.
journal_ends() {
	local out
	[ -f "$WORK/run/journal.jsonl" ] || fail "no journal"
	out=$(tests/faults/journal-chain "$WORK/run/journal.jsonl") || fail "journal chain broken"
	[ "${out#* }" = run_end ] || fail "journal not closed: $out"
	tail -1 "$WORK/run/journal.jsonl" | grep -q "\"verdict\":\"$1\"" ||
		fail "run_end verdict is not $1: $(tail -1 "$WORK/run/journal.jsonl")"
}

step_hang() { # expected stderr pattern, after the script is written
	timed_run run "$WORK/s.lua" --out "$WORK/run" --quiet --step-timeout 2
	[ "$RC" -eq 2 ] || fail "exit status $RC, expected 2"
	within 5
	expect_err "$1"
	expect_one_line_err
}

test_pcall_cannot_swallow_the_time_limit() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  while true do pcall(function() while true do end end) end
end)
LUA
	step_hang "^rig: $WORK/s.lua:[0-9]+: time limit of 2 s exceeded \(--step-timeout\)"
	journal_ends ERROR
}

test_pcall_of_rig_step_cannot_swallow_it() {
	script <<'LUA'
while true do
  pcall(rig.step, "DEPTH-ACC", { depth_mm = 4 }, function(s) while true do end end)
end
LUA
	step_hang "time limit of 2 s exceeded \(--step-timeout\)"
	journal_ends ERROR
	# No step began after the limit: the API refuses further calls.
	[ "$(grep -c '"event":"step_start"' "$WORK/run/journal.jsonl")" -eq 1 ] ||
		fail "steps ran after the time limit"
}

test_xpcall_handler_loop_cannot_swallow_it() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  while true do
    xpcall(function() while true do end end, function(e) while true do end end)
  end
end)
LUA
	step_hang "time limit of 2 s exceeded \(--step-timeout\)"
	journal_ends ERROR
}

test_pcall_in_close_cannot_swallow_it() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local guard <close> = setmetatable({}, { __close = function()
    while true do pcall(function() while true do end end) end
  end })
  while true do end
end)
LUA
	step_hang "time limit of 2 s exceeded \(--step-timeout\)"
	journal_ends ERROR
}

test_string_rep_is_capped() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  assert(string.rep("", math.maxinteger) == "")  -- the empty result, at once
  assert(("x"):rep(0) == "" and ("ab"):rep(3, ",") == "ab,ab,ab")
  local x = ("ab"):rep(math.maxinteger // 4)
end)
LUA
	step_hang "^rig: $WORK/s.lua:4: string.rep: a result of [0-9]+ copies is over the 256 MB memory limit"
	journal_ends ERROR
}

test_pattern_backtracking_is_stopped() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local x = ("a"):rep(3000):find(("a*"):rep(12) .. "b")
end)
LUA
	step_hang "^rig: $WORK/s.lua: time limit of 2 s exceeded \(--step-timeout\)"
	journal_ends ABORTED
}

# SIGTERM ends a run within 2 s whatever the script catches, ABORTED.
sigterm_case() {
	local pid t0 t1
	"$RIG" run "$WORK/s.lua" --out "$WORK/run" --quiet >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	for _ in $(seq 50); do
		grep -q step_start "$WORK/run/journal.jsonl" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
	t0=$(date +%s%N)
	kill -TERM $pid
	( sleep 10; kill -KILL $pid 2>/dev/null ) &
	RC=0; wait $pid || RC=$?
	t1=$(date +%s%N)
	SECS=$(( (t1 - t0) / 100000000 ))
	SECS="$((SECS / 10)).$((SECS % 10))"
	[ "$RC" -eq 2 ] || fail "exit status $RC, expected 2"
	within 3
	journal_ends ABORTED
}

test_sigterm_ends_a_pcall_loop() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  while true do pcall(function() while true do end end) end
end)
LUA
	sigterm_case
	expect_err 'interrupted by a signal'
}

test_sigterm_ends_a_pattern_spin() {
	script <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  local x = ("a"):rep(3000):find(("a*"):rep(14) .. "b")
end)
LUA
	sigterm_case
	expect_err 'interrupted by a signal'
}

# The same inputs in data files: the load ends, naming the file.
test_fixture_pcall_loop() {
	sed 's/^return {/while true do pcall(function() while true do end end) end\nreturn {/' \
		fixtures/sim-bench.lua >"$WORK/fx.lua"
	grep -q 'while true' "$WORK/fx.lua" || fail "fixture not rewritten"
	timed_run run scripts/certify.lua --fixture "$WORK/fx.lua" --out "$WORK/run" --quiet
	[ "$RC" -eq 2 ] || fail "exit status $RC, expected 2"
	within 5
	expect_err "^rig: $WORK/fx.lua:[0-9]+: instruction budget exceeded"
	expect_one_line_err
	[ ! -e "$WORK/run" ] || fail "a run directory was made"
}

test_unit_file_pattern_spin() {
	printf '%s\n' 'local x = ("a"):rep(3000):find(("a*"):rep(12) .. "b")' \
		'return { serial = "SIM-X" }' >"$WORK/unit.lua"
	timed_run run scripts/certify.lua --sim-unit "$WORK/unit.lua" --out "$WORK/run" --quiet
	[ "$RC" -eq 2 ] || fail "exit status $RC, expected 2"
	within 5
	expect_err "^rig: $WORK/unit.lua: time limit of [0-9.]+ s exceeded"
	expect_one_line_err
}

# rig diff loads its spec after opening the results store: make one.
make_store() {
	echo '-- judges nothing' >"$WORK/empty.lua"
	"$RIG" run "$WORK/empty.lua" --out "$WORK/r0" --quiet >/dev/null 2>&1 || true
	[ -f "$XDG_DATA_HOME/rig/results.db" ] || fail "no results store made"
}

spec_hang() { # first line of the spec file, expected stderr pattern
	make_store
	printf '%s\n' "$1" 'return {}' >"$WORK/spec.lua"
	timed_run diff --spec "$WORK/spec.lua" RUN-A RUN-B
	[ "$RC" -eq 2 ] || fail "exit status $RC, expected 2"
	within 5
	expect_err "$2"
	expect_one_line_err
}

test_spec_file_string_rep_in_diff() {
	spec_hang 'local x = string.rep("", math.maxinteger) .. ("a"):rep(1 << 40)' \
		"^rig: $WORK/spec.lua:1: .*string.rep"
}

test_spec_file_pattern_spin_in_diff() {
	spec_hang 'local x = ("a"):rep(3000):find(("a*"):rep(12) .. "b")' \
		"^rig: $WORK/spec.lua: time limit of [0-9.]+ s exceeded"
}
