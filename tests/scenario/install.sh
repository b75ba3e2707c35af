# Building and installing as a new user does: `make run` on a machine that
# lacks packages, `make install` into a PREFIX, the installed rig run from /.
# Each test works on a copy of the tree and of the build under test (same
# modification times, so make rebuilds only what the test makes it rebuild):
# the build under test is never touched.

# Started first by tests/run-scenarios: the longest tests here (seconds in the
# plain / sanitizer pass on 2 cores: install into a prefix 10/16).
SLOW_TESTS=test_install_into_prefix_runs_from_root

# copy_tree: $WORK/src with the sources and the build ($BUILD_NAME in it).
copy_tree() {
	local built
	built=$(dirname "$RIG")
	BUILD_NAME=$(basename "$built")
	mkdir -p "$WORK/src/$BUILD_NAME"
	(cd "$TOP" && cp -a Makefile README.md rig drivers reports scripts fixtures docs tools \
		"$WORK/src/")
	cp -a "$built/obj" "$built/gen" "$built/librig.a" "$built/rig" "$WORK/src/$BUILD_NAME/"
	# The sanitizer build's objects link only with the sanitizer's flags.
	MAKE_ARGS=(BUILD="$BUILD_NAME")
	if sanitized; then MAKE_ARGS+=(SAN=1); fi
	# Not the jobserver of the make that runs the suites.
	unset MAKEFLAGS MFLAGS MAKELEVEL
}

# make_in ARGS...: make in the copy; output in $WORK/make.log, status in $RC.
make_in() {
	RC=0
	make -C "$WORK/src" -j2 "${MAKE_ARGS[@]}" "$@" >"$WORK/make.log" 2>&1 || RC=$?
}

# The first `make run` on a machine without Lua's headers: install-deps puts
# the package in, and the build must see it although make had read the
# Makefile (and run pkg-config) before. Lua is hidden from pkg-config until
# the install step ran, as on a bare machine; system packages stay as they are.
test_make_run_builds_after_installing_packages() {
	copy_tree
	cat >"$WORK/pkg-config" <<PC
#!/bin/sh
# pkg-config on a machine where Lua 5.4's -dev package is not installed yet
if [ ! -e "$WORK/installed" ]; then
	for a in "\$@"; do case \$a in lua*) exit 1 ;; esac; done
fi
exec pkg-config "\$@"
PC
	chmod +x "$WORK/pkg-config"
	# What includes Lua must be compiled again, and the binary linked again.
	local d n=0
	for d in $(grep -l 'lauxlib\.h' $(find "$WORK/src/$BUILD_NAME/obj" -name '*.d')); do
		rm -f "${d%.d}.o"; n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "only $n objects include Lua"
	rm -f "$WORK/src/$BUILD_NAME/rig" "$WORK/src/$BUILD_NAME/librig.a"
	# The control: before the install step the flags lack Lua's headers.
	make_in -n rig PKG_CONFIG="$WORK/pkg-config"
	grep -q 'sandbox\.c' "$WORK/make.log" || fail "dry run compiles no sandbox.c"
	! grep -q 'lua5\.4' "$WORK/make.log" || fail "Lua not hidden from pkg-config"
	make_in run PKG_CONFIG="$WORK/pkg-config" INSTALL_DEPS="touch $WORK/installed"
	[ "$RC" -eq 0 ] || { tail -20 "$WORK/make.log"; fail "make run: exit $RC"; }
	grep -q -- '-I/usr/include/lua5.4.*-c -o [^ ]*sandbox\.o' "$WORK/make.log" ||
		fail "sandbox.c not compiled with Lua's headers"
	grep -Eq '^PASS  \(13 steps' "$WORK/make.log" || fail "make run did not certify the sim unit"
}

# PREFIX is build configuration: an install with another PREFIX rebuilds
# what names the data folder; the installed rig finds its scripts, fixtures
# and sim units from any directory and says where it looked.
test_install_into_prefix_runs_from_root() {
	local p=$WORK/prefix
	copy_tree
	make_in install PREFIX="$p"
	[ "$RC" -eq 0 ] || { tail -20 "$WORK/make.log"; fail "make install: exit $RC"; }
	grep -q "config: PREFIX=$p" "$WORK/make.log" || fail "PREFIX change not noticed"
	grep -q -- '-c -o [^ ]*paths\.o rig/.*paths\.c' "$WORK/make.log" || fail "paths.c not rebuilt"
	for f in bin/rig share/rig/scripts/certify.lua share/rig/scripts/specs/mi350.lua \
		share/rig/fixtures/sim-bench.lua share/rig/units/nominal.lua share/rig/units/dose-low.lua \
		share/man/man1/rig.1 share/doc/rig/file-formats.md share/doc/rig/README.md \
		share/doc/rig/result.schema.json share/doc/rig/60-rig.rules; do
		expect_file "$p/$f"
	done
	[ ! -e "$p/share/rig/scripts/install-deps" ] || fail "install-deps installed"
	[ ! -e "$p/share/rig/fixtures/units" ] || fail "units installed twice"
	# The same PREFIX again: nothing to compile.
	make_in install PREFIX="$p"
	! grep -q -- '-c -o' "$WORK/make.log" || fail "an unchanged PREFIX rebuilt something"

	cd /
	RIG=$p/bin/rig
	rig_run run certify.lua --out "$WORK/nominal" --quiet
	expect_rc 0
	expect_out '^PASS  \(13 steps'
	grep -q "\"path\":\"$p/share/rig/scripts/certify.lua\"" "$WORK/nominal/journal.jsonl" ||
		fail "journal does not name the installed script"
	# The paths the README and rig(1) use, as in the source tree.
	rig_run run scripts/certify.lua --sim-unit fixtures/units/dose-low.lua \
		--out "$WORK/low" --quiet
	expect_rc 1
	expect_out '^DOSE-ACC .* FAIL'
	rig_run run certify.lua --sim-unit dose-low.lua --fixture sim-bench.lua \
		--out "$WORK/low2" --quiet
	expect_rc 1
	rig_run run nosuch.lua --out "$WORK/none"
	expect_rc 2
	expect_one_line_err
	expect_err "^rig: nosuch.lua: cannot open: No such file or directory \(looked in nosuch.lua, scripts/nosuch.lua, .*$p/share/rig/scripts/nosuch.lua\)$"
	rig_run run certify.lua --sim-unit fixtures/units/nosuch.lua --out "$WORK/none2"
	expect_rc 2
	expect_err "looked in fixtures/units/nosuch.lua, $p/share/rig/units/nosuch.lua\)$"
	# An explicit path is taken as given, never looked up elsewhere.
	rig_run run /nonexistent/certify.lua --out "$WORK/none3"
	expect_rc 2
	expect_err '\(looked in /nonexistent/certify.lua\)$'
}

# A package build: PREFIX=/usr with DESTDIR after a plain build.
test_install_destdir_names_prefix() {
	copy_tree
	make_in install PREFIX=/usr DESTDIR="$WORK/dest"
	[ "$RC" -eq 0 ] || { tail -20 "$WORK/make.log"; fail "make install: exit $RC"; }
	strings "$WORK/dest/usr/bin/rig" | grep -qx /usr/share/rig || fail "binary does not name /usr/share/rig"
	! strings "$WORK/dest/usr/bin/rig" | grep -q /usr/local/share/rig ||
		fail "binary still names /usr/local"
	expect_file "$WORK/dest/usr/share/rig/scripts/certify.lua"
	expect_file "$WORK/dest/usr/share/man/man1/rig.1"
}
