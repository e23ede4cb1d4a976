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

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPERS  := $(patsubst tests/helpers/%.c,$(B)/tests/%,$(wildcard tests/helpers/*.c))
BENCH    := $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/%,$(wildcard tests/fuzz/fuzz_*.c))

all: $(B)/nsnet $(B)/libnsnet.a $(B)/libnsnet.so $(UNIT_BIN) $(HELPERS) $(BENCH)

$(B)/%.o: %.c $(wildcard lib/*.h lib/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libnsnet.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The export map keeps everything but nsnet.h's functions local to the library.
$(B)/libnsnet.so: $(LIB_OBJ) lib/libnsnet.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libnsnet.so.0 -Wl,--version-script=lib/libnsnet.map \
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

.PHONY: all asan fuzz fuzz-bins clean
