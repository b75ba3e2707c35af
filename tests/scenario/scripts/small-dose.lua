-- One burst of 5 ul doses at 2 mm, 60/min (an MI-200 accepts 5 ul; an
-- MI-350 refuses it). No MI-350 spec: that one binds the run to its model.
-- The limits are the MI-350 spec's dose rule applied to 5 ul: mean within
-- 3 %, TI within +-1 ul.
rig.step("DOSE-ACC", { depth_mm = 2, dose_ul = 5, rate_per_min = 60, label = "5 ul" },
  function(s)
    local shots = assert(rig.uut:burst(20))
    s:judge("volume_ul", shots.volume_ul,
            { requirement = "DOSE-ACC", unit = "ul", target = 5,
              mean = { lo = 4.85, hi = 5.15 },
              ti = { lo = 4, hi = 6, confidence = 0.95, coverage = 0.975, method = "exact" } })
  end)
