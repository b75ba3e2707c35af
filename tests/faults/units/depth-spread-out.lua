-- rejects: DEPTH-ACC
-- Depth spread so wide that the TI (k ~ 2.67) passes set ±0.30 mm.
return { serial = "OUT-DEPTH-TI", depth = { noise_mm = 0.125 } }
