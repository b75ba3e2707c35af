-- A short procedure for the rig serve browser tests: an operator prompt,
-- then one depth and one dose step of 20 shots judged against spec MI-350
-- (fixtures/units/dose-low.lua fails DOSE-ACC). Seconds on the sim bench.
local spec = require "specs.mi350"
local steps = require "steps.mi350"

rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }
rig.prompt("Insert the unit into the socket and close the guard")
steps.depth(4, 20)
steps.dose(20, 20)
