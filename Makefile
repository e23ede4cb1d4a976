# nsnet: `make` builds the library and the CLI into build/.
# `make asan` builds the same tree with AddressSanitizer+UBSan into build-asan/.
# `make fuzz` builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) into build-fuzz/.
CC      ?= cc
PKGS    := libmnl libnftables jansson yaml-0.1 libpcap libgvc
CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -fPIC -D_GNU_SOURCE \
           -Ilib $(shell pkg-config --cflags $(PKGS))
override LDLIBS += $(shell pkg-config --libs $(PKGS)) -lpthread
B       ?= build
# One source of the version: the CLI's NSNET_VERSION. The shared library's soname
# follows its major number (0: the interface of lib/libnsnet.map's LIBNSNET_0).
VERSION := $(shell sed -n 's/^\#define NSNET_VERSION "\(.*\)"/\1/p' src/verbs.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPERS  := $(patsubst tests/helpers/%.c,$(B)/tests/%,$(wildcard tests/helpers/*.c))
BENCH    := $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/%,$(wildcard tests/fuzz/fuzz_*.c))

all: $(B)/nsnet $(B)/libnsnet.a $(B)/libnsnet.so $(B)/libnsnet.pc $(UNIT_BIN) $(HELPERS) $(BENCH)

$(B)/%.o: %.c $(wildcard lib/*.h lib/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libnsnet.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The export map keeps everything but nsnet.h's functions local to the library.
$(B)/libnsnet.so: $(LIB_OBJ) lib/libnsnet.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libnsnet.so.$(SOMAJOR) -Wl,--version-script=lib/libnsnet.map \
		-o $@ $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

$(B)/nsnet: $(CLI_OBJ) $(B)/libnsnet.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libnsnet.a tests/unit/unit.h tests/unit/nlmsg.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(B)/libnsnet.a $(LDFLAGS) $(LDLIBS)

$(B)/tests/%: tests/helpers/%.c $(B)/libnsnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libnsnet.a $(LDFLAGS) $(LDLIBS)

$(B)/bench/%: bench/%.c $(B)/libnsnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libnsnet.a $(LDFLAGS) $(LDLIBS)

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(B)/libnsnet.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libnsnet.a $(LDFLAGS) $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)

asan:
	$(MAKE) B=build-asan CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined"

# The library is instrumented for coverage (fuzzer-no-link); each harness links libFuzzer's main.
fuzz:
	$(MAKE) B=build-fuzz CC=clang fuzz-bins \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined"

clean:
	rm -rf build build-asan build-fuzz

# ---- install ---------------------------------------------------------------------
# GNU directory conventions; every one can be overridden, and DESTDIR stages the tree
# (the Debian package: DESTDIR=debian/tmp PREFIX=/usr LIBDIR=/usr/lib/$(DEB_HOST_MULTIARCH)
# SYSTEMDUNITDIR=/lib/systemd/system). `make uninstall` with the same variables removes
# exactly what `make install` put there (INSTALLED below is the one list of both).
PREFIX         ?= /usr/local
SBINDIR        ?= $(PREFIX)/sbin
LIBDIR         ?= $(PREFIX)/lib
INCLUDEDIR     ?= $(PREFIX)/include
MANDIR         ?= $(PREFIX)/share/man
PKGCONFIGDIR   ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR     ?= $(PREFIX)/share/zsh/vendor-completions
CNIDIR         ?= $(PREFIX)/lib/cni
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR         ?= $(PREFIX)/share/doc/nsnet
EXAMPLESDIR    ?= $(DOCDIR)/examples
SYSCONFDIR     ?= /etc
INSTALL        ?= install

SONAME   := libnsnet.so.$(SOMAJOR)
MAN_SRC  := $(wildcard man/*.[1-8])
UNIT_SRC := $(wildcard systemd/*.service)
EX_SRC   := $(wildcard examples/*.yaml examples/*.c examples/Makefile)
COMP_SRC := $(wildcard completion/nsnet.bash completion/_nsnet)

# pkg-config: the library links the same system libraries the static archive needs,
# so -lnsnet works for the shared library and, with --static, for libnsnet.a.
PC_SUBST = -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	   -e 's|@VERSION@|$(VERSION)|g' -e 's|@REQUIRES@|$(PKGS)|g'
$(B)/libnsnet.pc: lib/libnsnet.pc.in Makefile src/verbs.h
	@mkdir -p $(dir $@)
	sed $(PC_SUBST) $< >$@

# The installed libnsnet.pc is written at install time, not copied from $(B): its
# directories are this install's (make's dependencies cannot see that PREFIX or
# LIBDIR changed since $(B)/libnsnet.pc was made: a .deb's PREFIX=/usr would have
# installed a .pc that says /usr/local).
install: $(B)/nsnet $(B)/libnsnet.a $(B)/libnsnet.so $(B)/libnsnet.pc
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(CNIDIR) $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(SYSCONFDIR)/nsnet/labs
	$(INSTALL) -m 755 $(B)/nsnet $(DESTDIR)$(SBINDIR)/nsnet
	ln -sf $(shell realpath -m --relative-to=$(CNIDIR) $(SBINDIR)/nsnet) $(DESTDIR)$(CNIDIR)/nsnet
	$(INSTALL) -m 644 $(B)/libnsnet.so $(DESTDIR)$(LIBDIR)/libnsnet.so.$(VERSION)
	ln -sf libnsnet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libnsnet.so
	$(INSTALL) -m 644 $(B)/libnsnet.a $(DESTDIR)$(LIBDIR)/libnsnet.a
	$(INSTALL) -m 644 lib/nsnet.h $(DESTDIR)$(INCLUDEDIR)/nsnet.h
	sed $(PC_SUBST) lib/libnsnet.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libnsnet.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libnsnet.pc
	$(foreach m,$(MAN_SRC),$(INSTALL) -D -m 644 $(m) $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)) &&) true
	$(if $(wildcard completion/nsnet.bash),$(INSTALL) -D -m 644 completion/nsnet.bash $(DESTDIR)$(BASHCOMPDIR)/nsnet)
	$(if $(wildcard completion/_nsnet),$(INSTALL) -D -m 644 completion/_nsnet $(DESTDIR)$(ZSHCOMPDIR)/_nsnet)
	$(foreach u,$(UNIT_SRC),$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR) && \
		sed 's|/usr/sbin/nsnet|$(SBINDIR)/nsnet|g' $(u) >$(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u)) && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u)) &&) true
	$(foreach e,$(EX_SRC),$(INSTALL) -m 644 $(e) $(DESTDIR)$(EXAMPLESDIR)/$(notdir $(e)) &&) true

# Files, then nsnet's own directories if they are now empty. The shared ones (sbin,
# lib, man8, completions, ...) stay: they may have been there before, and other
# packages' files go there too.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nsnet $(DESTDIR)$(CNIDIR)/nsnet \
		$(DESTDIR)$(LIBDIR)/libnsnet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libnsnet.so \
		$(DESTDIR)$(LIBDIR)/libnsnet.a $(DESTDIR)$(INCLUDEDIR)/nsnet.h $(DESTDIR)$(PKGCONFIGDIR)/libnsnet.pc \
		$(foreach m,$(MAN_SRC),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(DESTDIR)$(BASHCOMPDIR)/nsnet $(DESTDIR)$(ZSHCOMPDIR)/_nsnet \
		$(foreach u,$(UNIT_SRC),$(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u))) \
		$(foreach e,$(EX_SRC),$(DESTDIR)$(EXAMPLESDIR)/$(notdir $(e)))
	-for d in $(EXAMPLESDIR) $(DOCDIR) $(SYSCONFDIR)/nsnet/labs $(SYSCONFDIR)/nsnet; do \
		[ -d "$(DESTDIR)$$d" ] && rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; done; true

.PHONY: all asan fuzz fuzz-bins clean install uninstall
