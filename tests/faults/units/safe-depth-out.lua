-- rejects: SAFE-DEPTH
-- Depth stop 0.46 mm too deep: some shot passes set + 0.5 mm.
return { serial = "OUT-SAFE", depth = { offset_mm = 0.46 } }
