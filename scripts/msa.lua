-- Measurement-system analysis of the station (docs/msa.md), run by
-- `rig msa grr ...` and `rig msa type1 ...` (or rig run scripts/msa.lua
-- --param study=grr|type1 ...).
--
-- grr: a crossed gauge R&R study, AIAG MSA 4th ed. Every operator measures
--   every part `trials` times; within each trial round each operator takes
--   the parts in a new random order (seeded by order_seed: the order is in
--   the journal and replays). One measurement is the mean of a burst of
--   `shots` shots at the setting.
-- type1: one reference part of known value measured `trials` times by one
--   operator (VDA 5 / Bosch booklet 10): bias, Cg, Cgk.
--
-- Run options (rig.params): study, requirement (DEPTH-ACC, DOSE-ACC,
-- RATE-ACC), setting, parts, operators, trials, shots, alpha_interaction,
-- k_sigma, reference, sigmas, order_seed, tolerance.

local known = { study = true, requirement = true, setting = true, parts = true,
                operators = true, trials = true, shots = true, alpha_interaction = true,
                k_sigma = true, reference = true, sigmas = true, order_seed = true,
                tolerance = true }
for name in pairs(rig.params) do
  if not known[name] then error(("--param %s: unknown to msa.lua"):format(name), 0) end
end

local function number(name, default, lo, hi, whole)
  local text = rig.params[name]
  if text == nil then return default end
  local v = tonumber(text)
  if whole then v = math.tointeger(v) end
  if not v or v < lo or v > hi then
    error(("--param %s=%s: expected a %s in %g..%g"):format(name, text,
          whole and "whole number" or "number", lo, hi), 0)
  end
  return v
end

local STUDY = rig.params.study or "grr"
if STUDY ~= "grr" and STUDY ~= "type1" then
  error(("--param study=%s: expected grr or type1"):format(STUDY), 0)
end

-- What each requirement measures: the setting, the quantity, and the
-- tolerance a study is judged against, the width of MI-350's interval for
-- single shots at the setting (specs/mi350.lua: the ti limits). They are
-- stated here, not required from the spec, because a run that loads a
-- spec is bound to cover all of it (docs/script-api.md); --param
-- tolerance=T overrides them for another spec.
local QUANTITY = {
  ["DEPTH-ACC"] = { setting = "depth_mm", column = "depth_mm", unit = "mm", default = 4,
                    tolerance = function(set) return 2 * 0.30 end },
  ["DOSE-ACC"] = { setting = "dose_ul", column = "volume_ul", unit = "ul", default = 20,
                   tolerance = function(set) return 2 * math.max(0.08 * set, 1.0) end },
  ["RATE-ACC"] = { setting = "rate_per_min", column = "interval_ms", unit = "ms", default = 120,
                   tolerance = function(set) return 2 * 0.06 * 60000 / set end },
}
local REQ = rig.params.requirement or "DEPTH-ACC"
local q = QUANTITY[REQ]
if not q then
  error(("--param requirement=%s: expected DEPTH-ACC, DOSE-ACC or RATE-ACC"):format(REQ), 0)
end

local SHOTS = number("shots", 5, 2, 1000, true)
local SETTING
if STUDY == "type1" then
  SETTING = number("setting", number("reference", q.default, -1e9, 1e9), 0, 1e6)
else
  SETTING = number("setting", q.default, 0, 1e6)
end
local TOLERANCE = number("tolerance", nil, 1e-12, 1e12) or q.tolerance(SETTING)

-- rig's checks on every burst, as in a certification (specs/mi350.lua).
rig.every_burst { shot_count = { requirement = "SHOT-COUNT" },
                  safe_depth = { requirement = "SAFE-DEPTH", over_set_mm = 0.5 } }

local settings = { depth_mm = 4, dose_ul = 20, rate_per_min = 350 }
settings[q.setting] = SETTING

local function mean(values)
  local s = 0
  for _, v in ipairs(values) do s = s + v end
  return s / #values
end

-- One measurement: a burst at the setting, its shots kept in the record
-- (judged only for their count), its mean the study's value.
local function measure(label, part, operator, trial)
  local value
  settings.label = label
  rig.step("MSA-" .. REQ, settings, function(s)
    rig.msa.load(part, operator, trial)
    local shots = assert(rig.uut:burst(SHOTS))
    s:judge(q.column, shots[q.column], { requirement = "MSA-" .. REQ, unit = q.unit,
                                         count = SHOTS })
    value = mean(shots[q.column])
  end)
  return value
end

-- xorshift64*: a random order that replays from order_seed on any machine.
local state = number("order_seed", 1, 1, 2^52, true)
local function random_below(n)
  state = state ~ (state << 13)
  state = state ~ (state >> 7)
  state = state ~ (state << 17)
  return (state >> 1) % n + 1
end

local function shuffled(n)
  local order = {}
  for i = 1, n do order[i] = i end
  for i = n, 2, -1 do
    local j = random_below(i)
    order[i], order[j] = order[j], order[i]
  end
  return order
end

local function fmt(v) return ("%.6g"):format(v) end

if STUDY == "grr" then
  local P = number("parts", 10, 2, 100, true)
  local O = number("operators", 3, 2, 20, true)
  local T = number("trials", 3, 2, 20, true)
  local values = {}
  for t = 1, T do
    for o = 1, O do
      for _, p in ipairs(shuffled(P)) do
        rig.prompt(("Operator %d: load part %d for trial %d of %d"):format(o, p, t, T))
        values[((p - 1) * O + o - 1) * T + t] =
          measure(("P%02d O%d T%d"):format(p, o, t), p, o, t)
      end
    end
  end
  settings.label = "study"
  rig.step("MSA-GRR", settings, function(s)
    local r = assert(rig.msa.grr(values, P, O, T, {
      alpha_interaction = number("alpha_interaction", 0.05, 0, 1),
      k_sigma = number("k_sigma", 6, 0.1, 20), tolerance = TOLERANCE }))
    for _, c in ipairs(r.components) do
      s:log(("%-16s var %s  %%contribution %s  sd %s  %%study var %s  %%tolerance %s")
            :format(c.source, fmt(c.var), fmt(c.contribution), fmt(c.sd), fmt(c.pct_study),
                    fmt(c.pct_tol)))
    end
    s:log(("%%GRR %s, ndc %d: %s%s"):format(fmt(r.pct_grr), r.ndc, r.verdict,
          r.pooled and " (interaction pooled)" or ""))
    -- The tolerance the study was judged against, kept in the record.
    s:judge("tolerance", { TOLERANCE }, { requirement = "MSA-GRR", unit = q.unit, count = 1 })
    -- The repeatability (EV) a budget item with from = "msa" takes.
    local ev = r.components[2]
    s:judge("repeatability_sd", { ev.sd }, { requirement = "MSA-GRR", unit = q.unit, count = 1 })
    s:judge("repeatability_df", { r.pooled and r.reduced.repeatability.df or
                                  r.anova.repeatability.df },
            { requirement = "MSA-GRR", count = 1 })
    s:judge("grr_pct", { r.pct_grr }, { requirement = "MSA-GRR", unit = "%",
                                       each = { hi = 30 } })
    s:judge("ndc", { r.ndc }, { requirement = "MSA-GRR", each = { lo = 5 } })
  end)
else
  local REF = number("reference", SETTING, -1e9, 1e9)
  local T = number("trials", 50, 2, 1000, true)
  local values = {}
  for t = 1, T do
    rig.prompt(("Load the reference part (%s %s) for trial %d of %d"):format(fmt(REF), q.unit,
               t, T))
    values[t] = measure(("ref T%d"):format(t), 0, 1, t)
  end
  settings.label = "study"
  rig.step("MSA-TYPE1", settings, function(s)
    local r = assert(rig.msa.type1(values, REF, TOLERANCE, number("sigmas", 6, 4, 6, true)))
    s:log(("bias %s (t %s, p %s), sd %s, Cg %s, Cgk %s"):format(fmt(r.bias), fmt(r.t),
          fmt(r.p), fmt(r.sd), fmt(r.cg), fmt(r.cgk)))
    s:judge("tolerance", { TOLERANCE }, { requirement = "MSA-TYPE1", unit = q.unit, count = 1 })
    s:judge("repeatability_sd", { r.sd }, { requirement = "MSA-TYPE1", unit = q.unit, count = 1 })
    s:judge("repeatability_df", { r.n - 1 }, { requirement = "MSA-TYPE1", count = 1 })
    s:judge("cg", { r.cg }, { requirement = "MSA-TYPE1", each = { lo = 1.33 } })
    s:judge("cgk", { r.cgk }, { requirement = "MSA-TYPE1", each = { lo = 1.33 } })
  end)
end
