-- A short run for the tamper matrix: one depth and one dose step, judged
-- against MI-350 like the certification.
local spec = require "specs.mi350"

local set = { depth_mm = 4, dose_ul = 10, rate_per_min = 120, label = "4mm-10ul" }
rig.step("DEPTH-ACC", set, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("depth_mm", shots.depth_mm, spec.depth(set.depth_mm))
end)
rig.step("DOSE-ACC", set, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("volume_ul", shots.volume_ul, spec.dose(set.dose_ul))
end)
