-- Fires a second shot about once in fifty: fails SHOT-COUNT.
return { serial = "SIM-BAD-DOUBLE", double_shot_prob = 0.02 }
