#!/bin/bash
# A full /run: writing a state file fails saying why ("No space left on device"),
# with exit 1, one line, and nothing changed (no half-written .json, no bridge, no
# namespace). /run/nsnet is a tiny tmpfs, filled up, inside this test's sandbox.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() {
	umount /run/nsnet 2>/dev/null || true
	lab_cleanup_all
	rm -rf "$DIR"
}
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

mkdir -p /run/nsnet
mount -t tmpfs -o size=64k,mode=0755 tmpfs /run/nsnet
mkdir -p /run/nsnet/networks /run/nsnet/labs /run/nsnet/publish
touch /run/nsnet/state.lock
# Fill it: dd stops at ENOSPC.
dd if=/dev/zero of=/run/nsnet/filler bs=4k 2>/dev/null || true
[ "$(df --output=avail /run/nsnet | tail -1)" -eq 0 ] || fail "the tmpfs is not full"

# The first write is the journal's (before any change), or the network's own file.
expect_err 1 "^nsnet: .*write /run/nsnet/(networks/df-net|journal/[0-9-]+).json.tmp: No space left on device$" \
	"$NSNET" net create df-net --subnet 10.94.0.0/24
assert_eq "$(echo "$ERR" | wc -l)" 1 "one line of error"
[ ! -e /sys/class/net/df-net ] || fail "net create left its bridge behind"
assert_eq "$(find /run/nsnet -name '*.json*' | wc -l)" 0 "state files after the failed net create"

tutorial_yaml >"$DIR/tutorial.yaml"
expect_err 1 "^nsnet: up $DIR/tutorial.yaml: write /run/nsnet/labs/tutorial.json.tmp: No space left on device$" "$NSNET" up "$DIR/tutorial.yaml"
assert_eq "$(echo "$ERR" | wc -l)" 1 "one line of error from up"
assert_eq "$(ls -A /run/netns 2>/dev/null)" "" "namespaces after the failed up"
assert_eq "$(find /run/nsnet -name '*.json*' | wc -l)" 0 "state files after the failed up"

# With room again, the same commands work.
rm /run/nsnet/filler
nsnet net create df-net --subnet 10.94.0.0/24
nsnet net rm df-net
umount /run/nsnet
state_settles_to "$before" "after the test"
