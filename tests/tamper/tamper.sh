# The tamper matrix (issue 16): every forgery an auditor tried must fail
# rig verify with the station's key trusted (exit 1, the reason named), and
# a forgery that brings its own key must never exit 0. Each test forges
# with tools outside rig (python3, sha256sum, signify-openbsd), from the
# formats docs/reports.md documents.
PY=/usr/bin/python3
SIGNIFY=signify-openbsd
STATION_SEC=$RIG_KEY
STATION_PUB=${RIG_KEY%.sec}.pub

# small_run DIR [ARGS...]: a finished, signed two-step run.
small_run() {
	local dir=$1; shift
	"$RIG" run tests/tamper/scripts/small.lua --out "$dir" --quiet "$@" >"$WORK/run.out" 2>"$WORK/run.err" || true
	[ -f "$dir/MANIFEST.sig" ] || { cat "$WORK/run.err"; fail "run in $dir left no MANIFEST.sig"; }
}
fail_run() { small_run "$1" --sim-unit fixtures/units/dose-low.lua; }

# person KEY NAME ROLE: a personal key $WORK/KEY.sec, trusted as NAME in ROLE.
person() {
	"$RIG" keygen --person "$2" --out "$WORK/$1.sec" >/dev/null || fail "keygen $1"
	"$RIG" trust add "$WORK/$1.pub" --name "$2" --role "$3" >/dev/null || fail "trust add $1"
}
# An untrusted key, made by signify itself.
evil_key() { [ -f "$WORK/evil.sec" ] || $SIGNIFY -G -n -p "$WORK/evil.pub" -s "$WORK/evil.sec"; }

# keyid PUB: the key ID from a public key file, as docs/reports.md defines it.
keyid() { tail -n 1 "$1" | base64 -d | tail -c 32 | sha256sum | cut -c1-16; }
sha() { sha256sum <"$1" | cut -c1-64; }

# rejournal DIR PYTHON: apply PYTHON to each event e (a dict) of the
# journal, then recompute the hash chain as a forger would.
rejournal() {
	EDIT=$2 $PY - "$1/journal.jsonl" <<'PYEOF'
import hashlib, json, os, sys
path = sys.argv[1]
out, prev = [], "0" * 64
for raw in open(path, "rb").read().split(b"\n")[:-1]:
    e = json.loads(raw)
    exec(os.environ["EDIT"])
    e["prev"] = prev
    line = json.dumps(e, separators=(",", ":")).encode()
    prev = hashlib.sha256(line).hexdigest()
    out.append(line)
open(path, "wb").write(b"\n".join(out) + b"\n")
PYEOF
}

# remanifest DIR: MANIFEST rebuilt from the files, sha256sum's format.
remanifest() {
	(cd "$1" && find . -type f ! -name MANIFEST ! -name MANIFEST.sig ! -name station.pub \
		! -path './signatures/*' | sed 's|^\./||' | LC_ALL=C sort |
		while IFS= read -r f; do sha256sum "$f"; done >MANIFEST)
}

# resign DIR SEC PUB: sign MANIFEST with signify and present PUB as station.pub.
resign() {
	$SIGNIFY -S -s "$2" -m "$1/MANIFEST" -x "$1/MANIFEST.sig"
	sed -i '1s/.*/untrusted comment: verify with station.pub/' "$1/MANIFEST.sig"
	{ echo "untrusted comment: rig station public key"; tail -n 1 "$3"; } >"$1/station.pub"
}

# forge_record DIR N NAME KEYID MEANING SEC: a signature record written by
# hand from the documented format and signed with signify.
forge_record() {
	local d=$1 n=$2 prev run
	mkdir -p "$d/signatures"
	if [ "$n" -eq 1 ]; then prev=$(sha "$d/MANIFEST"); else prev=$(sha "$d/signatures/$((n - 1)).txt"); fi
	[ -f "$d/signatures/page.html" ] || echo forged >"$d/signatures/page.html"
	[ -f "$d/signatures/page.pdf" ] || echo forged >"$d/signatures/page.pdf"
	run=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["run_id"])' "$d/journal.jsonl")
	printf 'rig-esignature/2\nrun: %s\nrecord: %s\nname: %s\nkey-id: %s\nmeaning: %s\ntime: %s\nmanifest-sha256: %s\nprevious-sha256: %s\npage-html-sha256: %s\npage-pdf-sha256: %s\n' \
		"$run" "$n" "$3" "$4" "$5" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(sha "$d/MANIFEST")" \
		"$prev" "$(sha "$d/signatures/page.html")" "$(sha "$d/signatures/page.pdf")" >"$d/signatures/$n.txt"
	$SIGNIFY -S -s "$6" -m "$d/signatures/$n.txt" -x "$d/signatures/$n.txt.sig"
}

# rejected DIR PATTERN [--key PUB]: verify must exit 1 naming PATTERN.
rejected() {
	local d=$1 pattern=$2; shift 2
	rig_run verify "$d" "$@"
	[ "$RC" -eq 1 ] || fail "verify $d $*: exit $RC, expected 1 (pattern /$pattern/)"
	expect_err "$pattern"
}

test_sanity_an_untouched_run_verifies() {
	small_run "$WORK/r"
	rig_run verify "$WORK/r" --deep
	expect_rc 0
	expect_out "^INTACT"
	expect_out "ok +2 measurements judged again"
	expect_out "ok +result.json, junit.xml, shots.csv are what the journal gives"
	expect_out "ok +2 captures measured again: every shot and its signal quality as journaled, bit for bit"
	expect_out "ok +the results store's row agrees"
}

test_forged_manifest_signed_with_the_forgers_key() {
	small_run "$WORK/r"
	evil_key
	sed -i 's/"verdict": *"PASS"/"verdict":"FAIL"/' "$WORK/r/result.json"
	remanifest "$WORK/r"
	resign "$WORK/r" "$WORK/evil.sec" "$WORK/evil.pub"
	rejected "$WORK/r" "not authenticated: signer $(keyid "$WORK/evil.pub") is not trusted"
	rejected "$WORK/r" "MANIFEST.sig: signed by another key than the pinned" --key "$STATION_PUB"
}

test_unsigned_run_without_trust_is_not_authenticated() {
	small_run "$WORK/r"
	"$RIG" trust remove "$STATION_PUB" >/dev/null
	rejected "$WORK/r" "not authenticated: signer $(keyid "$STATION_PUB") is not trusted"
	rig_run verify "$WORK/r" --key "$STATION_PUB" # the one-off pin
	expect_rc 0
}

test_edited_verdicts_recovered_with_the_forgers_key() {
	fail_run "$WORK/r"
	evil_key
	rejournal "$WORK/r" 'e.get("verdict") == "FAIL" and e.update(verdict="PASS", reason="")'
	rm -f "$WORK/r/MANIFEST.sig"
	RIG_KEY=$WORK/evil.sec rig_run recover "$WORK/r"
	expect_rc 0
	expect_out "judging its values again gives .*FAIL.*the record keeps what rig judges"
	grep -q '"verdict": *"FAIL"' "$WORK/r/result.json" || fail "recover copied the forged verdict"
	rejected "$WORK/r" "not authenticated: signer $(keyid "$WORK/evil.pub") is not trusted"
}

test_edited_verdicts_resigned_with_the_station_key() {
	fail_run "$WORK/r"
	rejournal "$WORK/r" 'e.get("verdict") == "FAIL" and e.update(verdict="PASS", reason="")'
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "journal.jsonl:[0-9]+: DOSE-ACC@4mm-10ul volume_ul: the journal says verdict \"PASS\", judging its values again gives \"FAIL\""
	expect_out "run_end says PASS, but its steps give FAIL"
}

test_edited_mean_in_the_journal() {
	fail_run "$WORK/r"
	rejournal "$WORK/r" 'e.get("event") == "measurement" and e["name"] == "volume_ul" and e.update(mean=10.0)'
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "the journal says mean 10.0, judging its values again gives 8\.9"
}

# result.json, junit.xml, shots.csv and the store's row: each must agree
# with the journal, whoever re-signed the manifest.
test_result_json_says_pass_where_the_journal_says_fail() {
	fail_run "$WORK/r"
	$PY - "$WORK/r/result.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["verdict"] = "PASS"
json.dump(r, open(sys.argv[1], "w"), indent=2)
PYEOF
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "result.json: not what the journal gives"
}

test_junit_failure_removed() {
	fail_run "$WORK/r"
	sed -i '/<failure/d;/<\/failure>/d' "$WORK/r/junit.xml"
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "junit.xml: not what the journal gives"
}

test_shots_csv_value_changed() {
	small_run "$WORK/r"
	sed -i '3s/,[0-9.]*,\([0-9.]*\),/,4.000000,\1,/' "$WORK/r/shots.csv"
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "shots.csv: not what the journal gives"
}

# A gauge study's raw values in result.json (docs/msa.md): one shot of one
# loading changed in its last digit, the manifest re-signed.
test_msa_study_shot_changed() {
	"$RIG" msa grr --parts 2 --operators 2 --trials 2 --shots 2 --out "$WORK/r" --quiet \
		>/dev/null 2>&1 || true
	[ -f "$WORK/r/MANIFEST.sig" ] || fail "the study left no MANIFEST.sig"
	rig_run verify "$WORK/r"
	expect_rc 0
	# only that digit changes: the rest of the file stays rig's bytes
	$PY - "$WORK/r/result.json" <<'PYEOF'
import json, re, sys
path = sys.argv[1]
text = open(path).read()
at = text.index('"loadings"')
for _ in range(6):
    at = text.index('"shots"', at + 1)
m = list(re.finditer(r"-?[0-9]+[.][0-9]{8}", text[at:]))[1]
end = at + m.end() - 1  # the 8th decimal: a change of about 1e-8 mm
digit = str((int(text[end]) + 1) % 10)
changed = text[:end] + digit + text[end + 1:]
before = json.loads(text)["msa"]["loadings"][5]["shots"][1]
after = json.loads(changed)["msa"]["loadings"][5]["shots"][1]
assert before != after, (before, after)
open(path, "w").write(changed)
PYEOF
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "result.json: not what the journal gives"
}

# The signal quality (issue 14) is re-derived like every number: a forger
# who makes a noisy or clipped capture look clean is named.
test_result_json_signal_quality_made_clean() {
	small_run "$WORK/r"
	$PY - "$WORK/r/result.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
sig = r["steps"][0]["captures"][0]["signal"]
assert sig is not None and sig["noise_mm"] >= 0, sig
sig["noise_mm"] /= 2
sig["clipped_samples"] = 0
json.dump(r, open(sys.argv[1], "w"), indent=1)
PYEOF
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "result.json: not what the journal gives"
}

test_shots_csv_flag_and_uncertainty_removed() {
	small_run "$WORK/r"
	$PY - "$WORK/r/shots.csv" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][6:] == ["u_depth_mm", "u_volume_ul", "flags"], rows[0]
assert float(rows[2][6]) > 0, rows[2]
rows[2][6] = "0.000000"
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
PYEOF
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "shots.csv: not what the journal gives"
}

test_store_row_says_pass() {
	fail_run "$WORK/r"
	$PY - "$XDG_DATA_HOME/rig/results.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE run SET verdict = 'PASS'")
db.commit()
PYEOF
	rejected "$WORK/r" "results store .*: run .* is PASS there, FAIL here"
}

test_capture_changed_and_manifest_resigned() {
	small_run "$WORK/r"
	local cap
	cap=$(ls "$WORK/r"/captures/*.rcap | head -1)
	printf 'x' | dd of="$cap" bs=1 seek=5000 conv=notrunc 2>/dev/null
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rejected "$WORK/r" "captures/.*\.rcap: SHA-256 differs from the one the journal recorded"
}

# An insider changes a capture and its journaled hash: only measuring it
# again shows it (--deep).
test_capture_and_its_journaled_hash_changed_needs_deep() {
	small_run "$WORK/r"
	local cap name old
	cap=$(ls "$WORK/r"/captures/*.rcap | head -1)
	name=captures/$(basename "$cap")
	old=$(sha "$cap")
	$PY - "$cap" <<'PYEOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(len(b) // 2, len(b) - 64, 7):
    b[i] ^= 0x40
open(sys.argv[1], "wb").write(b)
PYEOF
	rejournal "$WORK/r" "e.get('event') == 'burst' and e['capture']['file'] == '$name' and e['capture'].update(sha256='$(sha "$cap")')"
	sed -i "s/$old/$(sha "$cap")/" "$WORK/r/result.json" # result.json lists it too
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rig_run verify "$WORK/r"
	expect_rc 0 # every hash agrees: what bytes alone can show
	rejected "$WORK/r" "$name: (measured again, its shots differ|cannot be measured again)" --deep
}

# The shot record's points (docs/design.md "What a shot is") are what the
# report's waveform figure draws: a baseline moved in the journal is found
# by measuring the capture again (--deep), in its last bit.
test_journaled_baseline_moved_needs_deep() {
	small_run "$WORK/r"
	rejournal "$WORK/r" '
if e.get("event") == "burst" and e["burst"] == 1:
    import struct
    b = e["baseline_mm"][2]
    e["baseline_mm"][2] = struct.unpack("<d", struct.pack("<q", struct.unpack("<q", struct.pack("<d", b))[0] + 1))[0]
    assert e["baseline_mm"][2] != b
'
	remanifest "$WORK/r"
	resign "$WORK/r" "$STATION_SEC" "$STATION_PUB"
	rig_run verify "$WORK/r"
	expect_rc 0 # the baseline is in no artifact but the journal and the figure
	rejected "$WORK/r" "captures/.*-1\.rcap: measured again, its shots differ from the journal's" --deep
}

test_recover_refuses_a_changed_capture() {
	small_run "$WORK/r"
	rm "$WORK/r/MANIFEST.sig" # as a crash before signing leaves it
	local cap
	cap=$(ls "$WORK/r"/captures/*.rcap | tail -1)
	printf 'x' | dd of="$cap" bs=1 seek=4000 conv=notrunc 2>/dev/null
	rig_run recover "$WORK/r"
	expect_rc 2
	expect_err "captures/.*: SHA-256 differs from the one the journal recorded .*not signing"
	[ ! -f "$WORK/r/MANIFEST.sig" ] || fail "recover signed a changed capture"
}

test_names_the_manifest_does_not_list() {
	small_run "$WORK/r"
	local n
	for n in MANIFEST.old station.pub.bak SIGNATURES SIGNATURES.1 MANIFEST.sig.part; do
		echo x >"$WORK/r/$n"
		rejected "$WORK/r" "$n: not in MANIFEST"
		rm "$WORK/r/$n"
	done
	mkdir "$WORK/r/empty"
	rejected "$WORK/r" "empty/: directory not in MANIFEST"
	rmdir "$WORK/r/empty"
	mkdir "$WORK/r/captures/more"
	rejected "$WORK/r" "captures/more/: directory not in MANIFEST"
	rmdir "$WORK/r/captures/more"
	echo x >"$WORK/r/signatures"
	rejected "$WORK/r" "signatures: not a directory"
	rm -f "$WORK/r/signatures"
	rig_run verify "$WORK/r"
	expect_rc 0
}

test_station_pub_replaced_under_a_pinned_key() {
	small_run "$WORK/r"
	evil_key
	{ echo "untrusted comment: rig station public key"; tail -n 1 "$WORK/evil.pub"; } >"$WORK/r/station.pub"
	rejected "$WORK/r" "station.pub: is not the key that signed MANIFEST" --key "$STATION_PUB"
	rejected "$WORK/r" "station.pub: is not the key that signed MANIFEST"
}

test_station_key_cannot_sign_as_a_person() {
	small_run "$WORK/r"
	rig_run sign "$WORK/r" --meaning approved --operator "R. Auditor" --key "$STATION_SEC"
	expect_rc 1
	expect_err "is a station key: a person signs with a personal key"
	forge_record "$WORK/r" 1 "R. Auditor" "$(keyid "$STATION_PUB")" approved "$STATION_SEC"
	rejected "$WORK/r" "signatures/1.txt: not authenticated: signer $(keyid "$STATION_PUB") is trusted as \"TEST-STATION\", not as \"R. Auditor\""
}

test_record_with_a_registered_key_id_but_another_key() {
	small_run "$WORK/r"
	person dana "Dana QA" approver
	evil_key
	forge_record "$WORK/r" 1 "Dana QA" "$(keyid "$WORK/dana.pub")" approved "$WORK/evil.sec"
	rejected "$WORK/r" "signatures/1.txt: signed by key [0-9a-f]+, not by key $(keyid "$WORK/dana.pub")"
}

test_untrusted_person() {
	small_run "$WORK/r"
	"$RIG" keygen --person "Mallory" --out "$WORK/m.sec" >/dev/null
	rig_run sign "$WORK/r" --meaning approved --operator "Mallory" --key "$WORK/m.sec"
	expect_rc 1
	expect_err "not bound to \"Mallory\" in the trust store"
	forge_record "$WORK/r" 1 "Mallory" "$(keyid "$WORK/m.pub")" approved "$WORK/m.sec"
	rejected "$WORK/r" "signatures/1.txt: not authenticated: signer $(keyid "$WORK/m.pub") is not trusted"
}

test_key_bound_to_another_name_or_role() {
	small_run "$WORK/r"
	person sam "Sam Review" reviewer
	rig_run sign "$WORK/r" --meaning approved --operator "Sam Review" --key "$WORK/sam.sec"
	expect_rc 1
	expect_err "Sam Review is trusted as reviewer, which does not sign \"approved\""
	rig_run sign "$WORK/r" --meaning reviewed --operator "Dana QA" --key "$WORK/sam.sec"
	expect_rc 1
	expect_err "not bound to \"Dana QA\""
	forge_record "$WORK/r" 1 "Sam Review" "$(keyid "$WORK/sam.pub")" approved "$WORK/sam.sec"
	rejected "$WORK/r" "Sam Review \(key [0-9a-f]+\) is trusted as reviewer, not to sign \"approved\""
}

test_fail_run_cannot_be_approved() {
	fail_run "$WORK/r"
	person dana "Dana QA" approver
	rig_run sign "$WORK/r" --meaning approved --operator "Dana QA" --key "$WORK/dana.sec"
	expect_rc 1
	expect_err "verdict is FAIL: only a PASS can be approved"
	forge_record "$WORK/r" 1 "Dana QA" "$(keyid "$WORK/dana.pub")" approved "$WORK/dana.sec"
	rejected "$WORK/r" "signatures/1.txt: approves a run whose verdict is FAIL"
	rm -r "$WORK/r/signatures"
	rig_run sign "$WORK/r" --meaning rejected --operator "Dana QA" --key "$WORK/dana.sec"
	expect_rc 0
	rig_run verify "$WORK/r"
	expect_rc 0
}

test_same_signer_and_meaning_twice() {
	small_run "$WORK/r"
	person dana "Dana QA" approver
	rig_run sign "$WORK/r" --meaning approved --operator "Dana QA" --key "$WORK/dana.sec"
	expect_rc 0
	rig_run sign "$WORK/r" --meaning approved --operator "Dana QA" --key "$WORK/dana.sec"
	expect_rc 1
	expect_err "Dana QA already signed this run \"approved\""
	cp -r "$WORK/r/signatures" "$WORK/sigs"
	# forged by Dana's own key, so the signature itself is good
	forge_record "$WORK/r" 2 "Dana QA" "$(keyid "$WORK/dana.pub")" approved "$WORK/dana.sec"
	rejected "$WORK/r" "signatures/2.txt: Dana QA signed \"approved\" already in record 1"
}

# two signatures, by Dana (approver) and Sam (reviewer)
two_signatures() {
	small_run "$WORK/r"
	person dana "Dana QA" approver
	person sam "Sam Review" reviewer
	"$RIG" sign "$WORK/r" --meaning reviewed --operator "Sam Review" --key "$WORK/sam.sec" >/dev/null
	cp -r "$WORK/r" "$WORK/one-signature"
	"$RIG" sign "$WORK/r" --meaning approved --operator "Dana QA" --key "$WORK/dana.sec" >/dev/null
	rig_run verify "$WORK/r"
	expect_rc 0
}

test_signatures_deleted() {
	two_signatures
	rm -r "$WORK/r/signatures"
	rejected "$WORK/r" "signatures: 0 records, but the results store .* keeps a chain of 2"
}

test_last_signature_dropped() {
	two_signatures
	rm "$WORK/r/signatures/2.txt" "$WORK/r/signatures/2.txt.sig"
	rejected "$WORK/r" "signatures/page.html: not the page the last signature covers"
	expect_out "signatures: 1 record, but the results store .* keeps a chain of 2"
	# with the older page back, only the store can tell
	cp "$WORK/one-signature/signatures/page."* "$WORK/r/signatures/"
	rejected "$WORK/r" "signatures: 1 record, but the results store .* keeps a chain of 2"
}

test_first_signature_dropped_and_renumbered() {
	two_signatures
	mv "$WORK/r/signatures/2.txt" "$WORK/r/signatures/1.txt"
	mv "$WORK/r/signatures/2.txt.sig" "$WORK/r/signatures/1.txt.sig"
	rejected "$WORK/r" "signatures/1.txt: not a rig-esignature/2 record numbered 1"
}

test_signatures_reordered() {
	two_signatures
	local s=$WORK/r/signatures
	$PY - "$s/1.txt" "$s/2.txt" <<'PYEOF'
import sys
a, b = (open(p).read() for p in sys.argv[1:])
open(sys.argv[1], "w").write(b.replace("record: 2", "record: 1"))
open(sys.argv[2], "w").write(a.replace("record: 1", "record: 2"))
PYEOF
	mv "$s/1.txt.sig" "$s/x" && mv "$s/2.txt.sig" "$s/1.txt.sig" && mv "$s/x" "$s/2.txt.sig"
	rejected "$WORK/r" "signatures/1.txt: previous-sha256 is not the hash of MANIFEST"
}

test_older_copy_restored() {
	two_signatures
	rm -r "$WORK/r" && mv "$WORK/one-signature" "$WORK/r"
	rejected "$WORK/r" "signatures: 1 record, but the results store .* keeps a chain of 2"
}

test_signature_page_lists_every_signature_and_is_covered() {
	two_signatures
	local page=$WORK/r/signatures
	grep -q "Sam Review" "$page/page.html" && grep -q "Dana QA" "$page/page.html" || fail "page.html lacks a signer"
	pdftotext "$page/page.pdf" "$WORK/page.txt"
	grep -q "Dana QA" "$WORK/page.txt" && grep -q "approved" "$WORK/page.txt" &&
		grep -q "Sam Review" "$WORK/page.txt" && grep -q "reviewed" "$WORK/page.txt" ||
		fail "page.pdf lacks a signer: $(cat "$WORK/page.txt")"
	grep -Eq "$(sed -n 's/^time: //p' "$page/2.txt")" "$WORK/page.txt" || fail "page.pdf lacks the time"
	sed -i 's/Dana QA/Dana Q./' "$page/page.html"
	rejected "$WORK/r" "signatures/page.html: not the page the last signature covers"
}

# A third party with signify-openbsd and sha256sum alone, following
# docs/reports.md: the station's signature, every artifact, and every
# signature record with its signer's public key, chained to the manifest.
third_party_check() { # DIR STATION.pub SIGNER.pub...
	local d=$1 station=$2; shift 2
	$SIGNIFY -V -q -p "$station" -m "$d/MANIFEST" -x "$d/MANIFEST.sig" || return 1
	(cd "$d" && sha256sum --strict --quiet -c MANIFEST) || return 1
	local prev n=1 m
	m=$(sha "$d/MANIFEST")
	prev=$m
	while [ -f "$d/signatures/$n.txt" ]; do
		local rec=$d/signatures/$n.txt id pub=""
		id=$(sed -n 's/^key-id: //p' "$rec")
		for p in "$@"; do [ "$(keyid "$p")" = "$id" ] && pub=$p; done
		[ -n "$pub" ] || return 1
		$SIGNIFY -V -q -p "$pub" -m "$rec" -x "$rec.sig" || return 1
		[ "$(sed -n 's/^manifest-sha256: //p' "$rec")" = "$m" ] || return 1
		[ "$(sed -n 's/^previous-sha256: //p' "$rec")" = "$prev" ] || return 1
		prev=$(sha "$rec")
		n=$((n + 1))
	done
	[ "$n" -gt 1 ] || return 0
	n=$((n - 1))
	[ "$(sed -n 's/^page-html-sha256: //p' "$d/signatures/$n.txt")" = "$(sha "$d/signatures/page.html")" ] &&
		[ "$(sed -n 's/^page-pdf-sha256: //p' "$d/signatures/$n.txt")" = "$(sha "$d/signatures/page.pdf")" ]
}

test_third_party_verifies_with_signify_and_sha256sum() {
	two_signatures
	third_party_check "$WORK/r" "$STATION_PUB" "$WORK/dana.pub" "$WORK/sam.pub" ||
		fail "signify/sha256sum do not verify an intact run"
	# and the same check catches what rig catches
	sed -i 's/^meaning: reviewed/meaning: approved/' "$WORK/r/signatures/1.txt"
	! third_party_check "$WORK/r" "$STATION_PUB" "$WORK/dana.pub" "$WORK/sam.pub" ||
		fail "the third-party check accepts a changed record"
	rejected "$WORK/r" "signatures/1.txt"
}

test_trust_store_problems_cannot_check() {
	small_run "$WORK/r"
	local store=$XDG_CONFIG_HOME/rig/trust
	chmod g+w "$store"
	rig_run verify "$WORK/r"
	expect_rc 2
	expect_err "trust store writable by others"
	chmod g-w "$store"
	printf 'approver\t0000000000000000\tRWQ=\tX\n' >>"$store"
	rig_run verify "$WORK/r"
	expect_rc 2
	expect_err "rig/trust:[0-9]+: not a signify Ed25519 public key"
	expect_one_line_err
}

test_trust_add_list_remove() {
	person dana "Dana QA" approver
	rig_run trust add "$WORK/dana.pub" --name "Eve" --role approver
	expect_rc 2
	expect_err "already trusted as \"Dana QA\".*one key, one signer"
	rig_run trust add "$WORK/dana.pub" --name "Dana QA" --role boss
	expect_rc 2
	expect_err "station, operator, reviewer or approver"
	rig_run trust add "$WORK/dana.pub" --name "Dana QA" --role reviewer
	expect_rc 0
	rig_run trust list
	expect_out "^approver +$(keyid "$WORK/dana.pub") +Dana QA"
	expect_out "^reviewer +$(keyid "$WORK/dana.pub") +Dana QA"
	expect_out "^station +$(keyid "$STATION_PUB") +TEST-STATION"
	rig_run trust remove "$(keyid "$WORK/dana.pub")"
	expect_rc 0
	expect_out "removed 2 entries"
	rig_run trust list
	expect_no_out "Dana QA"
}
