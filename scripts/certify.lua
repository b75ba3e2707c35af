-- Certification of one MI-350 against spec MI-350: every requirement ID,
-- 12 settings x 60 shots plus the gravimetric burst.
local spec = require "specs.mi350"
local N = spec.shots_per_setting

rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }

for _, depth in ipairs(spec.settings.depth_mm) do
  rig.step("DEPTH-ACC", { depth_mm = depth, dose_ul = 20, rate_per_min = 120,
                          label = depth .. " mm" }, function(s)
    local shots = assert(rig.uut:burst(N))
    s:judge("depth_mm", shots.depth_mm, spec.depth(depth))
  end)
end

for _, dose in ipairs(spec.settings.dose_ul) do
  rig.step("DOSE-ACC", { depth_mm = 4, dose_ul = dose, rate_per_min = 120,
                         label = dose .. " ul" }, function(s)
    local shots = assert(rig.uut:burst(N))
    s:judge("volume_ul", shots.volume_ul, spec.dose(dose))
  end)
end

for _, rate in ipairs(spec.settings.rate_per_min) do
  rig.step("RATE-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = rate,
                         label = rate .. "/min" }, function(s)
    local shots = assert(rig.uut:burst(N))
    s:judge("interval_ms", shots.interval_ms, spec.rate(rate))
  end)
end

local grav = spec.settings.grav_dose_ul
rig.step("DOSE-GRAV", { depth_mm = 4, dose_ul = grav, rate_per_min = 120,
                        label = N .. " x " .. grav .. " ul" }, function(s)
  assert(rig.scale, "DOSE-GRAV needs a balance: add scale = {...} to the fixture")
  rig.prompt("Place the weighing vessel under the needle and close the draught shield")
  assert(rig.scale:tare())
  local shots = assert(rig.uut:burst(N))
  local grams = assert(rig.scale:weigh())
  s:judge("burst_volume_ul", { rig.gravimetric_ul(grams, shots.duration_s) }, spec.grav(grav, N))
end)
