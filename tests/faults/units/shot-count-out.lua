-- rejects: SHOT-COUNT
-- Misses about one shot in a hundred: SHOT-COUNT is exact.
return { serial = "OUT-COUNT", missed_shot_prob = 0.01 }
