-- Certification of one MI-350 against spec MI-350: every requirement ID,
-- 12 settings x 60 shots plus the gravimetric burst.
local spec = require "specs.mi350"
local steps = require "steps.mi350"
local N = spec.shots_per_setting

rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }

for _, depth in ipairs(spec.settings.depth_mm) do steps.depth(depth, N) end
for _, dose in ipairs(spec.settings.dose_ul) do steps.dose(dose, N) end
for _, rate in ipairs(spec.settings.rate_per_min) do steps.rate(rate, N) end
steps.grav(spec.settings.grav_dose_ul, N)
