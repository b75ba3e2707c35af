# rig — hardware-in-the-loop test and certification rig for meso-injectors.
#
#   make            build build/rig
#   make run        install missing packages, build, certify a simulated unit
#   make check      install missing packages, build, run every test (and again under ASan+UBSan)
#   make bench      speed and memory figures
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build ../rig_<version>_amd64.deb (dpkg-buildpackage)
#
# Sources are found by wildcard: a new .c file in a source folder is built
# without touching this file. Everything but rig/main.c goes into librig.a,
# which the binary and every test link.

VERSION   := 0.1.0
BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
PKG_CONFIG ?= pkg-config
# What installs the build's Debian packages (make run, check, fuzz, bench).
INSTALL_DEPS ?= scripts/install-deps

# Lua 5.4's pkg-config name differs between distributions.
LUA_PC := $(firstword $(foreach p,lua5.4 lua-5.4 lua54,$(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo $(p))) \
	$(shell $(PKG_CONFIG) --modversion lua 2>/dev/null | grep -q '^5\.4' && echo lua))
PKGS   := libusb-1.0 comedilib libsodium cairo pangocairo fontconfig jansson sqlite3 libpq zlib libmicrohttpd $(LUA_PC)
TEST_PKGS := check
EMU_PKGS  := umockdev-1.0 glib-2.0 gobject-2.0

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wvla
ifeq ($(CI),true)
WARN += -Werror
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT ?= -O2
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
endif

# Fuzzing (make fuzz, and a smoke in make check) is a third build in
# build-fuzz/: clang with libFuzzer and ASan/UBSan when clang is present,
# else the compiler at hand with tests/fuzz/driver.c.
HAVE_CLANG := $(shell command -v clang >/dev/null 2>&1 && echo 1)
ifeq ($(FUZZ),1)
ifeq ($(HAVE_CLANG),1)
CC := clang
OPT := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LINK := -fsanitize=fuzzer,address,undefined
else
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LINK := -fsanitize=address,undefined
FUZZ_MAIN := $(BUILD)/obj/tests/fuzz/driver.o
endif
endif
FUZZ_SECONDS ?= 60

CFLAGS   ?= -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(CPPFLAGS) $(CFLAGS) $(WARN) -I. -I$(BUILD)/gen \
	-DRIG_VERSION='"$(VERSION)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
ALL_LDFLAGS := $(LDFLAGS) $(SAN_LDFLAGS)

LIB_SRC  := $(filter-out rig/main.c,$(wildcard rig/*.c rig/*/*.c drivers/*.c drivers/*/*.c reports/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# The store's schema migrations are compiled in (rig/store/migrations.h).
MIGRATIONS := $(sort $(wildcard rig/store/migrations/*.sql))
LIB_OBJ  += $(BUILD)/obj/gen/store_migrations.o
# rig serve's page assets are compiled in (rig/serve/assets.h).
SERVE_ASSETS := $(sort $(wildcard rig/serve/static/*))
LIB_OBJ  += $(BUILD)/obj/gen/serve_assets.o
# And the central store's (PostgreSQL) schema, rig/store/central/*.sql.
CENTRAL_MIGRATIONS := $(sort $(wildcard rig/store/central/*.sql))
LIB_OBJ  += $(BUILD)/obj/gen/central_migrations.o
MAIN_OBJ := $(BUILD)/obj/rig/main.o

FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)

# Emulated-device tests: each tests/emu/test_*.c is a Check program linked
# with the emulators (the other tests/emu/*.c) and umockdev; tests/run-suites
# runs them under umockdev-wrapper. System headers as -isystem: they are not
# ours to keep warning-free.
EMU_SRC     := $(wildcard tests/emu/test_*.c)
EMU_BIN     := $(EMU_SRC:tests/emu/%.c=$(BUILD)/emu/%)
EMU_LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(EMU_SRC),$(wildcard tests/emu/*.c)))
EMU_CFLAGS  := $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(EMU_PKGS) $(TEST_PKGS) 2>/dev/null))
EMU_LIBS    := $(shell $(PKG_CONFIG) --libs $(EMU_PKGS) $(TEST_PKGS) 2>/dev/null) -lpthread -lutil
# The emulators answer from the sim model the run in the same process opened
# (tests/emu/sim_active.c): they learn it by wrapping these, not by a hook in
# the product.
EMU_WRAP    := -Wl,--wrap=sim_model_init -Wl,--wrap=sim_model_release

.PHONY: all rig run check test test-build sanitize \
	deps bench fuzz fuzz-smoke fuzz-targets install deb test-deb clean FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: rig

deps:
	@$(INSTALL_DEPS)

# The build's configuration (the installed data and doc folders) is a generated
# header, rewritten only when its text changes: a new PREFIX rebuilds what
# includes it, an unchanged one rebuilds nothing. Every object waits for it.
CONFIG_H := $(BUILD)/gen/rig_config.h
$(CONFIG_H): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '/* Generated by the Makefile: the build configuration. */' \
		'#define RIG_PREFIX "$(PREFIX)"' \
		'#define RIG_DATADIR "$(PREFIX)/share/rig"' \
		'#define RIG_DOCDIR "$(PREFIX)/share/doc/rig"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "config: PREFIX=$(PREFIX)"; fi
FORCE:

# The binary is build/rig: ./rig is the engine's source folder.
rig: $(BUILD)/rig

$(BUILD)/rig: $(MAIN_OBJ) $(BUILD)/librig.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/librig.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: %.c | $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/store_migrations.c: $(MIGRATIONS) rig/store/embed-migrations
	@mkdir -p $(@D)
	rig/store/embed-migrations $(MIGRATIONS) >$@

$(BUILD)/gen/serve_assets.c: $(SERVE_ASSETS) rig/serve/embed-assets
	@mkdir -p $(@D)
	rig/serve/embed-assets $(SERVE_ASSETS) >$@

$(BUILD)/gen/central_migrations.c: $(CENTRAL_MIGRATIONS) rig/store/embed-migrations
	@mkdir -p $(@D)
	rig/store/embed-migrations --name central $(CENTRAL_MIGRATIONS) >$@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c | $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c | $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS)) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(TESTLIB_OBJ) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

$(BUILD)/obj/tests/emu/%.o: tests/emu/%.c | $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(EMU_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/emu/test_%: $(BUILD)/obj/tests/emu/test_%.o $(EMU_LIB_OBJ) $(TESTLIB_OBJ) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(EMU_WRAP) -o $@ $^ $(LIBS) $(EMU_LIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/file.o \
		$(FUZZ_MAIN) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(FUZZ_LINK) -o $@ $^ $(LIBS)

# Targets that install packages build in a sub-make: this make computed the
# pkg-config flags when it read this file, before deps installed anything.
run: deps
	$(MAKE) rig
	$(BUILD)/rig run scripts/certify.lua

# Builds run in parallel (JOBS, default every core); the suites themselves
# are one recipe each and run in order.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# The next pass's build runs beside the suites at nice 19: it takes the CPU
# the suites leave idle (serial parts, the ends of parallel ones) and little
# else, so it neither slows the suites nor is on the critical path. Its output
# goes to a log: the pass's own make builds whatever it left and shows why.
check: deps
	@mkdir -p build-san
	@nice -n 19 $(MAKE) -j$(JOBS) BUILD=build-san SAN=1 test-build >build-san/prebuild.log 2>&1 & \
		$(MAKE) -j$(JOBS) test; rc=$$?; wait $$!; exit $$rc
	@mkdir -p build-fuzz
	@nice -n 19 $(MAKE) -j$(JOBS) BUILD=build-fuzz FUZZ=1 fuzz-targets >build-fuzz/prebuild.log 2>&1 & \
		$(MAKE) sanitize; rc=$$?; wait $$!; exit $$rc
	$(MAKE) fuzz-smoke
	$(MAKE) test-deb

# The suites, without the install step (what `check` runs twice).
test: test-build
	@tests/run-suites $(BUILD)

# Everything the suites run, built.
test-build: rig $(UNIT_BIN) $(EMU_BIN)

sanitize:
	$(MAKE) -j$(JOBS) BUILD=build-san SAN=1 test

fuzz-targets: $(FUZZ_BIN)

fuzz: deps
	$(MAKE) -j$(JOBS) BUILD=build-fuzz FUZZ=1 fuzz-targets
	@tests/fuzz/run build-fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) -j$(JOBS) BUILD=build-fuzz FUZZ=1 fuzz-targets
	@tests/fuzz/run build-fuzz 5

bench: deps
	$(MAKE) rig
	@tests/bench/run $(BUILD)

# The data folder keeps what a run names on the command line: scripts/,
# fixtures/ and units/ (the sim unit files); docs/ goes to the doc folder
# with the example udev rule.
DATADIR := $(DESTDIR)$(PREFIX)/share/rig
DOCDIR  := $(DESTDIR)$(PREFIX)/share/doc/rig
install: rig
	install -D -m 0755 $(BUILD)/rig $(DESTDIR)$(PREFIX)/bin/rig
	install -d $(DATADIR)/scripts $(DATADIR)/fixtures $(DATADIR)/units $(DOCDIR)
	cp -r scripts/. $(DATADIR)/scripts/
	rm -f $(DATADIR)/scripts/install-deps
	cp -r fixtures/. $(DATADIR)/fixtures/
	rm -rf $(DATADIR)/fixtures/units
	cp -r fixtures/units/. $(DATADIR)/units/
	install -m 0644 README.md docs/*.md docs/*.svg docs/*.png docs/*.json $(DOCDIR)/
	install -m 0644 tools/udev/60-rig.rules $(DOCDIR)/
	install -D -m 0644 docs/rig.1 $(DESTDIR)$(PREFIX)/share/man/man1/rig.1

# The Debian package (debian/), built by dpkg-buildpackage in a copy of the
# tree under $(DEB_DIR), where the .deb, .buildinfo and .changes land:
# nothing is written beside this folder. Unsigned. DEB_BUILD_OPTIONS passes
# through (default nocheck, also as the build profile: the suites are
# `make test`, and their packages are not needed; parallel=2).
DEB_DIR ?= build-deb
DEB_BUILD_OPTIONS ?= nocheck parallel=2
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB := $(DEB_DIR)/rig_$(VERSION)_$(DEB_ARCH).deb
deb:
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "rig: debian/changelog is at $$v, the Makefile at $(VERSION)" >&2; exit 2; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/rig-$(VERSION)
	tar -c --exclude=./.git --exclude='./build*' --exclude=./reports/out . | \
		tar -x -C $(DEB_DIR)/rig-$(VERSION)
	cd $(DEB_DIR)/rig-$(VERSION) && DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc $(if $(filter nocheck,$(DEB_BUILD_OPTIONS)),-Pnocheck)
	@echo "deb: $(DEB)"

# Builds the package, lints it, installs it with dpkg -i, certifies the sim
# unit with the installed rig and removes the package (root; not in `test`).
test-deb: deb
	@tests/deb/run $(DEB)

clean:
	rm -rf build build-san build-fuzz build-deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
