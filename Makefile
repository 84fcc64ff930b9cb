# sysfence — build, test, install. GNU make; out-of-tree objects in $(BUILD).
#   make                 library (static + shared), the sysfence command, pkg-config file
#   make check           install missing deps, build, run every test (see tests/README.md)
#   make demo            install missing deps, build, run the demo
#   make fuzz / bench    long fuzzing (60 s a target) / benchmarks
#   make gen             regenerate tables from ../shared/data (never needed to build)
#   make install PREFIX=/usr/local DESTDIR=

VERSION := 0.1.0
SOVERSION := 0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
SAN ?=
FUZZ ?=
V ?=
Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-unused-parameter -Wvla -Wpointer-arith
CSTD := -std=c17 -D_GNU_SOURCE
HARDEN := -fstack-protector-strong -fPIC
ifeq ($(SAN)$(FUZZ),)
OPT ?= -O2 -g
HARDEN += -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
else
OPT ?= -O1 -g -fno-omit-frame-pointer
endif
ifneq ($(SAN),)
OPT += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
ifneq ($(FUZZ),)
OPT += -fsanitize=fuzzer-no-link,address,undefined
LDSAN := -fsanitize=address,undefined
endif

CPPFLAGS += -Iinclude -Ilib -DSYSFENCE_VERSION_STRING='"$(VERSION)"' -MMD -MP
CFLAGS ?=
CFLAGS := $(CSTD) $(WARN) $(OPT) $(HARDEN) $(CFLAGS)
LDFLAGS += -Wl,-z,relro,-z,now $(LDSAN)
LIBS := -lyaml

LIB_SRC := $(sort $(wildcard lib/*/*.c lib/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
HDRS := $(wildcard include/sysfence/*.h lib/*/*.h cli/*.h tests/support/*.h)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

STATIC := $(BUILD)/libsysfence.a
SHARED := $(BUILD)/libsysfence.so.$(VERSION)
PROG := $(BUILD)/sysfence
PC := $(BUILD)/sysfence.pc

.DEFAULT_GOAL := all
-include $(shell find $(BUILD) -name "*.d" 2>/dev/null)

.PHONY: all lib tests check check-unit check-integration check-clang check-san check-fuzz \
	demo fuzz bench gen install uninstall clean format deps
.DELETE_ON_ERROR:

all: $(STATIC) $(SHARED) $(PROG) $(PC)
lib: $(STATIC) $(SHARED)

$(BUILD)/obj/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(call say,LD,$@)$(CC) -shared -Wl,-soname,libsysfence.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(LIBS)
	$(Q)ln -sf libsysfence.so.$(VERSION) $(BUILD)/libsysfence.so.$(SOVERSION)
	$(Q)ln -sf libsysfence.so.$(SOVERSION) $(BUILD)/libsysfence.so

$(PROG): $(CLI_OBJ) $(STATIC)
	$(call say,LD,$@)$(CC) -pie $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LIBS)

$(PC): Makefile
	@mkdir -p $(@D)
	$(Q)printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: sysfence\nDescription: seccomp profiles: read, check, compile, run\nVersion: %s\nLibs: -L$${libdir} -lsysfence\nLibs.private: -lyaml\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' > $@

# Unit tests: one binary per file, linked with the test support code (tests/support: the
# libseccomp oracle, profile generators), cmocka and (test-only) libseccomp.
$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(STATIC) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -Wno-missing-prototypes -pie $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(STATIC) $(LIBS) -lcmocka -lseccomp

tests: all $(UNIT_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(STATIC) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(STATIC) $(LIBS)

$(BUILD)/bench/%: bench/%.c $(SUPPORT_OBJ) $(STATIC) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -Wno-missing-prototypes -pie $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(STATIC) $(LIBS) -lseccomp

deps:
	tools/install-deps

# The whole suite: gcc build + tests, clang build (warnings), ASan+UBSan suite, short fuzz.
check: deps
	$(MAKE) tests
	tools/run-tests --build $(BUILD) --summary $(BUILD)/summary-gcc
	$(MAKE) BUILD=build-clang CC=clang all
	$(MAKE) BUILD=build-san CC=clang SAN=1 tests
	tools/run-tests --build build-san --summary build-san/summary-san
	$(MAKE) check-fuzz
	tools/run-tests --total $(BUILD)/summary-gcc build-san/summary-san build-fuzz/summary-fuzz

check-unit: tests
	tools/run-tests --build $(BUILD) --only unit
check-integration: tests
	tools/run-tests --build $(BUILD) --only integration

check-fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 fuzz-bins
	tools/run-fuzz --build build-fuzz --seconds $${FUZZ_SECONDS:-10} --summary build-fuzz/summary-fuzz

fuzz-bins: $(FUZZ_BIN)

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 fuzz-bins
	tools/run-fuzz --build build-fuzz --seconds $${FUZZ_SECONDS:-60}

bench: deps
	$(MAKE) all $(BENCH_BIN)
	tools/run-bench --build $(BUILD)

demo: deps
	$(MAKE) all
	tools/demo $(PROG)

gen:
	tools/gen-syscalls ../shared/data/syscalls.csv > lib/arch/syscalls-table.c.tmp
	mv lib/arch/syscalls-table.c.tmp lib/arch/syscalls-table.c
	tools/gen-runtime-default ../shared/corpus/profiles/docker-default.json \
		> lib/profile/runtime-default.c.tmp
	mv lib/profile/runtime-default.c.tmp lib/profile/runtime-default.c

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/sysfence $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/sysfence
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libsysfence.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsysfence.so.$(SOVERSION)
	ln -sf libsysfence.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libsysfence.so
	install -m 644 include/sysfence/*.h $(DESTDIR)$(INCLUDEDIR)/sysfence/
	# written here, so that it names the PREFIX given to install, not the one of the build
	printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: sysfence\nDescription: seccomp profiles: read, check, compile, run\nVersion: %s\nLibs: -L$${libdir} -lsysfence\nLibs.private: -lyaml\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' > $(DESTDIR)$(LIBDIR)/pkgconfig/sysfence.pc
	install -m 644 docs/sysfence.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sysfence $(DESTDIR)$(LIBDIR)/libsysfence.* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/sysfence.pc $(DESTDIR)$(MANDIR)/man1/sysfence.1
	rm -rf $(DESTDIR)$(INCLUDEDIR)/sysfence

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(FUZZ_SRC) $(BENCH_SRC) $(HDRS)

clean:
	rm -rf build build-clang build-san build-fuzz
