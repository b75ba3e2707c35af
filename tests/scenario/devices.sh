# The device verbs and the USB/serial backends without any device present:
# clear one-line errors, exit 2, nothing half-done.

# fixtures/sim-bench.lua with the unit on USB (serial $1, or the sim when
# empty) and the balance on serial port $2.
real_bench() {
	unit='uut = { driver = "sim" }'
	[ -z "$1" ] || unit="uut = { driver = \"injector\", serial = \"$1\" }"
	sed -e "s|uut = { driver = \"sim\" }|$unit|" \
	    -e "/scale = {/,/driver/s|driver = \"sim\",|driver = \"mtsics\", port = \"$2\",|" \
	    fixtures/sim-bench.lua >"$WORK/bench.lua"
	grep -q '"mtsics"' "$WORK/bench.lua" || fail "could not derive the fixture"
}

test_list_devices_with_nothing_plugged_in() {
	rig_run list-devices
	expect_rc 0
	expect_out "^usb     no injector 1209:0001 present"
}

test_list_devices_rejects_arguments() {
	rig_run list-devices --bogus
	expect_rc 2
	expect_err "^rig: list-devices: unexpected argument \"--bogus\""
	expect_one_line_err
}

test_flash_needs_file_and_unit() {
	rig_run flash
	expect_rc 2
	expect_err "^rig: flash needs FILE and --unit SERIAL"
}

test_flash_checks_the_file_before_the_unit() {
	printf 'not firmware' >"$WORK/x.dfu"
	rig_run flash "$WORK/x.dfu" --unit MI350-000123
	expect_rc 2
	expect_err "^rig: $WORK/x.dfu: too short for a firmware file"
	expect_one_line_err
}

test_run_without_the_unit() {
	real_bench MI350-000123 /dev/ttyACM-none
	rig_run run scripts/certify.lua --fixture "$WORK/bench.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "no injector 1209:0001 with serial \"MI350-000123\" on USB"
}

test_run_without_the_balance() {
	real_bench "" /dev/ttyACM-none
	rig_run run scripts/certify.lua --fixture "$WORK/bench.lua" --out "$WORK/run" --quiet
	expect_rc 2
	expect_err "/dev/ttyACM-none: cannot open the balance's port: No such file or directory"
}
