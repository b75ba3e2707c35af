# Operator prompts with a picture (rig.prompt's image) and the scanned
# serial (rig run --serial): journaled, in the signed record, checked.

# A PNG written here from the format (signature, IHDR, zlib IDAT, IEND),
# independently of rig: W x H pixels of one colour.
make_png() { # path width height
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\0" + bytes([30, 120, 200]) * w for _ in range(h))
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}

# A script whose first line is the prompt (so errors name line 1), then one
# short judged step.
prompt_script() { # image-expression
	cat >"$WORK/s.lua" <<LUA
rig.prompt("Seat the unit, needle down", $1)
rig.step("DEPTH-ACC", { depth_mm = 4, dose_ul = 20, rate_per_min = 120, label = "4 mm" }, function(s)
  local shots = assert(rig.uut:burst(5))
  s:judge("depth_mm", shots.depth_mm, { requirement = "DEPTH-ACC", unit = "mm", target = 4,
                                        mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
}

json_get() { # file python-expression-on-j
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

test_prompt_image_in_journal_and_manifest() {
	mkdir -p "$WORK/pics"
	make_png "$WORK/pics/seat.png" 64 32
	prompt_script '{ image = "pics/seat.png" }'
	rig_run run "$WORK/s.lua" --out "$WORK/run" --quiet --batch --serial SIM-0001
	[ "$RC" -le 1 ] || fail "run failed"
	sha=$(sha256sum "$WORK/pics/seat.png" | cut -c1-64)
	copy="images/$(printf '%.16s' "$sha").png"
	cmp "$WORK/pics/seat.png" "$WORK/run/$copy" || fail "the copy in the run differs"
	grep '"event":"prompt"' "$WORK/run/journal.jsonl" >"$WORK/prompt.json"
	[ "$(json_get "$WORK/prompt.json" 'j["image"]')" = \
	  "{'name': 'pics/seat.png', 'sha256': '$sha', 'path': '$copy'}" ] ||
		fail "journaled image: $(cat "$WORK/prompt.json")"
	grep -qx "$sha  $copy" "$WORK/run/MANIFEST" || fail "MANIFEST lacks the image"
	rig_run verify "$WORK/run"
	expect_rc 0
	expect_out "^INTACT"
	# the picture is part of the record: changing it is tampering
	printf 'x' >>"$WORK/run/$copy"
	rig_run verify "$WORK/run"
	[ "$RC" -ne 0 ] || fail "verify accepted a changed prompt image"
	expect_out "$copy"
}

test_prompt_image_svg_and_jpeg() {
	cat >"$WORK/a.svg" <<'SVG'
<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#1976d2"/></svg>
SVG
	# the smallest JPEG structure rig checks: start of image ... end of image
	printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000\377\331' >"$WORK/b.jpg"
	cat >"$WORK/s.lua" <<'LUA'
rig.prompt("First", { image = "a.svg" })
rig.prompt("Second", { image = "b.jpg" })
rig.prompt("First again", { image = "a.svg" })
rig.step("DEPTH-ACC", { depth_mm = 4, label = "4 mm" }, function(s)
  s:judge("depth_mm", assert(rig.uut:burst(5)).depth_mm, { requirement = "DEPTH-ACC", mean = { lo = 3.9, hi = 4.1 } })
end)
LUA
	rig_run run "$WORK/s.lua" --out "$WORK/run" --quiet --batch
	[ "$RC" -le 1 ] || fail "run failed"
	[ "$(ls "$WORK/run/images" | sort | tr '\n' ' ')" = \
	  "$(sha256sum "$WORK/a.svg" | cut -c1-16).svg $(sha256sum "$WORK/b.jpg" | cut -c1-16).jpg " ] ||
		[ "$(ls "$WORK/run/images" | sort | tr '\n' ' ')" = \
		  "$(sha256sum "$WORK/b.jpg" | cut -c1-16).jpg $(sha256sum "$WORK/a.svg" | cut -c1-16).svg " ] ||
		fail "images: $(ls "$WORK/run/images")"
	[ "$(grep -c '"image":' "$WORK/run/journal.jsonl")" -eq 3 ] || fail "not every prompt journaled its image"
}

# Each bad image: exit 2, one line naming the script's line 1, no shot.
bad_image() { # image-expression expected-stderr-regex
	prompt_script "$1"
	rig_run run "$WORK/s.lua" --out "$WORK/run" --quiet --batch
	expect_rc 2
	expect_err "^rig: $WORK/s.lua:1: rig.prompt: $2"
	expect_one_line_err
	! grep -q '"event":"burst"' "$WORK/run/journal.jsonl" || fail "shots fired after a bad image"
	rm -rf "$WORK/run"
}

test_prompt_image_refused() {
	bad_image '{ image = "missing.png" }' "image $WORK/missing.png: No such file"
	printf 'not a picture\n' >"$WORK/text.png"
	bad_image '{ image = "text.png" }' "image $WORK/text.png: neither a PNG, a JPEG nor an SVG image"
	make_png "$WORK/real.png" 4 4
	cp "$WORK/real.png" "$WORK/real.jpg"
	bad_image '{ image = "real.jpg" }' "image $WORK/real.jpg: its name says jpeg, its content is png"
	head -c 40 "$WORK/real.png" >"$WORK/cut.png"
	printf '\377\330\377\340\000\020JFIF' >"$WORK/cut.jpg"
	bad_image '{ image = "cut.jpg" }' "image $WORK/cut.jpg: a JPEG image without its end marker"
	python3 -c "import sys; open(sys.argv[1], 'wb').write(open(sys.argv[2], 'rb').read().ljust(1048577, b'\0'))" \
		"$WORK/big.png" "$WORK/real.png"
	bad_image '{ image = "big.png" }' "image $WORK/big.png: 1048577 bytes; 1 to 1048576 allowed"
	printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$WORK/x.svg"
	bad_image '{ image = "x.svg" }' "image $WORK/x.svg: an SVG image with a script"
	bad_image '{ image = "../etc/passwd.png" }' 'image "../etc/passwd.png": a path relative to the script'
	bad_image '{ image = "/etc/passwd.png" }' 'image "/etc/passwd.png": a path relative to the script'
	bad_image '{ image = "notes.txt" }' "image notes.txt: name a .png, .jpg, .jpeg or .svg file"
	bad_image '{ image = 42 }' "image must be a file name, got number"
	bad_image '{ picture = "real.png" }' "unknown option picture \(only image\)"
	bad_image '"real.png"' "options must be a table"
	mkdir "$WORK/dir.png"
	bad_image '{ image = "dir.png" }' "image $WORK/dir.png: not a file"
}

test_prompt_image_path_on_terminal() {
	make_png "$WORK/seat.png" 8 8
	prompt_script '{ image = "seat.png" }'
	# a terminal on stdin (a pseudo-terminal answering Enter): not a batch
	python3 - "$RIG" "$WORK" <<'PY' || fail "terminal run: $(cat "$WORK/err")"
import os, pty, subprocess, sys
rig, work = sys.argv[1], sys.argv[2]
master, slave = pty.openpty()
env = {k: v for k, v in os.environ.items() if k != "CI"}
p = subprocess.Popen([rig, "run", work + "/s.lua", "--out", work + "/run", "--quiet"], stdin=slave,
                     stdout=open(work + "/out", "w"), stderr=open(work + "/err", "w"), env=env)
os.close(slave)
os.write(master, b"\n")
sys.exit(0 if p.wait(timeout=120) in (0, 1) else 1)
PY
	sha=$(sha256sum "$WORK/seat.png" | cut -c1-16)
	expect_err ">>> Seat the unit, needle down"
	expect_err "^    image: $WORK/run/images/$sha.png$"
	grep -q '"answer":"continue"' "$WORK/run/journal.jsonl" || fail "the prompt was not answered at the terminal"
}

test_scanned_serial_recorded_and_checked() {
	prompt_script 'nil'
	rig_run run "$WORK/s.lua" --out "$WORK/ok" --quiet --batch --serial SIM-0001
	[ "$RC" -le 1 ] || fail "run failed"
	[ "$(json_get "$WORK/ok/result.json" 'j["uut"]["scanned_serial"], j["uut"]["serial"]')" = \
	  "SIM-0001 SIM-0001" ] || fail "result.json: scanned serial"
	grep -q '"event":"run_start".*"scanned_serial":"SIM-0001"' "$WORK/ok/journal.jsonl" ||
		fail "run_start lacks the scanned serial"
	grep -q 'Scanned serial' "$WORK/ok/report.html" || fail "report.html lacks the scanned serial"
	rig_run verify "$WORK/ok"
	expect_rc 0
	# without --serial: none recorded
	rig_run run "$WORK/s.lua" --out "$WORK/none" --quiet --batch
	[ "$(json_get "$WORK/none/result.json" '"scanned_serial" in j["uut"]')" = False ] ||
		fail "a scanned serial recorded without --serial"
	# the wrong unit in the socket: ERROR before the first shot, named
	rig_run run "$WORK/s.lua" --out "$WORK/wrong" --quiet --batch --serial MI350-000999
	expect_rc 2
	expect_err "^rig: serial MI350-000999 was scanned, but the unit in the socket reports serial SIM-0001: wrong unit in the socket$"
	expect_one_line_err
	! grep -q '"event":"\(burst\|step_start\|prompt\)"' "$WORK/wrong/journal.jsonl" ||
		fail "the script ran with the wrong unit"
	[ "$(json_get "$WORK/wrong/result.json" 'j["verdict"], j["uut"]["scanned_serial"]')" = \
	  "ERROR MI350-000999" ] || fail "result.json of the wrong unit"
	# the record re-derives from the journal with its scanned serial
	rig_run verify "$WORK/wrong"
	expect_rc 0
}
