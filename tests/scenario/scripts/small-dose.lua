-- One burst of 5 ul doses at 2 mm, 60/min, judged with the MI-350 spec's
-- dose rule (an MI-200 unit accepts 5 ul; an MI-350 refuses it).
local spec = require "specs.mi350"

rig.step("DOSE-ACC", { depth_mm = 2, dose_ul = 5, rate_per_min = 60, label = "5 ul" },
  function(s)
    local shots = assert(rig.uut:burst(20))
    s:judge("volume_ul", shots.volume_ul, spec.dose(5))
  end)
