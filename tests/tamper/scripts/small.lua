-- A short run for the tamper matrix: one depth and one dose step, judged
-- against MI-350's limits stated inline (a script that loads the whole
-- spec must cover it, which would be a certification, not a short run).
local function ti(lo, hi)
  return { lo = lo, hi = hi, confidence = 0.95, coverage = 0.975, method = "exact" }
end

local set = { depth_mm = 4, dose_ul = 10, rate_per_min = 120, label = "4mm-10ul" }
rig.step("DEPTH-ACC", set, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", target = 4,
    mean = { lo = 3.9, hi = 4.1 }, ti = ti(3.7, 4.3) })
end)
rig.step("DOSE-ACC", set, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("volume_ul", shots.volume_ul, { requirement = "DOSE-ACC", unit = "ul", target = 10,
    mean = { lo = 9.7, hi = 10.3 }, ti = ti(9, 11) })
end)
