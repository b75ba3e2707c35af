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
	grep -Eq 'U = 0.01 mm \(k = 2\) <- displacement sensor .* <- certificate SIM-CAL-LVDT-0001 .*due 2099-12-31' \
		"$WORK/report.txt" || fail "PDF lacks the traceability chain"
	grep -q 'Overall verdict: PASS' "$WORK/r/report.html" || fail "HTML lacks the verdict"
	[ "$(grep -o 'data:image/svg+xml;base64' "$WORK/r/report.html" | wc -l)" -eq 37 ] ||
		fail "HTML should embed 37 plots (12 x histogram + run chart, 13 waveforms)"
	! grep -Eq '(src|href)="(https?:)?//' "$WORK/r/report.html" || fail "HTML loads something from the network"
	[ "$(grep -c '<testcase ' "$WORK/r/junit.xml")" -eq 39 ] || fail "junit.xml: 39 testcases expected"
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
	sed 's/ tests="39"/ tests="many"/' "$WORK/r/junit.xml" >"$WORK/bad.xml"
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
