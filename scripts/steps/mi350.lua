-- The MI-350's measurement steps, shared by the procedures that run them
-- (certify.lua, regression.lua): one function per requirement, each a
-- rig.step at one setting with n shots, judged against specs/mi350.
local spec = require "specs.mi350"

local steps = {}

-- The settings every step not about that quantity uses.
local DEPTH, DOSE, RATE = 4, 20, 120

-- A step at one setting: fire n shots and judge one column of them.
local function burst_step(requirement, setting, label, n, column, acceptance)
  setting.label = label
  rig.step(requirement, setting, function(s)
    local shots = assert(rig.uut:burst(n))
    s:judge(column, shots[column], acceptance)
  end)
end

function steps.depth(depth, n)
  burst_step("DEPTH-ACC", { depth_mm = depth, dose_ul = DOSE, rate_per_min = RATE },
             depth .. " mm", n, "depth_mm", spec.depth(depth))
end

function steps.dose(dose, n)
  burst_step("DOSE-ACC", { depth_mm = DEPTH, dose_ul = dose, rate_per_min = RATE },
             dose .. " ul", n, "volume_ul", spec.dose(dose))
end

function steps.rate(rate, n)
  burst_step("RATE-ACC", { depth_mm = DEPTH, dose_ul = DOSE, rate_per_min = rate },
             rate .. "/min", n, "interval_ms", spec.rate(rate))
end

-- DOSE-GRAV: n shots of dose weighed on the balance.
function steps.grav(dose, n)
  rig.step("DOSE-GRAV", { depth_mm = DEPTH, dose_ul = dose, rate_per_min = RATE,
                          label = n .. " x " .. dose .. " ul" }, function(s)
    assert(rig.scale, "DOSE-GRAV needs a balance: add scale = {...} to the fixture")
    rig.prompt("Place the weighing vessel under the needle and close the draught shield")
    assert(rig.scale:tare())
    local shots = assert(rig.uut:burst(n))
    local grams = assert(rig.scale:weigh())
    s:judge("burst_volume_ul", { rig.gravimetric_ul(grams, shots.duration_s) },
            spec.grav(dose, n))
  end)
end

return steps
