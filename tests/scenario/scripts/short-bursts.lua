-- Short bursts at the corners of MI-350's settings, for accuracy checks
-- where full certification would be slow (the 1 MS/s bench): shallow and
-- deep, small and large dose, slowest and fastest rate.
local spec = require "specs.mi350"

for _, set in ipairs {
  { depth_mm = 1.5, dose_ul = 10, rate_per_min = 60 },
  { depth_mm = 6, dose_ul = 100, rate_per_min = 60 },
  { depth_mm = 1.5, dose_ul = 100, rate_per_min = 350 },
  { depth_mm = 6, dose_ul = 10, rate_per_min = 350 },
} do
  set.label = set.depth_mm .. "mm-" .. set.dose_ul .. "ul-" .. set.rate_per_min .. "/min"
  rig.step("DEPTH-ACC", set, function(s)
    local shots = assert(rig.uut:burst(6))
    s:judge("depth_mm", shots.depth_mm, spec.depth(set.depth_mm))
  end)
end
