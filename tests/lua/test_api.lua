-- The rig script API seen from a script: steps, judge, bursts, misuse.
local t = require "testlib"
local spec = require "specs.mi350"

t.case("spec limits follow the design's table", function()
  local d = spec.depth(4)
  t.eq(d.requirement, "DEPTH-ACC")
  t.near(d.mean.lo, 3.9, 1e-12, "depth mean lo")
  t.near(d.ti.hi, 4.3, 1e-12, "depth TI hi")
  t.eq(d.ti.coverage, 0.975)
  local v = spec.dose(10)
  t.near(v.ti.lo, 9.0, 1e-12, "10 ul TI uses the 1 ul floor")
  t.near(spec.dose(100).ti.lo, 92.0, 1e-12, "100 ul TI is 8 %")
  local r = spec.rate(350)
  t.near(r.target, 60000 / 350, 1e-9, "period")
  t.near(r.mean.lo, 60000 / (350 * 1.015), 1e-9, "rate +1.5 %")
  t.near(spec.grav(50, 60).each.hi, 3060, 1e-9, "grav +2 %")
  t.eq(spec.safe_depth.over_set_mm, 0.5)
end)

t.case("prompts are answered automatically in batch", function()
  t.eq(rig.prompt("Place the vessel"), true)
end)

local captured
local verdict = rig.step("DEPTH-ACC", { depth_mm = 2, dose_ul = 20, rate_per_min = 240, label = "2 mm" },
  function(s)
    captured = s
    t.case("the step object describes its step", function()
      t.eq(s.id, "DEPTH-ACC@2mm")
      t.eq(s.requirement, "DEPTH-ACC")
      t.eq(s.depth_mm, 2)
      t.eq(s.rate_per_min, 240)
    end)
    t.case("a burst returns every shot", function()
      local shots = assert(rig.uut:burst(10))
      t.eq(shots.count, 10, "count")
      t.eq(shots.commanded, 10, "commanded")
      t.eq(shots.unit_count, 10, "unit count")
      t.eq(#shots.depth_mm, 10, "depths")
      t.eq(#shots.interval_ms, 9, "intervals")
      for i = 1, 10 do t.near(shots.depth_mm[i], 2, 0.2, "depth " .. i) end
      for i = 1, 9 do t.near(shots.interval_ms[i], 250, 10, "interval " .. i) end
      t.eq(shots.capture, "captures/DEPTH-ACC@2mm-1.rcap")
    end)
    t.case("judge computes the statistics of the values", function()
      local v, m = s:judge("depth_mm", { 1.9, 2.0, 2.1, 2.0 }, spec.depth(2))
      t.eq(m.n, 4)
      t.near(m.mean, 2.0, 1e-12, "mean")
      t.near(m.sd, math.sqrt(0.02 / 3), 1e-12, "sd")
      t.near(m.min, 1.9, 1e-12, "min")
      t.near(m.max, 2.1, 1e-12, "max")
      t.near(m.ti_hi - m.mean, m.k * m.sd, 1e-12, "TI half width = k sd")
      t.eq(v, m.verdict)
    end)
    t.case("judge fails a mean outside its limits", function()
      local v, m = s:judge("depth_mm", { 2.3, 2.31, 2.29 }, { requirement = "DEPTH-ACC", unit = "mm",
                                                           mean = { lo = 1.9, hi = 2.1 } })
      t.eq(v, "FAIL")
      t.eq(m.reason:find("mean 2.3 outside") ~= nil, true, "reason names the mean")
    end)
    t.case("judge counts exactly", function()
      t.eq(s:judge("shots", { 1, 1, 1 }, { requirement = "SHOT-COUNT", count = 3 }), "PASS")
      t.eq(s:judge("shots", { 1, 1 }, { requirement = "SHOT-COUNT", count = 3 }), "FAIL")
    end)
    t.case("misuse raises with the script's line", function()
      t.raises(function() s:judge("x", { 1 }, {}) end, "needs a requirement ID")
      t.raises(function() s:judge("x", { 1, "a" }, spec.depth(2)) end, "value 2 to judge is not a finite number")
      t.raises(function() s:judge("x", { 1 }, { requirement = "R", bogus = 1 }) end, "unknown field 'bogus'")
      t.raises(function() s:judge("x", { 1 }, { requirement = "R" }) end, "states no criterion")
      -- NaN is rig's "no limit": a computed NaN or inf must not become one
      t.raises(function() s:judge("x", { 1, 2 }, { requirement = "R", mean = { lo = 0 / 0, hi = 0 / 0 } }) end,
               "acceptance.mean: lo and hi must be finite numbers")
      t.raises(function() s:judge("x", { 1, 2 }, { requirement = "R", each = { lo = 0, hi = 1 / 0 } }) end,
               "acceptance.each: lo and hi must be finite numbers")
      t.raises(function() s:judge("x", { 1, 2 }, { requirement = "R", mean = { lo = "1" } }) end,
               "acceptance.mean.lo/hi must be numbers")
      t.raises(function() rig.uut:burst(0) end, "a burst fires 1 to")
      t.raises(function() rig.step("X", {}, function() end) end, "steps do not nest")
      t.raises(function() s.judge(42) end, "test_api.lua:%d+: bad argument #1 to 'judge'")
    end)
  end)

t.case("a step reports its verdict, then its object is closed", function()
  t.eq(verdict, "FAIL")
  t.raises(function() captured:judge("x", { 1 }, spec.depth(2)) end, "this step has ended")
end)

t.case("bad requirement IDs and settings are refused", function()
  t.raises(function() rig.step("depth acc", {}, function() end) end, "is not a requirement ID")
  t.raises(function() rig.step("DEPTH-ACC", { depth_mm = "deep" }, function() end) end, "must be a number")
  t.raises(function() rig.step("DEPTH-ACC", { depth_mm = -1 }, function() end) end, "outside")
end)

t.case("a burst outside a step is refused", function()
  t.raises(function() rig.uut:burst(1) end, "belongs inside a rig.step")
end)

t.case("the unit identifies itself", function()
  t.eq(rig.uut.model, "MI-350")
  t.eq(rig.uut.serial, "SIM-0001")
  t.eq(type(rig.uut.firmware), "string")
end)

t.case("gravimetric conversion applies Z and evaporation", function()
  -- 1 g of water read at the sim bench's 21.5 C, 101.3 kPa: ~1003 ul.
  local ul = rig.gravimetric_ul(1.0, 0)
  t.near(ul, 1003.2, 0.3, "Z at 21.5 C")
  t.near(rig.gravimetric_ul(1.0, 100) - ul, 0.05 * ul / 1000, 1e-6, "evaporation 0.0005 mg/s x 100 s")
end)

t.case("the balance zeroes, tares and weighs", function()
  t.eq(rig.scale:zero(), true)
  t.eq(rig.scale:tare(), true)
  t.near(assert(rig.scale:weigh()), 0, 1e-4, "nothing dispensed since the tare")
end)

t.done()
