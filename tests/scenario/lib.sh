# Helpers for scenario tests (sourced by tests/run-scenarios).
# $RIG is the binary under test, $WORK a fresh directory per test.

# rig_run ARGS... : run rig, keep stdout in $WORK/out, stderr in $WORK/err,
# exit status in $RC; never fails itself.
rig_run() {
	RC=0
	"$RIG" "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
	return 0
}

# The sanitizer pass (make sanitize) runs every test at a few times the
# cost: tests that repeat runs for statistics or coverage do fewer there, as
# the plain pass already did them all; the sanitizers only need the code run.
sanitized() { case $RIG in */build-san/*) return 0 ;; esac; return 1; }

fail() { echo "FAILED: $*" >&2; echo "--- stdout"; cat "$WORK/out" 2>/dev/null | tail -30; echo "--- stderr"; cat "$WORK/err" 2>/dev/null | tail -10; exit 1; }

expect_rc() { [ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1"; }
expect_out() { grep -Eq -- "$1" "$WORK/out" || fail "stdout lacks /$1/"; }
expect_no_out() { ! grep -Eq -- "$1" "$WORK/out" || fail "stdout has /$1/"; }
expect_err() { grep -Eq -- "$1" "$WORK/err" || fail "stderr lacks /$1/"; }
expect_file() { [ -s "$1" ] || fail "missing or empty file $1"; }
# Exactly one line on stderr, as the design asks of errors.
expect_one_line_err() { [ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "stderr is not one line"; }
