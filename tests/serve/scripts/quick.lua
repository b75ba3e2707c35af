-- A short procedure for the rig serve browser tests: an operator prompt,
-- then one depth and one dose step of 20 shots judged as MI-350 judges
-- DEPTH-ACC and DOSE-ACC (fixtures/units/dose-low.lua fails DOSE-ACC).
-- The acceptance is inline: loading specs.mi350 would make the run answer
-- for the whole spec's coverage (INCOMPLETE). Seconds on the sim bench.
local function ti(lo, hi)
  return { lo = lo, hi = hi, confidence = 0.95, coverage = 0.975, method = "exact",
           normality_alpha = 0.005 / 12 }
end

rig.every_burst { shot_count = { requirement = "SHOT-COUNT" },
                  safe_depth = { requirement = "SAFE-DEPTH", over_set_mm = 0.5 } }
rig.prompt("Insert the unit into the socket and close the guard", { image = "socket.png" })

rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 120, label = "4 mm" }, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", target = 4,
                                        mean = { lo = 3.9, hi = 4.1 }, ti = ti(3.7, 4.3) })
end)

rig.step("DOSE-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 120, label = "20 ul" }, function(s)
  local shots = assert(rig.uut:burst(20))
  s:judge("volume_ul", shots.volume_ul, { requirement = "DOSE-ACC", unit = "ul", target = 20,
                                          mean = { lo = 19.4, hi = 20.6 }, ti = ti(18.4, 21.6) })
end)
