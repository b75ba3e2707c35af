-- rejects: DOSE-ACC
-- Doses 3.5 % short: just outside DOSE-ACC's ±3 % on the mean.
return { serial = "OUT-DOSE-MEAN", dose = { gain = 0.965 } }
