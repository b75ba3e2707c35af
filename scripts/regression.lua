-- Firmware regression suite for the MI-350 (docs/regression.md): flash the
-- build under test, then measure every setting of the spec, the edge cases
-- and a continuous soak, so rig diff can compare the build with a baseline.
--
--   rig run scripts/regression.lua --firmware build.img [--param NAME=VALUE]
--
-- Run options (rig.params):
--   shots     shots per setting (default: the spec's 60)
--   soak_min  minutes of continuous firing at 350/min for thermal drift
--             (default 5; 0 skips the soak)
local spec = require "specs.mi350"
local steps = require "steps.mi350"

-- A misspelt option must not run the default suite instead.
for name in pairs(rig.params) do
  if name ~= "shots" and name ~= "soak_min" then
    error(("--param %s: unknown (this script takes shots and soak_min)"):format(name), 0)
  end
end

local function whole(name, default, lo, hi)
  local text = rig.params[name]
  if text == nil then return default end
  local v = math.tointeger(tonumber(text))
  if not v or v < lo or v > hi then
    error(("--param %s=%s: expected a whole number in %d..%d"):format(name, text, lo, hi), 0)
  end
  return v
end

local N = whole("shots", spec.shots_per_setting, 10, 10000)
local SOAK_MIN = whole("soak_min", 5, 0, 120)
local SOAK_RATE = 350

if rig.firmware then
  local unit = assert(rig.uut:flash(rig.firmware))
  rig.log("flashed " .. rig.firmware .. ": unit runs firmware " .. unit.firmware)
end

rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }

-- Depth across the unit's whole range (its minimum, 0.5 mm, then the
-- clinical settings); dose from the smallest; every rate; the balance.
steps.depth(0.5, N)
for _, depth in ipairs(spec.settings.depth_mm) do steps.depth(depth, N) end
for _, dose in ipairs(spec.settings.dose_ul) do steps.dose(dose, N) end
for _, rate in ipairs(spec.settings.rate_per_min) do steps.rate(rate, N) end
if rig.scale then steps.grav(spec.settings.grav_dose_ul, N) end

-- Thermal drift: fire continuously at the highest rate, then judge the
-- whole soak and, apart, its last minute, where a unit that heats up has
-- drifted furthest.
local function last(values, n)
  local out = {}
  for i = math.max(1, #values - n + 1), #values do out[#out + 1] = values[i] end
  return out
end

if SOAK_MIN > 0 then
  rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = SOAK_RATE,
                          label = "soak " .. SOAK_MIN .. " min" }, function(s)
    local shots = assert(rig.uut:burst(SOAK_MIN * SOAK_RATE))
    s:judge("depth_mm", shots.depth_mm, spec.depth(4))
    s:judge("depth_mm_last_min", last(shots.depth_mm, SOAK_RATE), spec.depth(4))
  end)
end
