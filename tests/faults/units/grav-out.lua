-- rejects: DOSE-GRAV
-- Delivers 2.5 % less by weight: just outside DOSE-GRAV's ±2 %.
return { serial = "OUT-GRAV", dose = { gain = 0.975 } }
