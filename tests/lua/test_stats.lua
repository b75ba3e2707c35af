-- rig.stats and the statistical options of s:judge, seen from a script.
local t = require "testlib"
local spec = require "specs.mi350"

t.case("rig.stats.k gives the exact factors", function()
  -- ISO 16269-6 Table F.5 (n = 10, 95 %/95 %, two-sided): 3.3935 rounded up
  t.near(rig.stats.k(10, 0.95, 0.95), 3.3934, 0.0001, "two-sided by default")
  -- Montgomery & Runger Table XII (n = 20, 95 %/95 %, one-sided): 2.396
  t.near(rig.stats.k(20, 0.95, 0.95, 1), 2.396, 0.001, "one-sided")
  -- NIST e-Handbook 7.2.6.3: Howe 2.2173, Natrella 1.8752 (n = 43, 99 %/90 %)
  t.near(rig.stats.k(43, 0.99, 0.90, 2, "howe"), 2.2173, 0.0001, "howe")
  t.near(rig.stats.k(43, 0.99, 0.90, 1, "natrella"), 1.8752, 0.0001, "natrella")
end)

t.case("rig.stats.distribution_free_n", function()
  t.eq(rig.stats.distribution_free_n(0.95, 0.95, 1), 59)
  t.eq(rig.stats.distribution_free_n(0.95, 0.975), 188)
end)

t.case("rig.stats.normality flags bimodal values", function()
  local twohumps = {}
  for i = 1, 40 do twohumps[i] = (i % 2 == 0 and 3.9 or 4.1) + 0.001 * i end
  local p, a2 = rig.stats.normality(twohumps)
  t.eq(p < 1e-4, true, "bimodal p " .. tostring(p))
  t.eq(a2 > 2, true, "A2* " .. tostring(a2))
  local q, msg = rig.stats.normality({ 1, 2, 3 })
  t.eq(q, nil)
  t.eq(msg:find("at least 8 values") ~= nil, true, "message")
end)

t.case("rig.stats misuse raises", function()
  t.raises(function() rig.stats.k(1, 0.95, 0.95) end, "n must be at least 2")
  t.raises(function() rig.stats.k(10, 1.5, 0.95) end, "confidence must lie strictly between 0 and 1")
  t.raises(function() rig.stats.k(10, 0.95, 0.95, 3) end, "sides must be 1 or 2")
  t.raises(function() rig.stats.k(10, 0.95, 0.95, 1, "howe") end, "howe is a two%-sided approximation")
  t.raises(function() rig.stats.k(10, 0.95, 0.95, 2, "guess") end, "unknown k%-factor method")
  t.raises(function() rig.stats.normality({ 1, "x" }) end, "not a finite number")
end)

rig.step("DEPTH-ACC", { depth_mm = 4, label = "4 mm" }, function(s)
  -- 60 normal scores: Box-Muller pairs on a fixed grid of uniforms
  local values = {}
  for i = 1, 30 do
    local u, v = (i - 0.5) / 30, (i * 0.618034) % 1
    local r = math.sqrt(-2 * math.log(u))
    values[2 * i - 1] = 4 + 0.03 * r * math.cos(2 * math.pi * v)
    values[2 * i] = 4 + 0.03 * r * math.sin(2 * math.pi * v)
  end

  t.case("judge reports the method, normality and the guard band", function()
    local _, m = s:judge("depth_mm", values, spec.depth(4))
    t.eq(m.ti_method, "exact")
    t.near(m.k, rig.stats.k(60, 0.95, 0.975), 1e-12, "k")
    t.eq(m.uncertainty, 0.01, "sim bench depth U")
    t.eq(m.guard_band, 0.01, "guard band = U")
    t.eq(m.normality_p > 0.5, true, "normal scores pass, p " .. m.normality_p)
  end)

  t.case("judge options override the spec", function()
    local _, m = s:judge("depth_mm", values, spec.depth(4), { method = "howe", coverage = 0.99 })
    t.eq(m.ti_method, "howe")
    t.near(m.k, rig.stats.k(60, 0.95, 0.99, 2, "howe"), 1e-12, "k")
    local v, d = s:judge("depth_mm", values, spec.depth(4), { method = "distribution-free" })
    t.eq(d.ti_method, "distribution-free")
    t.eq(v, "INDETERMINATE")
    t.eq(d.reason:find("needs 188") ~= nil, true, d.reason)
  end)

  t.case("non-normal values take the distribution-free interval", function()
    local humps = {}
    for i = 1, 60 do humps[i] = (i % 2 == 0 and 3.95 or 4.05) + 0.0005 * i end
    local v, m = s:judge("depth_mm", humps, spec.depth(4))
    t.eq(m.ti_method, "distribution-free")
    t.eq(m.normality_p < 0.01, true, "flagged")
    t.eq(v, "INDETERMINATE")
    t.eq(m.reason:find("normality rejected") ~= nil, true, m.reason)
  end)

  t.case("bad judge options raise", function()
    t.raises(function() s:judge("depth_mm", values, spec.depth(4), { methd = "howe" }) end,
             "judge options has an unknown field 'methd'")
    t.raises(function() s:judge("depth_mm", values, spec.depth(4), { coverage = 1 }) end,
             "judge options.coverage must be a number in %(0, 1%)")
    t.raises(function() s:judge("depth_mm", values, spec.depth(4), { method = "wald" }) end,
             "or distribution%-free")
    local a = spec.depth(4)
    a.ti.confidense = 0.9
    t.raises(function() s:judge("depth_mm", values, a) end, "acceptance.ti has an unknown field")
  end)
end)

t.done()
