-- Misses about one shot in fifty: fails SHOT-COUNT.
return { serial = "SIM-BAD-MISS", missed_shot_prob = 0.02 }
