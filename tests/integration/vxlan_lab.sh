#!/bin/bash
# Two labs on two hosts that name the same network form one L2 segment: the two
# halves of examples/vxlan-host-{a,b}.yaml, unchanged, on two simulated hosts
# (tests/vxlan_hosts.sh: their underlay addresses are the examples' 192.0.2.1 and
# .2). web (host A) and db (host B) ping each other with addresses from their own
# host's range; status is ok; a second up changes nothing. A re-up with another
# peer in the file changes the network in place: only FDB entries (the VXLAN port
# and the members keep their ifindex). Lab-file errors (no range, VNI 0, peer = local,
# unknown key) point at the line. down removes the port.
# Witnesses: ping, ip -j link/addr, bridge fdb.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vxlan_hosts.sh"

EX=$(cd "$(dirname "$0")/../../examples" && pwd)
DIR=$(mktemp -d)
cleanup() {
	hosts_down web db
	rm -rf "$DIR"
}
trap cleanup EXIT
hosts_up

on_a up "$EX/vxlan-host-a.yaml" >/dev/null
on_b up "$EX/vxlan-host-b.yaml" >/dev/null
ip_of() { ip -n "$1" -j addr show dev eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local'; }
assert_eq "$(ip_of web)" 10.10.0.16 "web's address: the first of host A's range"
assert_eq "$(ip_of db)" 10.10.0.128 "db's address: the first of host B's range"
assert_eq "$(ip -n web -j link show dev eth0 | jq -r '.[0].mtu')" 1450 "web's MTU"
assert_ping web 10.10.0.128
assert_ping db 10.10.0.16
assert_ping web 10.10.0.1
assert_ping db 10.10.0.2
assert_eq "$(in_a bridge fdb show dev vx-overlay | grep '^00:00' | awk '{print $3}')" $UB "A's peers"
assert_eq "$(in_b bridge fdb show dev vx-overlay | grep '^00:00' | awk '{print $3}')" $UA "B's peers"
assert_eq "$(on_a status vxlan-host-a --json | jq -r '.networks[0].ok')" true "status on host A"
assert_match "$(on_a up "$EX/vxlan-host-a.yaml")" "is up to date: no change made" "second up"

# ---- another peer, by the file: in place
vx_idx=$(in_a ip -j link show dev vx-overlay | jq -r '.[0].ifindex')
web_idx=$(ip -n web -j link show dev eth0 | jq -r '.[0].ifindex')
sed 's/peers: \[192.0.2.2\]/peers: [192.0.2.2, 192.0.2.3]/' "$EX/vxlan-host-a.yaml" >"$DIR/a3.yaml"
explain=$(on_a up --dry-run --explain "$DIR/a3.yaml")
assert_match "$explain" "bridge fdb append 00:00:00:00:00:00 dev vx-overlay dst 192.0.2.3" "explain"
assert_no_match "$explain" "ip link (add|del)" "explain replaces a link"
assert_match "$explain" "vxlan peers 192.0.2.2 -> 192.0.2.2,192.0.2.3" "the plan says what changes"
assert_match "$(on_a up "$DIR/a3.yaml")" "is up \(1 change\)" "up"
assert_eq "$(in_a bridge fdb show dev vx-overlay | grep '^00:00' | awk '{print $3}' | sort | tr '\n' ' ')" \
	"192.0.2.2 192.0.2.3 " "A's peers after the re-up"
assert_eq "$(in_a ip -j link show dev vx-overlay | jq -r '.[0].ifindex')" "$vx_idx" "the VXLAN port was replaced"
assert_eq "$(ip -n web -j link show dev eth0 | jq -r '.[0].ifindex')" "$web_idx" "web's interface was replaced"
assert_ping web 10.10.0.128
on_a up "$EX/vxlan-host-a.yaml" >/dev/null
assert_eq "$(in_a bridge fdb show dev vx-overlay | grep '^00:00' | awk '{print $3}')" $UB "the peer went again"
assert_eq "$(in_a ip -j link show dev vx-overlay | jq -r '.[0].ifindex')" "$vx_idx" "the VXLAN port was replaced"

# ---- lab-file errors point at the place
bad() {  # bad PATTERN: the file on stdin is refused with exit 2 and PATTERN
	cat >"$DIR/bad.yaml"
	expect_err 2 "$1" on_a up "$DIR/bad.yaml"
}
bad "bad.yaml:[0-9]+:[0-9]+: .*needs a range" <<'Y'
name: bad
networks:
  n1:
    subnet: 10.11.0.0/24
    vxlan: { vni: 5, peers: [192.0.2.2] }
Y
bad "bad.yaml:6:14: vni must be 1..16777215, not 0" <<'Y'
name: bad
networks:
  n1:
    subnet: 10.11.0.0/24
    range: 10.11.0.10-10.11.0.20
    vxlan: { vni: 0 }
Y
bad "bad.yaml:6:[0-9]+: peer 192.0.2.1 is this host's own address" <<'Y'
name: bad
networks:
  n1:
    subnet: 10.11.0.0/24
    range: 10.11.0.10-10.11.0.20
    vxlan: { vni: 5, local: 192.0.2.1, peers: [192.0.2.1] }
Y
bad "bad.yaml:[0-9]+:[0-9]+: .*unknown key 'group'" <<'Y'
name: bad
networks:
  n1:
    subnet: 10.11.0.0/24
    range: 10.11.0.10-10.11.0.20
    vxlan: { vni: 5, group: 239.1.1.1 }
Y
bad "bad.yaml:5:[0-9]+: range 10.12.0.1-10.12.0.5 is not a range of usable addresses of 10.11.0.0/24" <<'Y'
name: bad
networks:
  n1:
    subnet: 10.11.0.0/24
    range: 10.12.0.1-10.12.0.5
Y
[ ! -e /run/nsnet-A/labs/bad.json ] || fail "a refused lab was recorded"

on_a down vxlan-host-a
on_b down vxlan-host-b
! in_a ip link show dev vx-overlay >/dev/null 2>&1 || fail "vx-overlay left on host A"
! in_b ip link show dev overlay >/dev/null 2>&1 || fail "the bridge left on host B"
