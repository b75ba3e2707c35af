-- Depth stop set 0.4 mm too deep: fails DEPTH-ACC (mean within ±0.10 mm).
return { serial = "SIM-BAD-DEPTH", depth = { offset_mm = 0.4 } }
