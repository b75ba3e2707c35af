-- rejects: RATE-ACC
-- Jitter so large that the interval TI at 350/min passes ±6 % of the period.
return { serial = "OUT-RATE-TI", rate = { jitter_ms = 4.5 } }
