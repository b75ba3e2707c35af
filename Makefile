# rig — hardware-in-the-loop test and certification rig for meso-injectors.
#
#   make            build build/rig
#   make run        install missing packages, build, certify a simulated unit
#   make check      install missing packages, build, run every test (and again under ASan+UBSan)
#   make bench      speed and memory figures
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are found by wildcard: a new .c file in a source folder is built
# without touching this file. Everything but rig/main.c goes into librig.a,
# which the binary and every test link.

VERSION   := 0.1.0
BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
PKG_CONFIG ?= pkg-config

# Lua 5.4's pkg-config name differs between distributions.
LUA_PC := $(firstword $(foreach p,lua5.4 lua-5.4 lua54,$(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo $(p))) \
	$(shell $(PKG_CONFIG) --modversion lua 2>/dev/null | grep -q '^5\.4' && echo lua))
PKGS   := libusb-1.0 comedilib libsodium cairo pangocairo fontconfig jansson sqlite3 libpq zlib $(LUA_PC)
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
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(CFLAGS) $(WARN) -I. \
	-DRIG_VERSION='"$(VERSION)"' -DRIG_DATADIR='"$(PREFIX)/share/rig"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
ALL_LDFLAGS := $(LDFLAGS) $(SAN_LDFLAGS)

LIB_SRC  := $(filter-out rig/main.c,$(wildcard rig/*.c rig/*/*.c drivers/*.c drivers/*/*.c reports/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# The store's schema migrations are compiled in (rig/store/migrations.h).
MIGRATIONS := $(sort $(wildcard rig/store/migrations/*.sql))
LIB_OBJ  += $(BUILD)/obj/gen/store_migrations.o
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

.PHONY: all rig run check test sanitize \
	deps bench fuzz fuzz-smoke fuzz-targets install clean
.DELETE_ON_ERROR:
.SECONDARY:

all: rig

deps:
	@scripts/install-deps

# The binary is build/rig: ./rig is the engine's source folder.
rig: $(BUILD)/rig

$(BUILD)/rig: $(MAIN_OBJ) $(BUILD)/librig.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/librig.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/store_migrations.c: $(MIGRATIONS) rig/store/embed-migrations
	@mkdir -p $(@D)
	rig/store/embed-migrations $(MIGRATIONS) >$@

$(BUILD)/gen/central_migrations.c: $(CENTRAL_MIGRATIONS) rig/store/embed-migrations
	@mkdir -p $(@D)
	rig/store/embed-migrations --name central $(CENTRAL_MIGRATIONS) >$@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS)) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(TESTLIB_OBJ) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

$(BUILD)/obj/tests/emu/%.o: tests/emu/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(EMU_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/emu/test_%: $(BUILD)/obj/tests/emu/test_%.o $(EMU_LIB_OBJ) $(TESTLIB_OBJ) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(EMU_LIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/file.o \
		$(FUZZ_MAIN) $(BUILD)/librig.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(FUZZ_LINK) -o $@ $^ $(LIBS)

run: deps rig
	$(BUILD)/rig run scripts/certify.lua

# Builds run in parallel (JOBS, default every core); the suites themselves
# are one recipe each and run in order.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: deps
	$(MAKE) -j$(JOBS) test
	$(MAKE) sanitize
	$(MAKE) fuzz-smoke

# The suites, without the install step (what `check` runs twice).
test: rig $(UNIT_BIN) $(EMU_BIN)
	@tests/run-suites $(BUILD)

sanitize:
	$(MAKE) -j$(JOBS) BUILD=build-san SAN=1 test

fuzz-targets: $(FUZZ_BIN)

fuzz: deps
	$(MAKE) -j$(JOBS) BUILD=build-fuzz FUZZ=1 fuzz-targets
	@tests/fuzz/run build-fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) -j$(JOBS) BUILD=build-fuzz FUZZ=1 fuzz-targets
	@tests/fuzz/run build-fuzz 5

bench: deps rig
	@tests/bench/run $(BUILD)

install: rig
	install -D -m 0755 $(BUILD)/rig $(DESTDIR)$(PREFIX)/bin/rig
	install -d $(DESTDIR)$(PREFIX)/share/rig
	cp -r scripts fixtures $(DESTDIR)$(PREFIX)/share/rig/
	rm -f $(DESTDIR)$(PREFIX)/share/rig/scripts/install-deps
	test ! -f docs/rig.1 || install -D -m 0644 docs/rig.1 $(DESTDIR)$(PREFIX)/share/man/man1/rig.1

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
