-- rejects: DOSE-ACC
-- Dose spread so wide that the TI passes set ±8 %.
return { serial = "OUT-DOSE-TI", dose = { noise_pct = 3.3 } }
