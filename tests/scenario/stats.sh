# Statistical acceptance seen from the command line: `rig stats`, guard
# banding on a marginal unit, the new measurement fields in result.json.

test_stats_k_prints_table_values() {
	# ISO 16269-6 Table F.5: n = 10, 95 %/95 %, two-sided 3.3935 (rounded up)
	rig_run stats k --n 10 --confidence 0.95 --coverage 0.95 --sides 2
	expect_rc 0
	[ "$(cat "$WORK/out")" = "3.3934" ] || fail "k for n=10 95/95: $(cat "$WORK/out")"
	# Montgomery & Runger Table XII: n = 20, 95 %/95 %, one-sided 2.396
	rig_run stats k --n 20 --coverage 0.95 --sides 1
	[ "$(cat "$WORK/out")" = "2.3960" ] || fail "one-sided n=20: $(cat "$WORK/out")"
	# The spec's own factor (defaults: 95 %, 97.5 %, two-sided)
	rig_run stats k --n 60
	[ "$(cat "$WORK/out")" = "2.6701" ] || fail "n=60 default: $(cat "$WORK/out")"
	# NIST e-Handbook 7.2.6.3: Howe 2.2173, Natrella 1.8752
	rig_run stats k --n 43 --confidence 0.99 --coverage 0.90 --method howe
	[ "$(cat "$WORK/out")" = "2.2173" ] || fail "howe: $(cat "$WORK/out")"
	rig_run stats k --n 43 --confidence 0.99 --coverage 0.90 --sides 1 --method natrella
	[ "$(cat "$WORK/out")" = "1.8752" ] || fail "natrella: $(cat "$WORK/out")"
}

test_stats_n_distribution_free() {
	rig_run stats n --confidence 0.95 --coverage 0.95 --sides 1
	expect_rc 0
	[ "$(cat "$WORK/out")" = "59" ] || fail "95/95 one-sided: $(cat "$WORK/out")"
	rig_run stats n
	[ "$(cat "$WORK/out")" = "188" ] || fail "95/97.5 two-sided: $(cat "$WORK/out")"
}

test_stats_bad_arguments() {
	for args in "k" "k --n 1" "k --n ten" "k --n 10 --confidence 1" "k --n 10 --coverage 0" \
		"k --n 10 --coverage -0.5" "k --n 10 --sides 3" "k --n 10 --method guess" \
		"k --n 10 --sides 1 --method howe" "k --n 10 --bogus" "k --n" "k --n 10 extra" \
		"n --n 10" "median" ""; do
		# shellcheck disable=SC2086
		rig_run stats $args
		expect_rc 2
		expect_err "^rig: stats: "
		expect_one_line_err
		[ ! -s "$WORK/out" ] || fail "rig stats $args printed to stdout"
	done
}

# A unit inside the depth limit on the mean, but inside the guard band,
# with shot noise larger than that band: INDETERMINATE, never PASS.
test_marginal_depth_is_indeterminate() {
	for seed in 1 2 3; do
		rig_run run scripts/certify.lua --sim-unit fixtures/units/depth-marginal.lua \
			--seed $seed --out "$WORK/run$seed" --quiet
		expect_rc 1
		expect_out '^INDETERMINATE'
		expect_no_out '^DEPTH-ACC .*(PASS|FAIL)$'
		[ "$(grep -c '^DEPTH-ACC .*INDETERMINATE$' "$WORK/out")" -eq 4 ] ||
			fail "seed $seed: not every depth INDETERMINATE"
		# the fixture's U = 0.01 combined with 2 x the captures' Type A term
		expect_out 'mean [0-9.]+ inside the guard band \(U = 0.010[0-9]*\) of'
		expect_no_out '^[A-Z-]+ .*FAIL$'
		r="$WORK/run$seed/result.json"
		[ "$(jq -r '.requirements[] | select(.id == "DEPTH-ACC") | .verdict' "$r")" = INDETERMINATE ] ||
			fail "result.json: DEPTH-ACC not INDETERMINATE"
		# guard band and uncertainty on every depth measurement, and the truth
		# really is inside the limit: every mean of truth.csv within 0.1 mm
		[ "$(jq '[.steps[].measurements[] | select(.requirement == "DEPTH-ACC") |
			select(.guard_band >= 0.01 and .guard_band < 0.0105 and .uncertainty == 0.01 and
			       .mean_hi - .mean < .guard_band)] |
			length' "$r")" -eq 4 ] || fail "result.json: guard band fields"
		awk -F, '$1 ~ /^DEPTH-ACC@/ { split($1, a, "@"); set = a[2] + 0; s[$1] += $4 - set; n[$1]++ }
			END { for (k in s) if (s[k] / n[k] >= 0.1 || s[k] / n[k] <= 0.09 - 0.01) exit 1 }' \
			"$WORK/run$seed/truth.csv" || fail "truth is not just inside the limit"
	done
}

test_result_json_has_statistics_fields() {
	rig_run run scripts/certify.lua --out "$WORK/run" --quiet
	expect_rc 0
	r="$WORK/run/result.json"
	# every TI measurement says how it was made and how normal the data looked
	jq -e '[.steps[].measurements[] | select(.ti_lo != null)] | length == 12 and
		all(.ti_method == "exact" and (.normality_p | type) == "number" and
		    (.normality_a2 | type) == "number" and .normality_rejected == false and
		    .normality_alpha > 0.000416 and .normality_alpha < 0.000417 and
		    .k > 2.67 and .k < 2.675 and .confidence == 0.95 and .coverage == 0.975 and
		    .guard_band > 0 and .guard_band >= .uncertainty and .guard_band <= 1.5 * .uncertainty and
		    .ti_n_required == null)' \
		"$r" >/dev/null || fail "result.json statistics fields"
}

test_non_normal_sample_uses_distribution_free() {
	mkdir -p "$WORK/specs" && cp scripts/specs/mi350.lua "$WORK/specs/"
	cat >"$WORK/bimodal.lua" <<'LUA'
local spec = require "specs.mi350"
-- Two clusters of depths, 3.95 and 4.05 mm: clearly not normal.
local function humps(n)
  local v = {}
  for i = 1, n do v[i] = (i % 2 == 0 and 3.95 or 4.05) + 0.0001 * i end
  return v
end
rig.step("DEPTH-ACC", { depth_mm = 4, label = "60" }, function(s)
  s:judge("depth_mm", humps(60), spec.depth(4))
end)
rig.step("DEPTH-ACC", { depth_mm = 4, label = "400" }, function(s)
  s:judge("depth_mm", humps(400), spec.depth(4))
end)
LUA
	rig_run run "$WORK/bimodal.lua" --out "$WORK/run" --quiet
	expect_rc 1
	expect_out '^DEPTH-ACC +60 .*TI\(df\) needs n >= 188 .*INDETERMINATE$'
	expect_out 'normality rejected \(Anderson-Darling p = .* < 0.00042\); 60 values are too few'
	expect_out '^DEPTH-ACC +400 .*TI\(df\) 3.95.*4.09.*PASS$'
	r="$WORK/run/result.json"
	[ "$(jq -r '.steps[0].measurements[0] | [.ti_method, .normality_rejected, .ti_n_required, .ti_lo] | @tsv' "$r")" = \
		"$(printf 'distribution-free\ttrue\t188\t')" ] || fail "n=60 fields"
	[ "$(jq -r '.steps[1].measurements[0] | [.ti_method, .ti_rank_lo, .ti_rank_hi] | @tsv' "$r")" = \
		"$(printf 'distribution-free\t2\t399')" ] || fail "n=400 ranks"
}
