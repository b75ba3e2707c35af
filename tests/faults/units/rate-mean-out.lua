-- rejects: RATE-ACC
-- Fires 2 % fast: just outside RATE-ACC's ±1.5 % on the mean rate.
return { serial = "OUT-RATE-MEAN", rate = { gain = 1.02 } }
