#!/bin/bash
# ns add / del / list / pids: all-or-nothing creation, clear errors and exit codes,
# every result checked against ls /run/netns and ip netns.
. "$(dirname "$0")/../lib.sh"
cleanup() { for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT

on_disk() { ls -A /run/netns 2>/dev/null | tr '\n' ' '; }

# Several at once, listed sorted, each a distinct namespace.
nsnet ns add c a b
assert_eq "$(on_disk)" "a b c " "ls /run/netns"
assert_eq "$(nsnet ns list | tr '\n' ' ')" "a b c " "ns list"
assert_eq "$(nsnet ns list --json | jq -r '.[].name' | tr '\n' ' ')" "a b c " "ns list --json"
ids=$(for n in a b c; do stat -L -c %i /run/netns/$n; done | sort -u | wc -l)
assert_eq "$ids" 3 "three distinct namespaces"
# Each comes with nothing but loopback.
assert_eq "$(ip netns exec b ip -o link show | awk -F': ' '{print $2}')" lo "links in a new namespace"

# An existing name: exit 1, nothing created (not even the others).
expect_err 1 "namespace 'b' already exists" "$NSNET" ns add x b y
assert_eq "$(on_disk)" "a b c " "ns add x b y created something"
# A duplicate on the command line: refused, nothing created.
expect_rc 2 "$NSNET" ns add x x
assert_match "$ERR" "'x' given twice"
assert_eq "$(on_disk)" "a b c " "ns add x x created something"
# 'host' names the caller's own namespace and cannot be created.
expect_err 2 "reserved" "$NSNET" ns add host
# No names at all is a usage error.
expect_rc 2 "$NSNET" ns add
expect_rc 2 "$NSNET" ns del
expect_rc 2 "$NSNET" ns pids
expect_rc 2 "$NSNET" ns list extra
expect_err 2 "unknown option '--bogus'" "$NSNET" ns add --bogus z
assert_eq "$(on_disk)" "a b c " "a refused command created something"

# del: several at once; a missing one fails the whole command before anything goes.
expect_err 1 "namespace 'nope' not found" "$NSNET" ns del a nope
assert_eq "$(on_disk)" "a b c " "ns del a nope removed something"
nsnet ns del a c
assert_eq "$(on_disk)" "b " "after ns del a c"
assert_eq "$(ip netns list | awk '{print $1}')" b "ip netns list after del"
expect_err 1 "namespace 'a' not found" "$NSNET" ns del a

# pids: empty for an idle namespace, an error for a missing one.
assert_eq "$(nsnet ns pids b)" "" "pids of an idle namespace"
assert_eq "$(nsnet ns pids b --json | jq -c .)" "[]" "pids --json of an idle namespace"
expect_err 1 "not found" "$NSNET" ns pids nope

# The name goes, and so does the namespace itself once nothing holds it: a link made
# in it is destroyed with it (the kernel does that asynchronously).
ip -n b link add vb0 type veth peer name vb1
nsnet ns del b
assert_eq "$(on_disk)" "" "after the last del"
assert_eq "$(nsnet ns list)" "" "ns list when empty"
assert_eq "$(nsnet ns list --json | jq -c .)" "[]" "ns list --json when empty"

# Re-adding a removed name works.
nsnet ns add b
nsnet ns del b
