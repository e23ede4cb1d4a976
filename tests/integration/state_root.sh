#!/bin/bash
# The state root is the program's setting (nsnet_configure; the CLI takes it from
# NSNET_STATE_ROOT): a network and a lab made under another root keep their records,
# journal and lock there and nothing under /run/nsnet; status, down and gc find them
# through the same root. A bad root is refused with exit 2 before anything is made.
# Witnesses: the files under both roots, ls /run/netns, ip link, nft list ruleset.
source "$(dirname "$0")/../lib.sh"

ROOT=/run/nsnet-alt
DIR=$(mktemp -d)
cleanup() {
	NSNET_STATE_ROOT=$ROOT "$NSNET" down sr >/dev/null 2>&1 || true
	NSNET_STATE_ROOT=$ROOT "$NSNET" net rm srnet --force >/dev/null 2>&1 || true
	"$NSNET" ns del sra srb >/dev/null 2>&1 || true
	rm -rf "$ROOT" "$DIR"
}
trap cleanup EXIT
rm -rf /run/nsnet

# Bad roots: usage errors, nothing made anywhere.
for bad in relative/dir / /run/../etc /run//x "/run/x/" "$(printf '/run/%0130d' 0)"; do
	expect_err 2 "^nsnet: NSNET_STATE_ROOT: invalid state root" env NSNET_STATE_ROOT="$bad" "$NSNET" net create srnet --subnet 10.91.0.0/24
done
[ ! -e /run/nsnet ] || fail "a refused root still made /run/nsnet"
ip link show dev nsbr-srnet >/dev/null 2>&1 && fail "a refused root still made the bridge"

export NSNET_STATE_ROOT=$ROOT
nsnet ns add sra srb
nsnet net create srnet --subnet 10.91.0.0/24
nsnet net attach srnet sra srb
[ -f "$ROOT/networks/srnet.json" ] || fail "the network's record is not under $ROOT"
[ -e "$ROOT/state.lock" ] || fail "the lock is not under $ROOT"
[ ! -e /run/nsnet ] || fail "/run/nsnet was written: $(find /run/nsnet | head -3)"
assert_eq "$(stat -c %a "$ROOT")" 700 "the root is root's alone"
assert_ping sra 10.91.0.3
assert_eq "$(nsnet net ls --json | jq -r '.[].name')" srnet "net ls reads the other root"
assert_eq "$(env -u NSNET_STATE_ROOT "$NSNET" net ls --json | jq -r 'length')" 0 "the default root has no networks"

printf 'name: sr\nnodes:\n  x1: {}\n  x2: {}\nlinks:\n  - endpoints: [x1:e0, x2:e0]\n    ips: [10.92.0.1/30, 10.92.0.2/30]\n' >"$DIR/sr.yaml"
nsnet up "$DIR/sr.yaml" >/dev/null
[ -f "$ROOT/labs/sr.json" ] || fail "the lab's record is not under $ROOT"
nsnet status sr >/dev/null || fail "status under the other root"
assert_ping x1 10.92.0.2
nsnet gc >/dev/null
nsnet down sr
nsnet net rm srnet --force
[ ! -e "$ROOT/labs/sr.json" ] && [ ! -e "$ROOT/networks/srnet.json" ] || fail "records left under $ROOT"
[ ! -e /run/nsnet ] || fail "/run/nsnet was written"
nsnet ns del sra srb
