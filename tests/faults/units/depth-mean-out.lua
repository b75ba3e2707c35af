-- rejects: DEPTH-ACC
-- Depth mean 0.12 mm deep: just outside DEPTH-ACC's ±0.10 mm on the mean.
return { serial = "OUT-DEPTH-MEAN", depth = { offset_mm = 0.12 } }
