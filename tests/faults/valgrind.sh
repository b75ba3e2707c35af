# The main scenario is valgrind-clean: no invalid access, no leak.

test_certify_under_valgrind() {
	local bin=$RIG
	command -v valgrind >/dev/null || fail "valgrind missing (scripts/install-deps installs it)"
	# valgrind cannot run an ASan binary: in the sanitizer pass, check the plain build.
	case $RIG in */build-san/rig) bin=$TOP/build/rig ;; esac
	[ -x "$bin" ] || fail "no plain build at $bin to run under valgrind"
	RC=0
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$bin" run scripts/certify.lua --out "$WORK/run" --quiet >"$WORK/out" 2>"$WORK/err" || RC=$?
	expect_rc 0
	[ ! -s "$WORK/err" ] || fail "valgrind reported: $(head -5 "$WORK/err")"
}
