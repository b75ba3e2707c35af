# The main scenario is valgrind-clean: no invalid access, no leak.

# Started first by tests/run-scenarios: 50 s in the plain pass; started last
# (its file sorts last) it ran alone for most of the faults part.
SLOW_TESTS=test_certify_under_valgrind

test_certify_under_valgrind() {
	command -v valgrind >/dev/null || fail "valgrind missing (scripts/install-deps installs it)"
	# valgrind cannot run an ASan binary; the plain pass has run it.
	if sanitized; then
		echo "note: valgrind runs in the plain pass only"
		return 0
	fi
	RC=0
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--suppressions=tests/faults/valgrind.supp \
		"$RIG" run scripts/certify.lua --out "$WORK/run" --quiet >"$WORK/out" 2>"$WORK/err" || RC=$?
	expect_rc 0
	[ ! -s "$WORK/err" ] || fail "valgrind reported: $(head -5 "$WORK/err")"
}
