-- Reference specification MI-350 (shared/DESIGN.md). The requirement IDs
-- are stable: they appear in every report and regulators trace them.
-- Each function returns the acceptance criteria for one setting, in the
-- form s:judge() takes (docs/script-api.md).
--
-- name, revision, models and requirements are the spec's declaration: a
-- run that loads this module is bound to it. It stops before the first
-- shot unless the unit is one of `models`, and its verdict is INCOMPLETE
-- unless it judged every requirement at every setting listed, with at
-- least `shots` shots per setting.
local spec = { name = "MI-350", revision = "A", models = { "MI-350" } }

spec.shots_per_setting = 60

spec.settings = {
  depth_mm = { 1.5, 2, 4, 6 },
  dose_ul = { 10, 20, 50, 100 },
  rate_per_min = { 60, 120, 240, 350 },
  grav_dose_ul = 50,
}

local N = spec.shots_per_setting
spec.requirements = {
  { id = "DEPTH-ACC", setting = "depth_mm", at = spec.settings.depth_mm, shots = N },
  { id = "DOSE-ACC", setting = "dose_ul", at = spec.settings.dose_ul, shots = N },
  { id = "RATE-ACC", setting = "rate_per_min", at = spec.settings.rate_per_min, shots = N },
  { id = "DOSE-GRAV", setting = "dose_ul", at = { spec.settings.grav_dose_ul }, shots = N },
  { id = "SHOT-COUNT", every_burst = true },
  { id = "SAFE-DEPTH", every_burst = true },
}

-- Tolerance intervals: 95 % confidence that 97.5 % of shots lie inside,
-- exact normal k-factors (docs/statistics.md).
local CONFIDENCE, COVERAGE = 0.95, 0.975

-- A sample whose Anderson-Darling p-value falls below this is not treated
-- as normal (distribution-free interval instead). A certification judges
-- 12 TIs, so 0.005 / 12 (Bonferroni) keeps a good unit's chance of a false
-- alarm anywhere in the run at 0.5 %: half the station's 1 % false-reject
-- budget (docs/reliability.md).
local NORMALITY_ALPHA = 0.005 / 12

local function ti(lo, hi)
  return { lo = lo, hi = hi, confidence = CONFIDENCE, coverage = COVERAGE,
           method = "exact", normality_alpha = NORMALITY_ALPHA }
end

-- DEPTH-ACC: mean within ±0.10 mm of set; TI within set ±0.30 mm.
function spec.depth(set)
  return { requirement = "DEPTH-ACC", unit = "mm", target = set,
           mean = { lo = set - 0.10, hi = set + 0.10 },
           ti = ti(set - 0.30, set + 0.30) }
end

-- DOSE-ACC: mean within ±3 % of set; TI within set ±8 % (at least ±1 µl).
function spec.dose(set)
  local half = math.max(0.08 * set, 1.0)
  return { requirement = "DOSE-ACC", unit = "ul", target = set,
           mean = { lo = set * 0.97, hi = set * 1.03 },
           ti = ti(set - half, set + half) }
end

-- RATE-ACC: mean rate within ±1.5 % of set, judged on the shot intervals
-- (rate = 60000 / mean interval); interval TI within ±6 % of the set period.
function spec.rate(set)
  local period = 60000 / set
  return { requirement = "RATE-ACC", unit = "ms", target = period,
           mean = { lo = 60000 / (set * 1.015), hi = 60000 / (set * 0.985) },
           ti = ti(period * 0.94, period * 1.06) }
end

-- DOSE-GRAV: the burst's gravimetric volume within ±2 % of shots x set.
function spec.grav(set, shots)
  local total = set * shots
  return { requirement = "DOSE-GRAV", unit = "ul", target = total,
           each = { lo = total * 0.98, hi = total * 1.02 } }
end

-- Checked by the harness on every burst (rig.every_burst).
spec.shot_count = { requirement = "SHOT-COUNT" }                   -- exact
spec.safe_depth = { requirement = "SAFE-DEPTH", over_set_mm = 0.5 } -- stops the run

-- Firmware regression (rig diff, docs/regression.md): the smallest change
-- between two builds worth a firmware developer's attention. A change is a
-- regression when it is significant at `alpha` AND larger than this AND for
-- the worse. mean: in the unit; mean_pct: in % of the setting; sd_ratio:
-- standard deviation grown by this factor; cpk_min: Cpk fell below it.
spec.regression = {
  alpha = 0.05,
  requirements = {
    ["DEPTH-ACC"] = { mean = 0.05, sd_ratio = 1.5, cpk_min = 1.33 },
    ["DOSE-ACC"]  = { mean_pct = 1.5, sd_ratio = 1.5, cpk_min = 1.33 },
    ["RATE-ACC"]  = { mean_pct = 0.5, sd_ratio = 1.5, cpk_min = 1.33 },
    ["DOSE-GRAV"] = { mean_pct = 1.0 },
  },
}

return spec
