# A fixture may extend another (docs/file-formats.md, "extends"): the base
# is named relative to the fixture's own folder, its tables merge under the
# fixture's field by field, a list replaces the base's whole (or is amended
# by name, a table keyed by its entries' names), and a cycle,
# a missing base or a mistake in the base is refused naming file and line.
PY=/usr/bin/python3

# base DIR: a copy of the sim bench as DIR/base.lua.
base() { mkdir -p "$1"; cp fixtures/sim-bench.lua "$1/base.lua"; }

# run_one FIXTURE: a run of one step on FIXTURE, into $WORK/r.
run_one() {
	cat >"$WORK/one.lua" <<'LUA'
rig.step("DEPTH-ACC", { depth_mm = 2, dose_ul = 10, rate_per_min = 120, label = "2 mm" },
  function(s) assert(rig.uut:burst(3)) end)
LUA
	rig_run run "$WORK/one.lua" --fixture "$1" --out "$WORK/r" --quiet --batch
	[ -f "$WORK/r/journal.jsonl" ] || fail "no run: $(cat "$WORK/err")"
}

test_extends_merges_under_the_fixture() {
	base "$WORK/fx"
	mkdir -p "$WORK/fx/lines"
	cat >"$WORK/fx/lines/slow.lua" <<'LUA'
return {
  extends = "../base.lua",
  name = "slow-bench",
  daq = { rate_hz = 5000, block_scans = 256 },
  uncertainty = { depth_mm = 0.02, volume_ul = { u = 0.1 } },
}
LUA
	run_one "$WORK/fx/lines/slow.lua"
	$PY - "$WORK/r/journal.jsonl" "$WORK/fx/lines/slow.lua" "$WORK/fx/base.lua" <<'PYEOF' || fail "the merged fixture is not what the two files say"
import hashlib, json, sys
fx = src = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "run_start":
        src = e["fixture"]
    if isinstance(e.get("fixture"), dict) and "daq" in e["fixture"]:
        fx = e["fixture"]
# The fixture's own fields win; what it does not say comes from the base.
assert fx["name"] == "slow-bench", fx["name"]
assert fx["station"] == "SIM-STATION-01", fx["station"]
assert fx["daq"]["rate_hz"] == 5000, fx["daq"]
ids = [i["certificate"]["id"] for i in fx["instruments"] if i["certificate"]]
assert ids == ["SIM-CAL-LVDT-0001", "SIM-CAL-PLG-0001", "SIM-CAL-BAL-0001", "SIM-CAL-CLK-0001"], ids
u = {x["quantity"]: x["u"] for x in fx["uncertainties"]}
assert u == {"depth_mm": 0.02, "volume_ul": 0.1, "interval_ms": 0.05, "burst_volume_ul": 0.5}, u
vol = [x for x in fx["uncertainties"] if x["quantity"] == "volume_ul"][0]
assert vol["rel_pct"] == 0.3, vol  # a table merges under: the base's rel_pct stays
# The SHA-256 covers the fixture's bytes, then its base's.
want = hashlib.sha256(open(sys.argv[2], "rb").read() + open(sys.argv[3], "rb").read()).hexdigest()
assert src["sha256"] == want, (src["sha256"], want)
PYEOF
}

# A list of named entries (channels) is amended by name when the fixture
# gives a table keyed by the names: each named entry merges under, the rest
# stay, in the base's order; an amendment adds and removes nothing.
test_extends_amends_channels_by_name() {
	base "$WORK/fx"
	cat >"$WORK/fx/amended.lua" <<'LUA'
return {
  extends = "base.lua",
  daq = {
    channels = {
      plunger = { sensor = "amended encoder", certificate = { id = "AMENDED-1" },
                  poly = { 0.0, 0.25 } },
    },
  },
}
LUA
	run_one "$WORK/fx/amended.lua"
	$PY - "$WORK/r/journal.jsonl" <<'PYEOF' || fail "the amended channels are not what the two files say"
import json, sys
fx = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if isinstance(e.get("fixture"), dict) and "daq" in e["fixture"]:
        fx = e["fixture"]
ch = [i for i in fx["instruments"] if i["kind"] == "sensor"]
assert [c["channel"] for c in ch] == ["displacement", "plunger", "trigger"], ch
p = ch[1]
assert p["model"] == "amended encoder", p
assert p["poly"] == [0.0, 0.25], p
assert p["unit"] == "ul", p
assert p["certificate"]["id"] == "AMENDED-1", p
assert p["certificate"]["issuer"] == "sim calibration lab", p  # merged under
assert ch[0]["model"] == "sim LVDT, 8 mm stroke", ch[0]
assert ch[0]["certificate"]["id"] == "SIM-CAL-LVDT-0001", ch[0]
PYEOF
	printf 'return {\n  extends = "base.lua",\n  daq = { channels = { temperature = { unit = "degC" } } },\n}\n' \
		>"$WORK/fx/added.lua"
	refused "$WORK/fx/added.lua" "^rig: .*/fx/added\.lua: merging .*/fx/base\.lua: \"temperature\": the base's list has no entry of that name$"
	printf 'return {\n  extends = "base.lua",\n  daq = { channels = { plunger = 4 } },\n}\n' \
		>"$WORK/fx/scalar.lua"
	refused "$WORK/fx/scalar.lua" "^rig: .*/fx/scalar\.lua: merging .*/fx/base\.lua: amending a list by name takes a table for each name$"
}

# refused FIXTURE PATTERN: loading it fails with one line matching PATTERN, exit 2.
refused() {
	rig_run list-devices --fixture "$1"
	expect_rc 2
	expect_err "$2"
	expect_one_line_err
}

test_extends_refuses_cycles_missing_files_and_bad_bases() {
	base "$WORK/fx"
	printf 'return {\n  name = "a",\n  extends = "b.lua",\n}\n' >"$WORK/fx/a.lua"
	printf 'return {\n  name = "b",\n\n  extends = "a.lua",\n}\n' >"$WORK/fx/b.lua"
	refused "$WORK/fx/a.lua" "^rig: .*/fx/b\.lua:4: extends: .*a\.lua: a cycle"
	printf 'return {\n  extends = "self.lua",\n  name = "s",\n}\n' >"$WORK/fx/self.lua"
	refused "$WORK/fx/self.lua" "^rig: .*/fx/self\.lua:2: extends: .*self\.lua: a cycle"
	printf 'return {\n  name = "m",\n  extends = "none.lua",\n}\n' >"$WORK/fx/m.lua"
	refused "$WORK/fx/m.lua" "^rig: .*/fx/m\.lua:3: extends: .*/fx/none\.lua: No such file or directory"
	# A mistake in the base is the base's, named with its line.
	sed -i 's/rate_hz = 20000,/rate_hz = "fast",/' "$WORK/fx/base.lua"
	printf 'return {\n  extends = "base.lua",\n  name = "d",\n}\n' >"$WORK/fx/d.lua"
	refused "$WORK/fx/d.lua" "^rig: .*/fx/base\.lua:10: daq\.rate_hz: expected a number, got string"
	printf 'return {\n  extends = 4,\n  name = "n",\n}\n' >"$WORK/fx/n.lua"
	refused "$WORK/fx/n.lua" "^rig: .*/fx/n\.lua:2: extends: expected a string"
}
