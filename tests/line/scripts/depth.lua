-- A short procedure for line tests: one depth setting, one burst, judged
-- as MI-350's DEPTH-ACC judges it (inline: loading the spec module would
-- make the run answer for the whole spec's coverage).
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4mm" }, function(s)
  local shots = assert(rig.uut:burst(tonumber(rig.params.shots or "20")))
  s:judge("depth_mm", shots.depth_mm, {
    requirement = "DEPTH-ACC", unit = "mm", target = 4,
    mean = { lo = 3.9, hi = 4.1 },
    ti = { lo = 3.7, hi = 4.3, confidence = 0.95, coverage = 0.975, method = "exact",
           normality_alpha = 0.005 / 12 } })
end)
