#!/bin/bash
# Namespace name rules: 1..255 bytes, no '/', not '.' or '..', no control characters.
# A bad name is a usage error (exit 2) with a clear message and creates nothing,
# not even the good names given with it.
. "$(dirname "$0")/../lib.sh"
cleanup() { for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT

nothing_created() {
	assert_eq "$(ls -A /run/netns 2>/dev/null)" "" "$1: something was created"
	assert_eq "$(ip netns list)" "" "$1: ip netns list"
}

long255=$(printf 'n%.0s' $(seq 255))
long256=$(printf 'n%.0s' $(seq 256))

expect_err 2 "must not be empty" "$NSNET" ns add ""
nothing_created empty
expect_err 2 "longer than 255 bytes" "$NSNET" ns add "$long256"
nothing_created 256
# The message does not drown the terminal in the whole 256 bytes.
[ "${#ERR}" -lt 200 ] || fail "error message for a 256-byte name is ${#ERR} bytes long"
expect_err 2 "must not contain '/'" "$NSNET" ns add a/b
expect_err 2 "must not contain '/'" "$NSNET" ns add ../../etc/evil
[ ! -e /etc/evil ] && [ ! -e /run/etc ] || fail "a name with '/' escaped /run/netns"
expect_err 2 "reserved" "$NSNET" ns add .
expect_err 2 "reserved" "$NSNET" ns add ..
expect_err 2 "control character 0x09" "$NSNET" ns add "$(printf 'tab\there')"
expect_err 2 "control character 0x0a" "$NSNET" ns add "$(printf 'nl\nx')"
expect_err 2 "control character 0x1b" "$NSNET" ns add "$(printf 'esc\033[31m')"
expect_err 2 "control character 0x7f" "$NSNET" ns add "$(printf 'del\177')"
# The escape sequence itself is not echoed back to the terminal.
expect_rc 2 "$NSNET" ns add "$(printf 'esc\033[31m')"
assert_no_match "$ERR" $'\033' "control character echoed in the message"
nothing_created "bad names"

# `ns add a b c` where b is bad creates none of them.
expect_rc 2 "$NSNET" ns add good1 "bad/name" good2
nothing_created "good1 bad/name good2"
expect_rc 2 "$NSNET" ns add good1 "" good2
nothing_created "good1 '' good2"
expect_rc 2 "$NSNET" ns add good1 "$long256"
nothing_created "good1 long256"
# ... and where b exists already (exit 1: the name is fine, the state is not).
nsnet ns add b
expect_err 1 "namespace 'b' already exists" "$NSNET" ns add a b c
assert_eq "$(ls -A /run/netns)" b "ns add a b c with b existing"
nsnet ns del b

# Bad names are refused by every verb that takes one, before touching anything.
expect_rc 2 "$NSNET" ns del "a/b"
expect_rc 2 "$NSNET" ns del ".."
expect_rc 2 "$NSNET" ns pids "a/b"
expect_rc 2 "$NSNET" exec "../x" -- true

# "--" ends the options: it is never taken for a name, and names may start with '-'.
nsnet ns add -- x
assert_eq "$(ls -A /run/netns)" x "ns add -- x"
expect_err 2 "unknown option '-y'" "$NSNET" ns add -y
nsnet ns del -- x

# Names at the limits, or odd but legal, work and are what iproute2 sees.
for name in "$long255" x "with space" ... .hidden "ünï-cödé" "a:b" "-dash" "host-not"; do
	nsnet ns add -- "$name"
	assert_eq "$(ls -A /run/netns)" "$name" "ls /run/netns after adding '$name'"
	assert_eq "$(nsnet ns list)" "$name" "ns list after adding '$name'"
	assert_eq "$(ip -j netns list | jq -r '.[0].name')" "$name" "ip -j netns list after adding '$name'"
	assert_eq "$(nsnet exec "$name" -- ip netns identify)" "$name" "identify '$name'"
	nsnet ns del -- "$name"
done
nothing_created "legal names"
