# The Comedi backend from the command line, without a board (the emulated
# board's tests are in tests/emu): refusals are one line naming file:line.

test_comedi_device_missing_names_the_file() {
	sed "s|device = \"/dev/comedi0\"|device = \"$WORK/no-such-board\"|" \
		fixtures/ni-pci6221.lua >"$WORK/bench.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/bench.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/bench.lua:13: DAQ device $WORK/no-such-board does not exist \(is the board installed"
	expect_one_line_err
	[ ! -e "$WORK/run/captures" ] || ! ls "$WORK/run/captures"/* >/dev/null 2>&1 ||
		fail "a capture was written without a board"
}

test_comedi_bad_aref_names_the_line() {
	sed 's|aref = "diff"|aref = "pseudo"|' fixtures/ni-pci6221.lua >"$WORK/bench.lua"
	rig_run run scripts/certify.lua --fixture "$WORK/bench.lua" --out "$WORK/run"
	expect_rc 2
	expect_err "^rig: $WORK/bench.lua:23: daq.channels\[1\].aref: \"pseudo\" is not ground, common, diff or other"
	expect_one_line_err
}

test_list_devices_has_a_comedi_line() {
	rig_run list-devices
	expect_rc 0
	expect_out '^comedi  '
}
