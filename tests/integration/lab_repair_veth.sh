#!/bin/bash
# `up` repairs a node whose veth was deleted behind nsnet's back (issue 10, defect 6),
# as docs/labs.md promises: status and up use one check of the recorded node against
# the kernel (namespace, membership, both veth ends), so what status calls degraded
# up replaces. Cases: the host end deleted (`ip link del` in the host), and the
# node's end deleted inside the node. After each: status exits 1, `up --dry-run`
# plans the node's replacement, `up` makes it, status exits 0 and ping works again.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

cat >"$DIR/lab.yaml" <<Y
name: rp
networks:
  rp-net:
    subnet: 10.71.0.0/24
nodes:
  rp1:
    interfaces:
      - network: rp-net
        ip: 10.71.0.11
  rp2:
    interfaces:
      - network: rp-net
        ip: 10.71.0.12
Y
nsnet up "$DIR/lab.yaml" >/dev/null
assert_ping rp1 10.71.0.12
nsnet status rp >/dev/null || fail "status of the fresh lab"

# host_end NODE: the host-side veth of NODE's eth0 (its peer), from the kernel.
host_end() {
	local peer
	peer=$(ip -n "$1" -j link show eth0 | jq -r '.[0].link_index')
	ip -j link show | jq -r --argjson i "$peer" '.[] | select(.ifindex == $i) | .ifname'
}

repair_check() {
	local what=$1
	expect_rc 1 "$NSNET" status rp
	assert_match "$(nsnet status rp --json 2>/dev/null | jq -r .status || true)" '^degraded$' "status after $what"
	assert_eq "$(nsnet up --dry-run "$DIR/lab.yaml" | paste -sd,)" "remove node:rp1,create node:rp1" "plan after $what"
	assert_match "$(nsnet up "$DIR/lab.yaml")" "lab 'rp' is up \(2 changes\)" "up after $what"
	nsnet status rp >/dev/null || fail "status after repairing $what: $(nsnet status rp 2>&1 || true)"
	assert_eq "$(ip -n rp1 -j -4 addr show eth0 | jq -r '.[0].addr_info[0].local')" 10.71.0.11 "rp1's address after $what"
	[ -n "$(host_end rp1)" ] || fail "rp1 has no host end after repairing $what"
	assert_eq "$(ip -j link show "$(host_end rp1)" | jq -r '.[0].master')" rp-net "rp1's host end is on the bridge after $what"
	assert_ping rp1 10.71.0.12
	assert_ping rp2 10.71.0.11
	assert_eq "$(nsnet up "$DIR/lab.yaml")" "lab 'rp' is up to date: no change made" "up after the repair of $what"
}

# 1. The host end, deleted in the host (the witness: it is gone, and rp1's eth0 with it).
hif=$(host_end rp1)
[ -n "$hif" ] || fail "no host end found for rp1"
ip link del "$hif"
! ip link show "$hif" >/dev/null 2>&1 || fail "$hif is still there"
! ip -n rp1 link show eth0 >/dev/null 2>&1 || fail "rp1's eth0 outlived its peer"
assert_no_ping rp2 10.71.0.11
repair_check "the host end deleted"

# 2. The node's end, deleted inside the node.
ip -n rp1 link del eth0
assert_no_ping rp2 10.71.0.11
repair_check "the node's end deleted"

nsnet down rp
state_settles_to "$before" "after down"
