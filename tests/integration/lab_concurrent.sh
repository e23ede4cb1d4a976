#!/bin/bash
# Commands on the same lab never interleave. Three `up`s of one 60-node file at once:
# all succeed, exactly one makes the lab and the others find it up to date. Two
# different versions of a lab brought up at once: both succeed, and the result is
# one of them, whole (kernel and state agree: status exit 0, the nodes are those of
# one file, addresses distinct). `up` and `down` racing: the lab ends either up and
# whole or gone, never half. Meanwhile gc runs and must not undo a live up.
# Witnesses: ls /run/netns, ip -j addr in every node, the network's state file, status.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

big_yaml cc 60 cc-net 10.82.0.0/16 >"$DIR/a.yaml"
big_yaml cc 75 cc-net 10.82.0.0/16 >"$DIR/b.yaml"

# whole N: the lab is up with nodes cc-001..cc-N, each with one distinct address,
# and nsnet's records say the same.
whole() {
	local n=$1
	nsnet status cc >/dev/null || fail "status of the lab is not 'up': $("$NSNET" status cc | grep -v ' ok$' | head -5 | paste -sd';')"
	assert_eq "$(ls /run/netns | paste -sd' ')" "$(seq -f 'cc-%03g' 1 "$n" | paste -sd' ')" "namespaces"
	local addrs
	addrs=$(for ns in $(ls /run/netns); do ip -n "$ns" -j -4 addr show eth0 | jq -r '.[0].addr_info[].local'; done | sort)
	assert_eq "$(echo "$addrs" | wc -l)" "$n" "addresses"
	assert_eq "$(echo "$addrs" | sort -u | wc -l)" "$n" "distinct addresses"
	assert_eq "$(jq -r '[.members[].ips[0] | sub("/.*"; "")] | sort | .[]' /run/nsnet/networks/cc-net.json)" "$addrs" "the pool's record against the kernel"
	assert_eq "$(jq -r '.elements | keys | map(select(startswith("node:"))) | length' /run/nsnet/labs/cc.json)" "$n" "nodes in the lab's record"
	assert_eq "$(jq -r .status /run/nsnet/labs/cc.json)" up "the lab's recorded status"
	assert_eq "$(ip -j link show master cc-net | jq length)" "$n" "bridge ports"
}

# 1. The same file three times at once.
for i in 1 2 3; do "$NSNET" up "$DIR/a.yaml" >"$DIR/out$i" 2>&1 & done
# gc in the middle of it: it must wait for the lock and not undo a live up.
sleep 0.05
nsnet gc >/dev/null
wait_all() { local p rc=0; for p in $(jobs -p); do wait "$p" || rc=$?; done; return $rc; }
wait_all || fail "a concurrent up failed: $(cat "$DIR"/out* | paste -sd';')"
assert_eq "$(grep -l "is up (61 changes)" "$DIR"/out* | wc -l)" 1 "ups that made the lab"
assert_eq "$(grep -l "up to date: no change made" "$DIR"/out* | wc -l)" 2 "ups that found it made"
whole 60
nsnet down cc
state_settles_to "$before" "after down"

# 2. Two versions at once: the lab is one of them, whole.
for round in 1 2 3; do
	"$NSNET" up "$DIR/a.yaml" >"$DIR/out1" 2>&1 &
	"$NSNET" up "$DIR/b.yaml" >"$DIR/out2" 2>&1 &
	wait_all || fail "round $round: a concurrent up failed: $(cat "$DIR"/out1 "$DIR"/out2 | paste -sd';')"
	n=$(ls /run/netns | wc -l)
	[ "$n" = 60 ] || [ "$n" = 75 ] || fail "round $round: $n namespaces, neither version"
	whole "$n"
done
nsnet down cc
state_settles_to "$before" "after down"

# 3. up and down racing: up and whole, or gone.
for delay in 0 0.02 0.05 0.1; do
	"$NSNET" up "$DIR/a.yaml" >"$DIR/out1" 2>&1 &
	sleep $delay
	"$NSNET" down cc >"$DIR/out2" 2>&1 &
	wait_all || true
	if [ -e /run/nsnet/labs/cc.json ]; then
		whole 60
		nsnet down cc
	else
		grep -q "lab 'cc' not found" "$DIR/out2" || [ ! -s "$DIR/out2" ] || fail "down's output: $(cat "$DIR/out2")"
	fi
	state_settles_to "$before" "after up/down racing (down ${delay}s later)"
done
