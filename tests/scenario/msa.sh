# Measurement-system analysis on the sim bench (docs/msa.md): `rig msa grr`
# and `rig msa type1` run as procedures with a signed run directory; the
# figures they print are recomputed here from result.json by R's aov, an
# implementation independent of rig's.

# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain / sanitizer pass on 2 cores: MSA gate 8/17).
SLOW_TESTS=test_msa_gate_refuses_like_expired_calibration

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
	# the study's own report, signed with the rest: tables and the four charts
	expect_file "$WORK/run/msa.html"
	grep -q '  msa.html$' "$WORK/run/MANIFEST" || fail "msa.html not in MANIFEST"
	for what in 'Two-way ANOVA with interaction' 'Variance components' 'alt="bar chart"' \
		'alt="line chart"'; do
		grep -q "$what" "$WORK/run/msa.html" || fail "msa.html lacks $what"
	done
	[ "$(grep -o 'alt="control chart"' "$WORK/run/msa.html" | wc -l)" -eq 2 ] ||
		fail "msa.html lacks the X-bar and R charts"
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
	grep -q 'alt="run chart"' "$WORK/run/msa.html" || fail "msa.html lacks the run chart"
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
		"grr --requirement SAFE-DEPTH" "grr --parts 1" "grr --parts 101" "grr --trials 0" \
		"grr --operators x" "grr --shots 1" "grr --setting abc" "budget --bogus"; do
		# shellcheck disable=SC2086
		rig_run msa $args --out "$WORK/bad" --quiet
		expect_rc 2
		expect_err "^rig: "
		expect_one_line_err
		# refused before a run starts: no run directory
		[ ! -e "$WORK/bad" ] || fail "rig msa $args left a run directory"
	done
}

# A fixture whose depth U is combined from a budget: JCGM 100:2008 H.1, the
# end-gauge calibration (values in nm; rig does not care about the unit).
H1='{ name = "standard, certificate", value = 75, k = 3, dof = 18 },
      { name = "difference d", value = 9.7, dof = 25.6 },
      { name = "alpha_s", value = 1.2e-6, sensitivity = 0 },
      { name = "delta alpha", dist = "rectangular", value = 1e-6, sensitivity = 5e6, dof = 50 },
      { name = "delta theta", dist = "rectangular", value = 0.05, sensitivity = -575, dof = 2 },'
# A depth budget of a station in mm: LVDT certificate, ADC resolution, temperature.
MM='{ name = "LVDT certificate", value = 0.004, k = 2, dof = 50 },
      { name = "ADC resolution", dist = "rectangular", value = 0.000061 },
      { name = "temperature", dist = "rectangular", value = 2, sensitivity = 0.0005 },'

budget_fixture() { # file [msa table]
	vol=${VOLUME:-}
	[ -n "$vol" ] || vol='{ u = 0.05, rel_pct = 0.3 }'
	sed -e '/^  uncertainty = {/,/^  },/d' fixtures/sim-bench.lua | sed '$d' >"$1"
	cat >>"$1" <<LUA
  uncertainty = {
    depth_mm = { p = ${P:-0.99}, budget = {
      ${BUDGET:-$H1}
      ${EXTRA:-}
    } },
    volume_ul = $vol, interval_ms = 0.05,
    burst_volume_ul = { u = 0.5, rel_pct = 0.2 },
  },
  ${2:-}
}
LUA
}

test_msa_budget_gum_h1() {
	budget_fixture "$WORK/h1.lua"
	rig_run msa budget --fixture "$WORK/h1.lua" --json
	expect_rc 0
	# JCGM 100 H.1.6: u_c = 32 nm, nu_eff = 16.7 -> 16, t_99(16) = 2.92, U_99 = 93 nm
	jq -e '.quantities[] | select(.quantity == "depth_mm") | .budget |
		(.uc > 31.5 and .uc < 32.2) and (.dof_eff > 16.6 and .dof_eff < 16.9) and
		(.k > 2.915 and .k < 2.925) and (.expanded > 92 and .expanded < 93.5)' \
		"$WORK/out" >/dev/null || fail "H.1 budget: $(cat "$WORK/out")"
	P=0.95 budget_fixture "$WORK/h95.lua"
	rig_run msa budget --fixture "$WORK/h95.lua"
	expect_out '^depth_mm: U = 67\.1[0-9] \(k = 2\.120 at p = 95\.00 %'
	expect_out '^  delta theta +rectangular'
	# a distribution rig does not know is refused with file:line
	EXTRA='{ name = "odd", dist = "gaussian", value = 1 },' budget_fixture "$WORK/bad.lua"
	rig_run msa budget --fixture "$WORK/bad.lua"
	expect_rc 2
	expect_err "^rig: $WORK/bad.lua:[0-9]+: .*gaussian"
}

# A one-step procedure: the guard band of its depth judgement is the U.
one_step_script() {
	cat >"$WORK/one.lua" <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4 mm" }, function(s)
  local shots = assert(rig.uut:burst(10))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm",
                                         mean = { lo = 3, hi = 5 } })
end)
LUA
}

test_msa_budget_is_the_guard_band() {
	P=0.95 budget_fixture "$WORK/h95.lua"
	one_step_script
	rig_run run "$WORK/one.lua" --fixture "$WORK/h95.lua" --out "$WORK/run" --quiet
	r="$WORK/run/result.json"
	u=$(jq -r '.fixture.uncertainties[] | select(.quantity == "depth_mm") | .budget.expanded' "$r")
	gb=$(jq -r '.steps[0].measurements[] | select(.requirement == "DEPTH-ACC") | .guard_band' "$r")
	[ "$u" = "$gb" ] || fail "guard band $gb is not the budget's U $u"
	jq -e '.fixture.uncertainties[] | select(.quantity == "depth_mm") | .coverage_k > 2.1' "$r" \
		>/dev/null || fail "coverage_k not from the budget"
	grep -q '<h2>Uncertainty budget: depth_mm</h2>' "$WORK/run/report.html" ||
		fail "report.html does not print the budget"
	grep -q 'delta theta</td><td>rectangular' "$WORK/run/report.html" ||
		fail "report.html budget lacks its components"
	tests/validate-json docs/result.schema.json "$r" >/dev/null 2>&1 ||
		fail "result.json does not match its schema: $(tests/validate-json docs/result.schema.json "$r" 2>&1 | tail -3)"
}

test_msa_gate_refuses_like_expired_calibration() {
	# a volume budget's from = "msa" item must not take a depth study's repeatability
	VOLUME='{ budget = { { name = "plunger", value = 0.05, k = 2 },
	  { name = "repeatability", value = 0.2, dof = 5, from = "msa" } } }' \
	P=0.95 BUDGET=$MM EXTRA='{ name = "repeatability", value = 0.01, dof = 10, from = "msa" },' \
		budget_fixture "$WORK/gated.lua" 'msa = { valid_days = 30, sim = { part_sd_mm = 0.05, operator_sd_mm = 0.001, load_sd_mm = 0.001 } },'
	one_step_script
	# no gauge R&R on record: refused before anything runs
	rig_run run "$WORK/one.lua" --fixture "$WORK/gated.lua" --out "$WORK/r1" --quiet
	expect_rc 2
	expect_err "^rig: $WORK/gated.lua: no gauge R&R of station SIM-STATION-01 on record"
	expect_one_line_err
	[ ! -e "$WORK/r1/journal.jsonl" ] || fail "a refused run left a journal"
	# overridden: runs, and the journal says so
	rig_run run "$WORK/one.lua" --fixture "$WORK/gated.lua" --out "$WORK/r2" --quiet \
		--allow-expired-msa
	expect_rc 0
	jq -se 'map(select(.event == "msa_gate"))[0] | .refused and .overridden' "$WORK/r2/journal.jsonl" \
		>/dev/null || fail "override not journaled"
	# an acceptable study on a steady unit lets the station run, and its
	# repeatability enters the budget
	printf 'return { depth = { noise_mm = 0.005 } }\n' >"$WORK/steady.lua"
	rig_run msa grr --parts 10 --operators 2 --trials 2 --shots 5 --fixture "$WORK/gated.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/grr" --json --quiet
	expect_rc 0
	sd=$(jq -r '.components[] | select(.source == "Repeatability") | .sd' "$WORK/out")
	rig_run run "$WORK/one.lua" --fixture "$WORK/gated.lua" --out "$WORK/r3" --quiet
	expect_rc 0
	jq -se 'map(select(.event == "msa_gate"))[0] | (.refused | not) and .budget_items_applied == 1' \
		"$WORK/r3/journal.jsonl" >/dev/null || fail "gate not passed"
	v=$(jq -r '.fixture.uncertainties[] | select(.quantity == "depth_mm") | .budget.items[] |
		select(.from == "msa") | .value' "$WORK/r3/result.json")
	awk -v a="$sd" -v b="$v" 'BEGIN { d = a - b; exit !(d * d < 1e-20) }' ||
		fail "budget repeatability $v is not the study's $sd"
	jq -e '.fixture.uncertainties[] | select(.quantity == "volume_ul") | .budget.items[1].value == 0.2' \
		"$WORK/r3/result.json" >/dev/null || fail "a depth study fed the volume budget"
	# a later unacceptable study blocks the station again
	sed -i 's/load_sd_mm = 0.001/load_sd_mm = 0.05/' "$WORK/gated.lua"
	rig_run msa grr --parts 10 --operators 2 --trials 2 --shots 5 --fixture "$WORK/gated.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/grr2" --quiet
	expect_rc 1
	rig_run run "$WORK/one.lua" --fixture "$WORK/gated.lua" --out "$WORK/r4" --quiet
	expect_rc 2
	expect_err "latest gauge R&R of station SIM-STATION-01 \(run .*\) is unacceptable \(FAIL\)"
	# and one older than valid_days too
	sed -i 's/valid_days = 30/valid_days = 0.00001/; s/load_sd_mm = 0.05/load_sd_mm = 0.001/' \
		"$WORK/gated.lua"
	rig_run msa grr --parts 10 --operators 2 --trials 2 --shots 5 --fixture "$WORK/gated.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/grr3" --quiet
	expect_rc 0
	sleep 2
	rig_run run "$WORK/one.lua" --fixture "$WORK/gated.lua" --out "$WORK/r5" --quiet
	expect_rc 2
	expect_err "is older than msa.valid_days = 1e-05"
}

# chart_on_page PDF TITLE: the page whose text holds TITLE, rendered by
# poppler, has a chart's coloured ink below the simulation band (text and
# tables are grey; a page with only text has none).
chart_on_page() {
	local pdf=$1 title=$2 pages n
	pages=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
	for n in $(seq 1 "$pages"); do
		pdftotext -f "$n" -l "$n" -layout "$pdf" - | grep -qF -- "$title" || continue
		pdftoppm -r 40 -f "$n" -l "$n" "$pdf" >"$WORK/page.ppm"
		/usr/bin/python3 - "$WORK/page.ppm" <<'PY' && return 0
import sys
d = open(sys.argv[1], "rb").read()
# P6 header: magic, width, height, maxval, each followed by whitespace
parts, pos = [], 0
while len(parts) < 4:
    while d[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not d[end:end + 1].isspace():
        end += 1
    parts.append(d[pos:end])
    pos = end
pos += 1
w, h = int(parts[1]), int(parts[2])
band = 30  # rows of the orange simulation band at 40 dpi (above 54 pt)
ink = 0
for y in range(band, h):
    row = d[pos + 3 * w * y: pos + 3 * w * (y + 1)]
    for x in range(w):
        r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
        ink += max(r, g, b) - min(r, g, b) > 60
sys.exit(0 if ink > 150 else 1)
PY
	done
	return 1
}

# The study's tables and charts are in the signed report.pdf too, and its
# figures are R's.
test_msa_report_pdf_has_the_study() {
	msa_station good 0.003 0.004
	RIG_PDF_LAYOUT_LOG="$WORK/layout.tsv" rig_run msa grr --parts 5 --operators 2 --trials 2 \
		--shots 3 --fixture "$WORK/good.lua" --sim-unit "$WORK/steady.lua" --out "$WORK/run" \
		--json --alpha-interaction 0
	expect_rc 0
	# no text of the study's tables leaves its cell or the page
	tests/scenario/check-pdf-layout.py "$WORK/run/report.pdf" "$WORK/layout.tsv" >"$WORK/check" ||
		fail "layout: $(cat "$WORK/check")"
	pdftotext -layout "$WORK/run/report.pdf" "$WORK/pdf.txt" || fail "pdftotext failed"
	for what in 'Gauge R&R (ANOVA method) study: DEPTH-ACC' 'Two-way ANOVA with interaction' \
		'Variance components' 'Components of variation' 'X-bar by operator' \
		'R by operator' 'Part x operator interaction'; do
		grep -qF -- "$what" "$WORK/pdf.txt" || fail "report.pdf lacks $what"
	done
	for chart in 'Components of variation' 'X-bar by operator' 'R by operator' \
		'Part x operator interaction'; do
		chart_on_page "$WORK/run/report.pdf" "$chart" || fail "report.pdf: no chart drawn for $chart"
	done
	# report.html has the same section, charts and all
	grep -q '<h2 id="study">Gauge R&amp;R (ANOVA method) study: DEPTH-ACC</h2>' \
		"$WORK/run/report.html" || fail "report.html lacks the study"
	[ "$(grep -o 'alt="control chart"' "$WORK/run/report.html" | wc -l)" -eq 2 ] ||
		fail "report.html lacks the X-bar and R charts"
	# the ANOVA table's sums of squares as the PDF prints them (6 digits)
	# are R's, from the loadings in result.json
	jq -r '.msa.loadings[] | [.part, .operator, .value] | @csv' "$WORK/run/result.json" \
		>"$WORK/study.csv"
	cat >"$WORK/aov.R" <<'R'
d <- read.csv(commandArgs(TRUE)[1], header = FALSE, col.names = c("part", "oper", "y"))
d$part <- factor(d$part); d$oper <- factor(d$oper)
a <- summary(aov(y ~ part * oper, data = d))[[1]]
cat(sprintf("%.6g", a[["Sum Sq"]]), sep = "\n")
R
	Rscript --vanilla "$WORK/aov.R" "$WORK/study.csv" >"$WORK/r" || fail "R failed"
	[ "$(wc -l <"$WORK/r")" -eq 4 ] || fail "R: $(cat "$WORK/r")"
	names="Part Operator Part.×.Operator Repeatability"
	i=0
	for ss in $(cat "$WORK/r"); do
		i=$((i + 1)); name=$(echo "$names" | cut -d' ' -f$i | tr . ' ')
		grep -Eq "^ *$name +[0-9]+ +$ss " "$WORK/pdf.txt" ||
			fail "report.pdf's $name row lacks R's SS $ss: $(grep -E "^ *$name " "$WORK/pdf.txt")"
	done
	"$RIG" verify "$WORK/run" >"$WORK/verify" 2>&1 || fail "rig verify: $(cat "$WORK/verify")"
}

test_msa_type1_report_pdf_has_the_run_chart() {
	msa_station good 0.001 0.002
	rig_run msa type1 --reference 4.000 --trials 10 --shots 3 --fixture "$WORK/good.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/run" --quiet
	expect_rc 0
	pdftotext -layout "$WORK/run/report.pdf" "$WORK/pdf.txt"
	grep -qF 'Type 1 gauge study: DEPTH-ACC' "$WORK/pdf.txt" || fail "report.pdf lacks the study"
	chart_on_page "$WORK/run/report.pdf" 'Type 1 run chart' || fail "report.pdf: no run chart"
	# Cg by hand from the values in result.json, as report.pdf prints it
	cg=$(jq -r '.msa.loadings[].value' "$WORK/run/result.json" | awk '{ x[NR] = $1; s += $1 }
		END { m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m)^2
		      printf "%.3f", 0.2 * 0.6 / (6 * sqrt(v / (NR - 1))) }')
	grep -qF "Cg $cg" "$WORK/pdf.txt" || fail "report.pdf lacks Cg $cg: $(grep -F 'Cg ' "$WORK/pdf.txt")"
}

# result.json holds every raw value of the study: each loading (part,
# operator, trial) with every shot of its burst, as journaled.
test_msa_result_json_has_every_raw_value() {
	msa_station good 0.003 0.004
	rig_run msa grr --parts 3 --operators 2 --trials 2 --shots 4 --fixture "$WORK/good.lua" \
		--sim-unit "$WORK/steady.lua" --out "$WORK/run" --json
	r="$WORK/run/result.json"
	tests/validate-json docs/result.schema.json "$r" >"$WORK/schema" 2>&1 ||
		fail "result.json does not match its schema: $(cat "$WORK/schema")"
	jq -e '.msa | .study == "grr" and .parts == 3 and .operators == 2 and .trials == 2 and
		.missing == 0 and .quantity == "depth_mm" and (.loadings | length) == 12 and
		all(.loadings[]; (.shots | length) == 4)' "$r" >/dev/null ||
		fail "msa in result.json: $(jq -c '.msa | del(.loadings)' "$r")"
	# design order: part, then operator, then trial
	[ "$(jq -r '.msa.loadings[] | "\(.part)\(.operator)\(.trial)"' "$r" | tr '\n' ' ')" = \
		"111 112 121 122 211 212 221 222 311 312 321 322 " ] || fail "loadings not in design order"
	# each shot is the journal's judged value of its step, bit for bit, and
	# the loading's value is their mean
	jq -r 'select(.event == "measurement" and .requirement == "MSA-DEPTH-ACC") |
		[.step, (.judged.values | map(tostring) | join(" "))] | @tsv' \
		"$WORK/run/journal.jsonl" | sort >"$WORK/journal.tsv"
	jq -r '.msa.loadings[] | [.step, (.shots | map(tostring) | join(" "))] | @tsv' "$r" |
		sort >"$WORK/result.tsv"
	[ "$(wc -l <"$WORK/journal.tsv")" -eq 12 ] || fail "not 12 study measurements journaled"
	cmp -s "$WORK/journal.tsv" "$WORK/result.tsv" ||
		fail "shots differ from the journal: $(diff "$WORK/journal.tsv" "$WORK/result.tsv" | head -4)"
	jq -r '.msa.loadings[] | "\(.value) \(.shots | join(" "))"' "$r" | awk '{ s = 0
		for (i = 2; i <= NF; i++) s += $i; m = s / (NF - 1); d = m - $1
		if (d * d > 1e-24 * $1 * $1) { print; bad = 1 } } END { exit bad }' ||
		fail "a loading's value is not the mean of its shots"
	# the --json values the ANOVA ran on are the loadings', in the same order
	[ "$(jq -c '[.values[]]' "$WORK/out")" = "$(jq -c '[.msa.loadings[].value]' "$r")" ] ||
		fail "the analysed values are not result.json's"
	# a run that is no study has no msa
	one_step_script
	rig_run run "$WORK/one.lua" --out "$WORK/plain" --quiet
	jq -e 'has("msa") | not' "$WORK/plain/result.json" >/dev/null || fail "a plain run has msa"
	# the schema holds: a loading without its shots is refused
	jq 'del(.msa.loadings[0].shots)' "$r" >"$WORK/bad.json"
	! tests/validate-json docs/result.schema.json "$WORK/bad.json" >/dev/null 2>&1 ||
		fail "the schema takes a loading without shots"
}

# The certification report prints the budget of each quantity: JCGM 100
# H.1's published figures in report.html and report.pdf.
test_msa_budget_in_the_certification_pdf() {
	P=0.95 budget_fixture "$WORK/h95.lua"
	one_step_script
	RIG_PDF_LAYOUT_LOG="$WORK/layout.tsv" rig_run run "$WORK/one.lua" --fixture "$WORK/h95.lua" \
		--out "$WORK/run" --quiet
	tests/scenario/check-pdf-layout.py "$WORK/run/report.pdf" "$WORK/layout.tsv" >"$WORK/check" ||
		fail "layout: $(cat "$WORK/check")"
	pdftotext -layout "$WORK/run/report.pdf" "$WORK/pdf.txt" || fail "pdftotext failed"
	grep -qF 'Uncertainty budget: depth_mm' "$WORK/pdf.txt" || fail "report.pdf lacks the budget"
	# component, distribution, value, k, c_i, u(x_i), |c_i| u(x_i), nu_i (H.1.6's table:
	# u(l_s) 25 nm, u(d) 9.7 nm, u(delta alpha) c 2.9 nm, u(delta theta) c 16.6 nm)
	for row in 'standard, certificate +normal +75 +3 +1 +25 +25 +18' \
		'difference d +normal +9.7 +1 +1 +9.7 +9.7 +25.6' \
		'delta alpha +rectangular +1e-06 +5e\+06 +5.774e-07 +2.887 +50' \
		'delta theta +rectangular +0.05 +-575 +0.02887 +16.6 +2'; do
		grep -Eq "^ *$row *$" "$WORK/pdf.txt" ||
			fail "report.pdf lacks the budget row /$row/: $(grep -A7 'Uncertainty budget' "$WORK/pdf.txt")"
	done
	# u_c 31.67 nm (H.1.6: 32 nm), k = t_95(16) = 2.12, U = 67.14 nm (H.1.6: 67 nm at p = 95 %)
	grep -qE 'u_c = 31\.67, ν_eff = 16\.[0-9] .*k = 2\.120 .*U = k u_c = 67\.1[0-9]' "$WORK/pdf.txt" ||
		fail "report.pdf lacks u_c, k, U: $(grep 'u_c' "$WORK/pdf.txt")"
	grep -qE 'U = k u_c = 67\.1[0-9]' "$WORK/run/report.html" || fail "report.html lacks U"
	# the traceability chain and the decision rule name the budget's k, not 2
	grep -qE 'depth_mm: U = 67\.1 mm \(k = 2\.12\) &lt;- ' "$WORK/run/report.html" ||
		fail "report.html's chain lacks k = 2.12: $(grep -o 'depth_mm: U = [^&]*' "$WORK/run/report.html")"
	! grep -qE 'U \(k ?= ?2\)' "$WORK/pdf.txt" "$WORK/run/report.html" ||
		fail "a report still says U (k = 2): $(grep -hoE '.{40}U \(k ?= ?2\).{20}' "$WORK/pdf.txt" "$WORK/run/report.html")"
	# the record rebuilt from the journal carries the same budget
	"$RIG" verify "$WORK/run" >"$WORK/verify" 2>&1 || fail "rig verify: $(cat "$WORK/verify")"
}

# kill -9 in the middle of a run, then rig recover: the recovered run's
# result.json and reports carry the budget an uninterrupted run has.
test_msa_budget_survives_recover() {
	P=0.95 budget_fixture "$WORK/h95.lua"
	cat >"$WORK/slow.lua" <<'LUA'
for i = 1, 40 do
  rig.step("DEPTH-ACC", { depth_mm = 4, label = "4 mm #" .. i }, function(s)
    local shots = assert(rig.uut:burst(10))
    s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm",
                                           mean = { lo = 3, hi = 5 } })
  end)
end
LUA
	"$RIG" run "$WORK/slow.lua" --fixture "$WORK/h95.lua" --out "$WORK/whole" --quiet \
		>/dev/null 2>&1 || true
	"$RIG" run "$WORK/slow.lua" --fixture "$WORK/h95.lua" --out "$WORK/cut" --quiet --realtime \
		>/dev/null 2>&1 &
	pid=$!
	# killed once a step is journaled (--realtime: the sim bench takes a
	# burst's real time, so the run is still going)
	for _ in $(seq 1 400); do
		grep -q '"event":"step_end"' "$WORK/cut/journal.jsonl" 2>/dev/null && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	[ ! -e "$WORK/cut/result.json" ] || fail "the killed run got as far as its reports"
	"$RIG" recover "$WORK/cut" >"$WORK/recover" 2>&1 || fail "rig recover: $(cat "$WORK/recover")"
	grep -q 'ABORTED' "$WORK/recover" || fail "recover: $(cat "$WORK/recover")"
	# the fixture's quantities in name order in both (not in Lua's table
	# order, which differs from process to process)
	jq -S '.fixture.uncertainties' "$WORK/whole/result.json" >"$WORK/whole.u"
	jq -S '.fixture.uncertainties' "$WORK/cut/result.json" >"$WORK/cut.u"
	jq -e '[.[].quantity] == ([.[].quantity] | sort)' "$WORK/cut.u" >/dev/null ||
		fail "quantities not in name order: $(jq -c '[.[].quantity]' "$WORK/cut.u")"
	jq -e '.[] | select(.quantity == "depth_mm") | .budget.items | length == 5' "$WORK/cut.u" \
		>/dev/null || fail "the recovered result.json lacks the budget: $(cat "$WORK/cut.u")"
	cmp -s "$WORK/whole.u" "$WORK/cut.u" ||
		fail "budgets differ: $(diff "$WORK/whole.u" "$WORK/cut.u" | head -6)"
	for f in whole cut; do
		# (a page break may fall inside the table: its header and banner
		# lines are the page's, not the budget's)
		pdftotext -layout "$WORK/$f/report.pdf" - | sed -n '/^Uncertainty budget: depth_mm/,/u_c = /p' |
			grep -v -e '^ *$' -e ' page [0-9]* of [0-9]*$' -e 'SIMULATION: sim bench run' \
			>"$WORK/$f.pdf.txt"
	done
	[ "$(wc -l <"$WORK/cut.pdf.txt")" -ge 7 ] || fail "the recovered report.pdf lacks the budget"
	cmp -s "$WORK/whole.pdf.txt" "$WORK/cut.pdf.txt" ||
		fail "report.pdf budgets differ: $(diff "$WORK/whole.pdf.txt" "$WORK/cut.pdf.txt")"
	"$RIG" verify "$WORK/cut" >"$WORK/verify" 2>&1 || fail "rig verify: $(cat "$WORK/verify")"
}
