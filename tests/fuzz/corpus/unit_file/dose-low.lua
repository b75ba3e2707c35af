-- Delivers 90 % of the set dose: fails DOSE-ACC and DOSE-GRAV.
return { serial = "SIM-BAD-DOSE", dose = { gain = 0.9 } }
