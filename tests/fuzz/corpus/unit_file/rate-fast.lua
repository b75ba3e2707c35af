-- Fires 5 % faster than set: fails RATE-ACC (mean rate within ±1.5 %).
return { serial = "SIM-BAD-RATE", rate = { gain = 1.05 } }
