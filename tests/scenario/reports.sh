# The run's reports: every artifact for PASS and FAIL runs, checked by real
# tools (JSON Schema validator, xmllint, pdftotext/pdftoppm, Chromium).

ARTIFACTS="result.json shots.csv junit.xml report.html report.pdf journal.jsonl MANIFEST MANIFEST.sig station.pub"

check_artifacts() { # DIR
	for a in $ARTIFACTS; do expect_file "$1/$a"; done
	tests/validate-json docs/result.schema.json "$1/result.json" || fail "result.json does not meet the schema"
	xmllint --noout --schema tests/junit.xsd "$1/junit.xml" 2>"$WORK/xmllint" ||
		fail "junit.xml does not meet tests/junit.xsd: $(cat "$WORK/xmllint")"
	pdftotext -layout "$1/report.pdf" "$WORK/report.txt" || fail "pdftotext cannot read report.pdf"
	grep -q "page 1 of " "$WORK/report.txt" || fail "report.pdf has no page numbers"
	grep -q "Approved by" "$WORK/report.txt" || fail "report.pdf has no signature block"
	pdftoppm -r 30 -f 1 -l 1 -png "$1/report.pdf" "$WORK/page" || fail "pdftoppm cannot render report.pdf"
	ls "$WORK"/page-*1.png >/dev/null 2>&1 || fail "pdftoppm rendered no page"
	"$RIG" verify "$1" >/dev/null || fail "$1 does not verify"
}

test_pass_run_writes_every_artifact() {
	rig_run run scripts/certify.lua --out "$WORK/r" --quiet
	expect_rc 0
	check_artifacts "$WORK/r"
	grep -q "Overall verdict: PASS" "$WORK/report.txt" || fail "PDF lacks the verdict"
	grep -q "SIM-CAL-LVDT-0001" "$WORK/report.txt" || fail "PDF lacks the certificate"
	grep -Eq 'U = 0.01 mm \(k = 2\) <- displacement sensor .* <- certificate SIM-CAL-LVDT-0001' \
		"$WORK/report.txt" || fail "PDF lacks the traceability chain"
	grep -Eq 'U = 0.01 mm \(k = 2\) &lt;- displacement sensor .* &lt;- certificate SIM-CAL-LVDT-0001 \(sim calibration lab\), calibrated 2026-01-15, due 2099-12-31' \
		"$WORK/r/report.html" || fail "HTML lacks the traceability chain with its dates"
	grep -q 'Overall verdict: PASS' "$WORK/r/report.html" || fail "HTML lacks the verdict"
	[ "$(grep -o 'data:image/svg+xml;base64' "$WORK/r/report.html" | wc -l)" -eq 37 ] ||
		fail "HTML should embed 37 plots (12 x histogram + run chart, 13 waveforms)"
	! grep -Eq '(src|href)="(https?:)?//' "$WORK/r/report.html" || fail "HTML loads something from the network"
	[ "$(grep -c '<testcase ' "$WORK/r/junit.xml")" -eq 40 ] || fail "junit.xml: 40 testcases expected (39 + coverage)"
	grep -q '<testcase classname="coverage" name="MI-350 rev A"' "$WORK/r/junit.xml" || fail "junit.xml lacks the coverage testcase"
	grep -q '<property name="uut.serial" value="SIM-0001"/>' "$WORK/r/junit.xml" || fail "junit.xml lacks uut.serial"
	! grep -q '<failure' "$WORK/r/junit.xml" || fail "PASS run with a JUnit failure"
}

test_fail_run_writes_every_artifact_with_the_failures() {
	rig_run run scripts/certify.lua --out "$WORK/r" --quiet --sim-unit fixtures/units/dose-low.lua
	expect_rc 1
	check_artifacts "$WORK/r"
	grep -q "Overall verdict: FAIL" "$WORK/report.txt" || fail "PDF lacks FAIL"
	[ "$(grep -c '<failure type="FAIL"' "$WORK/r/junit.xml")" -eq 5 ] || fail "5 JUnit failures expected"
	grep -q 'message="volume_ul FAIL: measured mean 8.999 ul, TI 8.57..9.427; limits mean 9.7..10.3, TI 9..11"' \
		"$WORK/r/junit.xml" || fail "JUnit failure lacks measured vs limits"
	grep -q 'mean 8.999 outside \[9.7, 10.3\]' "$WORK/r/report.html" || fail "HTML lacks the reason"
}

test_schema_and_xsd_reject_broken_reports() {
	rig_run run scripts/certify.lua --out "$WORK/r" --quiet
	sed 's/"verdict": "PASS"/"verdict": "MAYBE"/' "$WORK/r/result.json" >"$WORK/bad.json"
	! tests/validate-json docs/result.schema.json "$WORK/bad.json" >/dev/null || fail "schema accepts verdict MAYBE"
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); del d['steps'][0]['measurements'][0]['mean']; json.dump(d, open(sys.argv[2],'w'))" \
		"$WORK/r/result.json" "$WORK/bad2.json"
	! tests/validate-json docs/result.schema.json "$WORK/bad2.json" >/dev/null || fail "schema accepts a measurement without mean"
	# further statistics keys are allowed
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['steps'][0]['measurements'][0]['normality_p']=0.4; json.dump(d, open(sys.argv[2],'w'))" \
		"$WORK/r/result.json" "$WORK/more.json"
	tests/validate-json docs/result.schema.json "$WORK/more.json" || fail "schema forbids extra measurement keys"
	sed 's/ tests="40"/ tests="many"/' "$WORK/r/junit.xml" >"$WORK/bad.xml"
	! xmllint --noout --schema tests/junit.xsd "$WORK/bad.xml" 2>/dev/null || fail "XSD accepts tests=many"
}

test_html_report_renders_in_chromium() {
	local chromium=/usr/bin/chromium
	if [ ! -x "$chromium" ]; then
		echo "SKIPPED: chromium not installed (scripts/install-deps installs it)"
		return 0
	fi
	rig_run run scripts/certify.lua --out "$WORK/r" --quiet --sim-unit fixtures/units/dose-low.lua
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chromium" \
		--window-size=1000,1400 --screenshot="$WORK/shot.png" "file://$WORK/r/report.html" \
		>/dev/null 2>&1 || fail "chromium failed"
	expect_file "$WORK/shot.png"
	# a real page, not a blank one: a PNG of that size with many colours
	/usr/bin/python3 - "$WORK/shot.png" <<'PYEOF' || fail "screenshot is blank or not 1000x1400"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
w, h = struct.unpack('>II', data[16:24])
assert (w, h) == (1000, 1400), (w, h)
idat, pos = b'', 8
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    if kind == b'IDAT': idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw[i:i + 3] for i in range(0, len(raw) - 3, 997))) > 20
PYEOF
	# the printed view: Chromium's own PDF of the page has the verdict and the tables
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chromium" \
		--print-to-pdf="$WORK/print.pdf" --no-pdf-header-footer "file://$WORK/r/report.html" >/dev/null 2>&1 ||
		fail "chromium cannot print the report"
	pdftotext "$WORK/print.pdf" - | grep -q "Overall verdict: FAIL" || fail "printed HTML lacks the verdict"
	pdftotext "$WORK/print.pdf" - | grep -q "SIM-CAL-PLG-0001" || fail "printed HTML lacks the certificates"
}

# A step that fails after rig's every-burst checks judged other requirements:
# its own requirement still carries the error in JUnit, so CI sees it.
test_step_error_after_other_judgements_is_a_junit_error() {
	cat >"$WORK/t.lua" <<'LUA'
rig.every_burst { shot_count = { requirement = "SHOT-COUNT" } }
rig.step("DEPTH-ACC", { depth_mm = 4 }, function(s)
  assert(rig.uut:burst(10))
  error("fixture slipped")
end)
LUA
	rig_run run "$WORK/t.lua" --out "$WORK/r" --quiet
	expect_rc 2
	xmllint --noout --schema tests/junit.xsd "$WORK/r/junit.xml" || fail "junit.xml breaks the XSD"
	grep -q '<testcase classname="SHOT-COUNT" name="DEPTH-ACC@4mm' "$WORK/r/junit.xml" ||
		fail "the SHOT-COUNT judgement is missing"
	sed -n '/<testcase classname="DEPTH-ACC"/,/<\/testcase>/p' "$WORK/r/junit.xml" |
		grep -q '<error type="ERROR" message=".*fixture slipped' ||
		fail "DEPTH-ACC has no error: $(cat "$WORK/r/junit.xml")"
	grep -q 'errors="1"' "$WORK/r/junit.xml" || fail "the suite counts no error"
}

test_recovered_run_reports_say_aborted() {
	"$RIG" run scripts/certify.lua --out "$WORK/r" --quiet >/dev/null 2>&1 &
	local pid=$!
	until [ "$(cat "$WORK/r/journal.jsonl" 2>/dev/null | grep -c '"event":"measurement"')" -ge 8 ]; do
		sleep 0.01
	done
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	rig_run recover "$WORK/r"
	expect_rc 0
	expect_out "recovered .* ABORTED, [0-9]+ steps, ([89]|[1-9][0-9]) measurements kept"
	check_artifacts "$WORK/r"
	grep -q "Overall verdict: ABORTED" "$WORK/report.txt" || fail "PDF does not say ABORTED"
	grep -q "Overall verdict: ABORTED" "$WORK/r/report.html" || fail "HTML does not say ABORTED"
	grep -q '<error type="ABORTED"' "$WORK/r/junit.xml" || fail "JUnit has no ABORTED error"
}

# A procedure that loads the spec but runs short: every judgement passes, the
# verdict is INCOMPLETE (exit 1) and every report says which settings are
# missing or short, with the run options, prompts and notes as deviations.
test_run_short_of_its_spec_is_incomplete() {
	mkdir -p "$WORK/p/specs" "$WORK/p/steps"
	cp scripts/specs/mi350.lua "$WORK/p/specs/"; cp scripts/steps/mi350.lua "$WORK/p/steps/"
	cat >"$WORK/p/short.lua" <<'LUA'
local spec = require "specs.mi350"
local steps = require "steps.mi350"
rig.every_burst { shot_count = spec.shot_count, safe_depth = spec.safe_depth }
local n = tonumber(rig.params.shots)
for _, d in ipairs(spec.settings.depth_mm) do steps.depth(d, n) end
steps.grav(spec.settings.grav_dose_ul, n)
rig.log("vessel replaced after a drop")
LUA
	rig_run run "$WORK/p/short.lua" --param shots=10 --param doses=25 --out "$WORK/r" --quiet
	expect_rc 1
	expect_out '^INCOMPLETE  \(5 steps: 5 pass'
	expect_out '^INCOMPLETE: DOSE-ACC at dose_ul = 10 skipped \(spec MI-350 requires it\)$'
	expect_out '^INCOMPLETE: DEPTH-ACC at depth_mm = 1.5: 10 shots, spec MI-350 requires 60$'
	check_artifacts "$WORK/r"
	r="$WORK/r/result.json"
	[ "$(jq -r .verdict "$r")" = INCOMPLETE ] || fail "result.json verdict"
	# 4 depths short, 4 doses and 4 rates missing, DOSE-GRAV short; the every-burst checks covered
	[ "$(jq -r '[.coverage[] | .status] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$r")" = \
		"MISSING=8 SHORT=5 covered=2" ] || fail "coverage: $(jq -c '[.coverage[] | .status]' "$r")"
	[ "$(jq -r '.coverage[] | select(.requirement == "DOSE-GRAV") | [.shots_required, .shots_measured] | @tsv' "$r")" = \
		"$(printf '60\t10')" ] || fail "DOSE-GRAV coverage numbers"
	[ "$(jq -r '[.deviations[] | select(.kind != "coverage") | "\(.kind): \(.text)"] | join("|")' "$r")" = \
		'run option: --param shots=10|run option: --param doses=25|prompt: "Place the weighing vessel under the needle and close the draught shield" answered automatic (batch)|operator note: vessel replaced after a drop' ] ||
		fail "deviations: $(jq -c .deviations "$r")"
	grep -q '<failure type="INCOMPLETE" message="13 requirement settings of spec MI-350 not covered"' "$WORK/r/junit.xml" ||
		fail "junit.xml lacks the INCOMPLETE failure"
	grep -q 'Overall verdict: INCOMPLETE' "$WORK/r/report.html" || fail "HTML verdict"
	grep -q 'Overall verdict: INCOMPLETE' "$WORK/report.txt" || fail "PDF verdict"
	grep -q 'vessel replaced after a drop' "$WORK/report.txt" || fail "PDF lacks the operator note"
	grep -Eq 'RATE-ACC +rate_per_min = 350 +60 +0 +MISSING' "$WORK/report.txt" || fail "PDF coverage table"
	grep -q '<td>--param doses=25</td>' "$WORK/r/report.html" || fail "HTML lacks the --param deviation"
}

# The spec names the models it applies to: an MI-200 run through the MI-350
# procedure stops before its first shot, naming both.
test_unit_of_another_model_stops_before_the_first_shot() {
	sed 's/model = "MI-350"/model = "MI-200"/' fixtures/units/nominal.lua >"$WORK/mi200.lua"
	rig_run run scripts/certify.lua --sim-unit "$WORK/mi200.lua" --out "$WORK/r" --quiet
	expect_rc 2
	expect_err '^rig: scripts/certify.lua:3: spec MI-350 rev A \(.*specs/mi350.lua\) applies to MI-350, but the unit under test is a MI-200 \(serial SIM-0001\): wrong procedure for this unit$'
	! grep -q '"event":"burst"' "$WORK/r/journal.jsonl" || fail "a shot was fired"
	[ ! -d "$WORK/r/captures" ] || [ -z "$(ls "$WORK/r/captures")" ] || fail "captures were written"
	tests/validate-json docs/result.schema.json "$WORK/r/result.json" || fail "result.json schema"
}

# A spec declaration that is wrong is refused with the spec's path.
test_malformed_spec_declaration_is_refused() {
	mkdir -p "$WORK/p/specs"
	sed 's/setting = "dose_ul", at = spec.settings.dose_ul/setting = "volume", at = spec.settings.dose_ul/' \
		scripts/specs/mi350.lua >"$WORK/p/specs/mi350.lua"
	printf 'local spec = require "specs.mi350"\n' >"$WORK/p/t.lua"
	rig_run run "$WORK/p/t.lua" --out "$WORK/r" --quiet
	expect_rc 2
	expect_err 'specs/mi350.lua: spec requirements\[2\] \(DOSE-ACC\): unknown setting "volume"'
}

# Every text box of report.pdf inside its cell (Pango's measurement, logged
# by rig) and, from the PDF itself (pdftotext -bbox), no two words overlap.
test_pdf_text_stays_in_its_cells() {
	RIG_PDF_LAYOUT_LOG="$WORK/layout.tsv" rig_run run scripts/certify.lua --out "$WORK/r" --quiet \
		--sim-unit fixtures/units/dose-low.lua
	expect_rc 1
	tests/scenario/check-pdf-layout.py "$WORK/r/report.pdf" "$WORK/layout.tsv" >"$WORK/check" ||
		fail "layout: $(cat "$WORK/check")"
	# the check can fail: a box drawn wider than its cell is caught
	awk -F'\t' 'BEGIN { OFS = "\t" } NR == 5 { $4 = 3 } { print }' "$WORK/layout.tsv" >"$WORK/bad.tsv"
	! tests/scenario/check-pdf-layout.py "$WORK/r/report.pdf" "$WORK/bad.tsv" >/dev/null ||
		fail "the layout check passes a box wider than its cell"
	# every page rendered, every page marked SIMULATION
	pages=$(pdfinfo "$WORK/r/report.pdf" | awk '/^Pages:/ { print $2 }')
	pdftoppm -r 40 -png "$WORK/r/report.pdf" "$WORK/pg" || fail "pdftoppm"
	[ "$(ls "$WORK"/pg-*.png | wc -l)" -eq "$pages" ] || fail "not every page rendered"
	for i in $(seq 1 "$pages"); do
		pdftotext -f "$i" -l "$i" "$WORK/r/report.pdf" - | grep -q '^SIMULATION: sim bench run' ||
			fail "page $i lacks the SIMULATION banner"
	done
	pdftotext -l 1 "$WORK/r/report.pdf" - | grep -q '^Requirement summary' || fail "page 1 lacks the requirement summary"
	pdftotext -l 1 "$WORK/r/report.pdf" - | grep -q '^Decision rule' || fail "page 1 lacks the decision rule"
	r="$WORK/r/result.json"
	[ "$(jq -r '.simulation' "$r")" = true ] || fail "result.json: simulation"
	grep -q '<property name="run.simulation" value="true"/>' "$WORK/r/junit.xml" || fail "junit: run.simulation"
	grep -q '<testsuite name="SIMULATION MI-350 SIM-BAD-DOSE"' "$WORK/r/junit.xml" || fail "junit suite name"
	# the worst margin of DOSE-ACC: the 50 ul mean's distance below its limit 48.5 ul
	[ "$(jq -r '.requirements[] | select(.id == "DOSE-ACC") | [.verdict, .worst_at] | @tsv' "$r")" = \
		"$(printf 'FAIL\tDOSE-ACC@50ul')" ] || fail "DOSE-ACC worst margin: $(jq -c .requirements "$r")"
	jq -e '(.requirements[] | select(.id == "DOSE-ACC") | .worst_margin) as $w |
	       (.steps[] | select(.id == "DOSE-ACC@50ul") | .measurements[] | select(.name == "volume_ul") | .mean - .mean_lo) as $d |
	       ($w - $d | fabs) < 1e-9' "$r" >/dev/null || fail "worst margin is not mean - mean_lo"
}

# Traceability: the interval's timebase certificate, calibration dates, the
# station key, and DOSE-GRAV's conversion with ISO 8655-6's Z.
test_traceability_and_gravimetric_details() {
	rig_run run scripts/certify.lua --out "$WORK/r" --quiet
	expect_rc 0
	r="$WORK/r/result.json"
	h="$WORK/r/report.html"
	grep -q 'interval_ms: U = 0.05 ms (k = 2) &lt;- DAQ sample clock sim DAQ sample clock, 20 MHz TCXO &lt;- certificate SIM-CAL-CLK-0001 (sim calibration lab), calibrated 2026-01-15' "$h" ||
		fail "RATE-ACC chain does not end at the timebase certificate"
	key=$(sed -n 2p "$WORK/r/station.pub" | base64 -d | od -An -tx1 -j2 -N8 | tr -d ' \n')
	[ "$(jq -r .station_key "$r")" = "$key" ] || fail "result.json station_key is not station.pub's key number"
	grep -q "Ed25519 key ID $key signs MANIFEST" "$h" || fail "HTML lacks the station key ID"
	# Z at 21.5 degC, 101.3 kPa (ISO 8655-6 Table A.1: 1.0032 at 21.5 degC, 101 kPa)
	jq -e '.steps[] | select(.requirement == "DOSE-GRAV") | .gravimetric |
	       (.z_ul_per_mg - 1.0032 | fabs) < 0.0001' "$r" >/dev/null || fail "Z factor"
	jq -e '.steps[] | select(.requirement == "DOSE-GRAV") |
	       (.gravimetric | ((.grams * 1000 + .evaporation_mg) * .z_ul_per_mg)) as $v |
	       ([.measurements[] | select(.name == "burst_volume_ul") | .mean][0]) as $m |
	       (($v - $m) | fabs) < 1e-6 and (.balance_readings_g == [.gravimetric.grams])' "$r" >/dev/null ||
		fail "the gravimetric volume is not (reading + evaporation) x Z"
	grep -q 'declared in the fixture, not measured during the run' "$h" || fail "environment not marked declared"
	# a fixture without a timebase: the interval chain is flagged
	sed '/-- The DAQ.s sample clock/,/^  },$/d' fixtures/sim-bench.lua >"$WORK/notb.lua"
	! grep -q timebase "$WORK/notb.lua" || fail "test fixture still has a timebase"
	rig_run run scripts/certify.lua --fixture "$WORK/notb.lua" --out "$WORK/r2" --quiet
	grep -q 'interval_ms: U = 0.05 ms (k = 2) &lt;- DAQ sample clock &lt;- NOT TRACEABLE: no calibration certificate in the chain' \
		"$WORK/r2/report.html" || fail "a chain without certificate is not flagged"
	grep -q '<td>NONE: times not traceable</td>' "$WORK/r2/report.html" || fail "instrument table does not flag the timebase"
}
