#!/bin/bash
# status, up's check of the record and show on a lab big enough to be read by more
# than one worker (lib/lab/seen.c and lib/show/show.c split the namespaces between
# threads from 32 up): 70 nodes on one network, plus a veth link between two of them
# and one to the host. Damage of every kind in nodes spread over the range (a node's
# end of its veth, a host end, a whole namespace, a link's end) must be reported
# for exactly those elements, by status and by `up --dry-run`, and repaired by up;
# show must list every namespace with the interfaces `ip` sees.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
N=70
{
	echo "name: sm"
	echo "networks:"
	echo "  sm-net:"
	echo "    subnet: 10.72.0.0/24"
	echo "nodes:"
	for i in $(seq 1 $N); do printf '  sm%d:\n    interfaces:\n      - network: sm-net\n' "$i"; done
	echo "links:"
	echo "  - endpoints: [sm10:p0, sm60:p0]"
	echo "  - endpoints: [sm35:h0, host:smh0]"
} >"$DIR/lab.yaml"
nsnet up "$DIR/lab.yaml" >/dev/null
nsnet status sm >/dev/null || fail "status of the fresh lab: $(nsnet status sm 2>&1 || true)"
# A node is whole when its namespace exists and every interface is ok.
whole='.exists and all(.interfaces[]; .ok)'
assert_eq "$(nsnet status sm --json | jq "[.nodes[] | select($whole)] | length")" $N "whole nodes in the fresh lab"
assert_eq "$(nsnet up "$DIR/lab.yaml")" "lab 'sm' is up to date: no change made" "the unchanged re-up"

# show: every namespace once, in `nsnet ns list`'s order, with the interfaces ip sees.
show=$(nsnet show --json)
assert_eq "$(jq -r '.[].namespace' <<<"$show" | paste -sd,)" "$(ip netns list | awk '{print $1}' | sort | paste -sd,)" \
	"show's namespaces"
for ns in sm1 sm10 sm35 sm36 sm70; do
	assert_eq "$(jq -r --arg n "$ns" '.[] | select(.namespace == $n) | [.interfaces[].name] | sort | join(",")' <<<"$show")" \
		"$(ip -n "$ns" -j link show | jq -r '[.[].ifname] | sort | join(",")')" "show's interfaces of $ns"
done

host_end() {
	local peer
	peer=$(ip -n "$1" -j link show eth0 | jq -r '.[0].link_index')
	ip -j link show | jq -r --argjson i "$peer" '.[] | select(.ifindex == $i) | .ifname'
}

# The damage, each checked by its witness.
ip -n sm5 link del eth0
[ "$(ip -n sm5 -j link show | jq '[.[] | select(.ifname == "eth0")] | length')" = 0 ] || fail "sm5's eth0 is still there"
h=$(host_end sm40)
ip link del "$h"
ip link show "$h" >/dev/null 2>&1 && fail "sm40's host end $h is still there"
ip netns del sm66
[ -e /run/netns/sm66 ] && fail "sm66 is still there"
ip -n sm60 link del p0
ip link del smh0

expect_rc 1 "$NSNET" status sm
st=$(nsnet status sm --json || true)
assert_eq "$(jq -r "[.nodes[] | select($whole | not) | .name] | sort | join(\",\")" <<<"$st")" "sm40,sm5,sm66" "nodes not whole"
assert_eq "$(jq -r '[.nodes[] | select(.exists | not) | .name] | join(",")' <<<"$st")" "sm66" "nodes gone"
assert_eq "$(jq -r '[.links[] | select(.ok | not) | .nodes | join("-")] | sort | join(",")' <<<"$st")" \
	"sm10-sm60,sm35-host" "links not ok"
assert_eq "$(jq -r '[.links[] | select(.ok) ] | length' <<<"$st")" 0 "links ok"
plan=$(nsnet up --dry-run "$DIR/lab.yaml" | grep '^remove' | sort | paste -sd,)
assert_eq "$plan" "remove link:sm10:p0|sm60:p0,remove link:sm35:h0|host:smh0,remove node:sm40,remove node:sm5,remove node:sm66" \
	"what up replaces"

nsnet up "$DIR/lab.yaml" >/dev/null
nsnet status sm >/dev/null || fail "status after the repair: $(nsnet status sm 2>&1 || true)"
for ns in sm5 sm40 sm66; do
	[ -n "$(host_end $ns)" ] || fail "$ns has no host end after the repair"
done
ip -n sm60 link show p0 >/dev/null || fail "sm60's p0 is not back"
ip link show smh0 >/dev/null || fail "the host's smh0 is not back"
assert_eq "$(nsnet up "$DIR/lab.yaml")" "lab 'sm' is up to date: no change made" "the re-up after the repair"
nsnet down sm
