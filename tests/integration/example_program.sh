#!/bin/bash
# examples/updown.c, a program of libnsnet's users, builds against the library that
# `make install DESTDIR=...` installed, through its own Makefile and nothing but
# pkg-config (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR into the DESTDIR), links the
# installed libnsnet.so.MAJOR and loads it when run; it brings the installed
# examples/bridge.yaml up (three namespaces on a bridge: they ping each other),
# prints its status, and brings it down, leaving the sandbox as it was. A file that
# does not exist: the library's message on stderr, exit 1, nothing changed.
# On the sanitizer build the installed library is instrumented, so the example is
# built with clang and the same sanitizers.
# Witnesses: pkg-config, readelf, ldd, /proc/PID/maps, ip netns, ip addr, ping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$NSNET")
for tool in make pkg-config readelf ldd nm; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
pkg-config --exists jansson || skip "jansson's development files (libjansson-dev) are not installed"
make -s -q -C "$REPO" B="$B" "$B/nsnet" "$B/libnsnet.so" "$B/libnsnet.a" ||
	fail "$B is not up to date: run make (make asan for build-asan) first"
# The sanitizer build's library refers to the sanitizer runtime, which clang links
# into executables only: the program must be built with the same sanitizers.
make_vars=()
if grep -q ' __asan_' <<<"$(nm -D --undefined-only "$B/libnsnet.so")"; then
	command -v clang >/dev/null || skip "clang is not installed (needed to link the sanitizer build's library)"
	make_vars=(CC=clang "CFLAGS=-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" "LDFLAGS=-fsanitize=address,undefined")
else
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler (${CC:-cc})"
fi

DIR=$(mktemp -d)
cleanup() {
	[ -z "${prog_pid:-}" ] || kill "$prog_pid" 2>/dev/null || true
	"$NSNET" down bridge >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

root=$DIR/root
make -s -C "$REPO" B="$B" install DESTDIR="$root" >"$DIR/out" 2>&1 || fail "make install: $(cat "$DIR/out")"
libdir=$root/usr/local/lib
examples=$root/usr/local/share/doc/nsnet/examples

# pkg-config resolves into the DESTDIR, and the build takes its flags from there.
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
assert_match "$(pkg-config --cflags libnsnet)" "-I$root/usr/local/include( |$)" "pkg-config --cflags"
assert_match "$(pkg-config --libs libnsnet)" "-L$libdir -lnsnet( |$)" "pkg-config --libs"
cp -r "$examples" "$DIR/ex"
make -C "$DIR/ex" "${make_vars[@]}" >"$DIR/build.out" 2>&1 || fail "building the example: $(cat "$DIR/build.out")"
grep -q -- "-I$root/usr/local/include" "$DIR/build.out" || fail "the example's build did not use the installed header: $(cat "$DIR/build.out")"
grep -q -- "-L$libdir" "$DIR/build.out" || fail "the example's build did not link from the DESTDIR: $(cat "$DIR/build.out")"
prog=$DIR/ex/updown
assert_match "$(readelf -d "$prog" | grep NEEDED)" '\[libnsnet\.so\.0\]' "the program needs the shared library by its soname"

export LD_LIBRARY_PATH=$libdir
assert_match "$(ldd "$prog" | grep libnsnet)" "^[[:space:]]*libnsnet\.so\.0 => $libdir/libnsnet\.so\.0 " "ldd: the installed library"

# A file that is not there: the library's message, exit 1, nothing made.
expect_err 1 '^updown: up: .*nonexistent\.yaml' "$prog" "$DIR/nonexistent.yaml"
state_settles_to "$before" "after a failed up"

# up, look while it waits, then down.
coproc UD { exec "$prog" --pause "$examples/bridge.yaml" 2>&1; }
prog_pid=$UD_PID
# Our own copies of the coprocess's pipes: bash unsets UD and closes its descriptors
# as soon as it reaps the program, which can be before its last lines are read.
exec {ud_out}<&"${UD[0]}" {ud_in}>&"${UD[1]}"
out=""
while IFS= read -r -t 240 -u "$ud_out" line; do
	out+=$line$'\n'
	[[ "$line" == "press Enter"* ]] && break
done
assert_match "$out" "^lab 'bridge' is up \(" "the program's up"
assert_match "$out" '^status: up$' "the program's status"
assert_match "$out" '^  networks +br0 +ok$' "the program's status of br0"
assert_match "$out" '^  nodes +ns1 +ok$' "the program's status of ns1"
# The running program mapped the installed library, not another one.
assert_match "$(grep libnsnet /proc/"$prog_pid"/maps | awk '{ print $6 }' | sort -u)" "^$libdir/libnsnet\.so\.0\.[0-9.]+$" "the library the program loaded"
assert_eq "$(ip netns list | awk '{ print $1 }' | sort | paste -sd' ')" "ns1 ns2 ns3" "namespaces while up"
assert_match "$(ip -n ns1 -o -4 addr show dev veth_ns1)" ' inet 10\.1\.1\.1/24 ' "ns1's address"
assert_match "$(ip -n ns3 -o -4 addr show dev veth_ns3)" ' inet 10\.1\.1\.3/24 ' "ns3's address"
assert_ping ns1 10.1.1.2
assert_ping ns3 10.1.1.1
echo >&"$ud_in"
exec {ud_in}>&-
while IFS= read -r -t 240 -u "$ud_out" line; do out+=$line$'\n'; done
exec {ud_out}<&-
rc=0
wait "$prog_pid" || rc=$?
prog_pid=""
assert_eq "$rc" 0 "the program's exit status (output: $out)"
assert_match "$out" "^lab 'bridge' is down$" "the program's down"
state_settles_to "$before" "after the program's down"
[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "namespaces left after the program's down"
note "built with: $(grep -m1 updown.c "$DIR/build.out" | cut -c1-200)"
