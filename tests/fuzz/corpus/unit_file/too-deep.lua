-- Depth stop 0.8 mm too deep: the first shot breaks SAFE-DEPTH and stops the run.
return { serial = "SIM-BAD-SAFE", depth = { offset_mm = 0.8 } }
