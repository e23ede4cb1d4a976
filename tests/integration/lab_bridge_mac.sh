#!/bin/bash
# Removing a node from a running lab must not cut the other nodes off their gateway.
# A Linux bridge whose MAC nobody set takes the lowest MAC of its ports, and changes
# it when that port goes: the host's gateway address then answers from a new MAC
# while every other node's ARP cache still holds the old one (REACHABLE for tens of
# seconds), so they lose the gateway, the host and NAT until their ARP entries
# expire. So the bridge's MAC must be pinned (addr_assign_type 3, NET_ADDR_SET) and
# must not move when nodes come and go. The node removed here is the one whose port
# gave the bridge its MAC, the worst case, chosen so the test is deterministic.
# Witnesses: /sys/class/net/BR/{address,addr_assign_type}, ip -j link, ping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

# lab N...: nodes bm-N on one network.
lab() {
	printf 'name: bm\nnetworks:\n  bm-net:\n    subnet: 10.66.0.0/24\nnodes:\n'
	for i in "$@"; do printf '  bm-%s:\n    interfaces:\n      - network: bm-net\n' "$i"; done
}
lab 1 2 3 4 5 6 >"$DIR/lab.yaml"
nsnet up "$DIR/lab.yaml" >/dev/null
mac=$(cat /sys/class/net/bm-net/address)
gw=10.66.0.1
for i in 1 2 3 4 5 6; do assert_ping bm-$i $gw; done

# Whose port has the lowest MAC (the one an unpinned bridge takes)?
lowest=$(ip -j link show master bm-net | jq -r 'sort_by(.address) | .[0].ifname')
victim=
for i in 1 2 3 4 5 6; do
	[ "$(ip -n bm-$i -j link show eth0 | jq -r '.[0].link_index')" = "$(cat /sys/class/net/$lowest/ifindex)" ] && victim=$i
done
[ -n "$victim" ] || fail "cannot tell which node owns the bridge port $lowest"
rest=$(seq 6 | grep -vx "$victim")
lab $rest >"$DIR/lab.yaml"
assert_eq "$(nsnet up --dry-run "$DIR/lab.yaml")" "remove node:bm-$victim" "plan"
nsnet up "$DIR/lab.yaml" >/dev/null

# The others still reach the gateway at once (-W1: no waiting for ARP to expire).
lost=
for i in $rest; do ip netns exec bm-$i ping -c1 -W1 $gw >/dev/null 2>&1 || lost="$lost bm-$i"; done
assert_eq "$(cat /sys/class/net/bm-net/address)" "$mac" \
	"the bridge's MAC moved when bm-$victim (its lowest port) went; nodes that lost the gateway:${lost:- none}"
[ -z "$lost" ] || fail "after bm-$victim went, these nodes lost their gateway:$lost"
assert_eq "$(cat /sys/class/net/bm-net/addr_assign_type)" 3 "the bridge's MAC is pinned (NET_ADDR_SET)"

nsnet down bm
state_settles_to "$before" "after down"
