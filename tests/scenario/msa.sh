# Measurement-system analysis on the sim bench (docs/msa.md): `rig msa grr`
# and `rig msa type1` run as procedures with a signed run directory; the
# figures they print are recomputed here from result.json by R's aov, an
# implementation independent of rig's.

# A station whose loading is repeatable and a unit whose shots are steady.
msa_station() { # name load_sd_mm operator_sd_mm
	sed -e "s/load_sd_mm = [0-9.]*/load_sd_mm = $2/" \
		-e "s/operator_sd_mm = [0-9.]*/operator_sd_mm = $3/" \
		fixtures/sim-bench.lua >"$WORK/$1.lua"
	printf 'return { depth = { noise_mm = 0.005 } }\n' >"$WORK/steady.lua"
}

test_msa_grr_good_station_acceptable() {
	msa_station good 0.001 0.001
	rig_run msa grr --requirement DEPTH-ACC --setting 4 --parts 10 --operators 3 --trials 2 \
		--shots 5 --fixture "$WORK/good.lua" --sim-unit "$WORK/steady.lua" \
		--out "$WORK/run" --quiet
	expect_rc 0
	expect_out '^%GRR [0-9.]+ %: acceptable'
	expect_out '^  Part +9 '
	expect_out '^  Total Gage R&R '
	# a signed run directory like a certification's
	"$RIG" verify "$WORK/run" >"$WORK/verify" 2>&1 || fail "rig verify: $(cat "$WORK/verify")"
	expect_file "$WORK/run/report.pdf"
	# every loading was prompted for and journaled, in a random order
	[ "$(grep -c '"event":"msa_load"' "$WORK/run/journal.jsonl")" -eq 60 ] ||
		fail "not 60 msa_load events"
	[ "$(grep -c '"event":"prompt"' "$WORK/run/journal.jsonl")" -eq 60 ] ||
		fail "not 60 prompts"
	order=$(jq -r 'select(.event == "msa_load" and .operator == 1 and .trial == 1) | .part' \
		"$WORK/run/journal.jsonl" | tr '\n' ' ')
	[ "$order" != "1 2 3 4 5 6 7 8 9 10 " ] || fail "parts measured in order, not randomised"
}

test_msa_grr_poor_repeatability_unacceptable() {
	msa_station poor 0.04 0.001
	rig_run msa grr --parts 10 --operators 3 --trials 2 --shots 5 --fixture "$WORK/poor.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/run" --quiet
	expect_rc 1
	expect_out '^%GRR [0-9.]+ %: unacceptable'
	expect_out '^MSA-GRR .*FAIL$'
}

test_msa_grr_json_matches_r() {
	msa_station good 0.003 0.004
	rig_run msa grr --parts 6 --operators 3 --trials 3 --shots 3 --fixture "$WORK/good.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/run" --json --alpha-interaction 0.25
	expect_rc 0
	jq -e . "$WORK/out" >/dev/null || fail "--json is not JSON alone"
	[ "$(jq -r .alpha_interaction "$WORK/out")" = 0.25 ] || fail "alpha not 0.25"
	# The values are the trial means recorded in the signed result.json ...
	jq -r '.steps[] | select(.requirement == "MSA-DEPTH-ACC") |
		[.setting_label, (.measurements[] | select(.requirement == "MSA-DEPTH-ACC") | .mean)] |
		@tsv' "$WORK/run/result.json" |
		awk -F'\t' '{ split($1, f, " "); printf "%s,%s,%.17g\n", f[1], f[2], $2 }' \
		>"$WORK/study.csv"
	[ "$(wc -l <"$WORK/study.csv")" -eq 54 ] || fail "not 54 measurements in result.json"
	# ... and R's aov gives the same ANOVA to 1e-9.
	cat >"$WORK/aov.R" <<'R'
d <- read.csv(commandArgs(TRUE)[1], header = FALSE, col.names = c("part", "oper", "y"),
              stringsAsFactors = TRUE)
a <- summary(aov(y ~ part * oper, data = d))[[1]]
cat(sprintf("%.17g", c(a[["Sum Sq"]], a[["F value"]][3], a[["Pr(>F)"]][3])), sep = "\n")
R
	Rscript --vanilla "$WORK/aov.R" "$WORK/study.csv" >"$WORK/r" || fail "R failed"
	jq -r '.anova | .part.ss, .operator.ss, .interaction.ss, .repeatability.ss,
		.interaction.f, .interaction.p' "$WORK/out" >"$WORK/rig"
	paste "$WORK/rig" "$WORK/r" | awk '{ d = $1 - $2; if (d < 0) d = -d
		t = ($2 < 0 ? -$2 : $2); if (d > 1e-9 * (t > 1 ? t : 1) + 1e-15) { print "differ: " $0; bad = 1 } }
		END { exit bad }' || fail "rig and R differ: $(paste "$WORK/rig" "$WORK/r")"
}

test_msa_type1() {
	msa_station good 0.001 0.002
	rig_run msa type1 --reference 4.000 --trials 20 --shots 5 --fixture "$WORK/good.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/run" --json
	expect_rc 0
	jq -e '.capable == true and .n == 20 and (.tolerance - 0.6 | fabs) < 1e-12 and .sigmas == 6' \
		"$WORK/out" \
		>/dev/null || fail "type1 JSON: $(cat "$WORK/out")"
	# Cg by hand from the values the JSON lists: 0.2 T / (6 s)
	jq -r '.values[]' "$WORK/out" | awk -v cg="$(jq -r .cg "$WORK/out")" '
		{ x[NR] = $1; s += $1 } END { m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m)^2
		  sd = sqrt(v / (NR - 1)); mine = 0.2 * 0.6 / (6 * sd)
		  if ((mine - cg)^2 > 1e-18 * cg^2) { print mine, cg; exit 1 } }' ||
		fail "Cg differs from the hand computation"
}

test_msa_bad_arguments() {
	for args in "" "gauge" "type1" "grr --parts" "grr --reference 4" "type1 --reference 4 --parts 3" \
		"grr --study-var 4" "grr --alpha-interaction 2" "grr --bogus 1" "type1 --reference x" \
		"grr --requirement SAFE-DEPTH"; do
		# shellcheck disable=SC2086
		rig_run msa $args --out "$WORK/bad" --quiet
		expect_rc 2
		expect_err "^rig: "
	done
}
