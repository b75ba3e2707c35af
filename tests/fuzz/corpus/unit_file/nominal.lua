-- A good MI-350: every field at its default, written out as a reference.
return {
  model = "MI-350", serial = "SIM-0001", firmware = "2.4.1",
  depth = { offset_mm = 0.0, gain = 1.0, noise_mm = 0.03, drift_mm_per_shot = 0.0 },
  dose  = { gain = 1.0, offset_ul = 0.0, noise_pct = 1.5 },
  rate  = { gain = 1.0, jitter_ms = 1.5 },
  missed_shot_prob = 0.0, double_shot_prob = 0.0,
}
