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
