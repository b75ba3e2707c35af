-- The certification of scripts/certify.lua with fewer shots per setting
-- (rig.params.shots, default 10), for throughput figures in real time.
local spec = require "specs.mi350"
local steps = require "steps.mi350"
local N = tonumber(rig.params.shots or "10")

rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }
for _, depth in ipairs(spec.settings.depth_mm) do steps.depth(depth, N) end
for _, dose in ipairs(spec.settings.dose_ul) do steps.dose(dose, N) end
for _, rate in ipairs(spec.settings.rate_per_min) do steps.rate(rate, N) end
steps.grav(spec.settings.grav_dose_ul, N)
