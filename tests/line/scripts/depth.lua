-- A short procedure for line tests: one depth setting, one burst.
local spec = require "specs.mi350"
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4mm" }, function(s)
  local shots = assert(rig.uut:burst(tonumber(rig.params.shots or "20")))
  s:judge("depth_mm", shots.depth_mm, spec.depth(4))
end)
