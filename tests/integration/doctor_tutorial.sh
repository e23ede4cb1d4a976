#!/bin/bash
# nsnet doctor on namespaces nsnet did not make: seed 002's tutorial done by hand
# with `ip netns add`, veth pairs and the v-net-0 bridge, and its outside world
# (a `wan` namespace, 203.0.113.0/24, on a veth to the host) reached through the
# host's forwarding and an iptables MASQUERADE rule, as the seed writes it. Broken as
# the seed's readers break it: an address without its netmask (the seed's FAQ), the
# host without an address on the bridge, the MASQUERADE rule deleted. Fixes are `ip`
# and `iptables` commands here: these objects are not nsnet's.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="red blue wan"
# setup [NOMASK]: the seed's steps; NOMASK gives red its address without a netmask.
setup() {
	for n in $NSS; do ip netns add $n; done
	ip link add v-net-0 type bridge
	ip link set dev v-net-0 up
	ip link add veth-red type veth peer name veth-red-br
	ip link add veth-blue type veth peer name veth-blue-br
	ip link set veth-red netns red
	ip link set veth-red-br master v-net-0
	ip link set veth-blue netns blue
	ip link set veth-blue-br master v-net-0
	if [ "${1:-}" = NOMASK ]; then
		ip -n red addr add 192.168.15.1 dev veth-red
	else
		ip -n red addr add 192.168.15.1/24 dev veth-red
	fi
	ip -n blue addr add 192.168.15.2/24 dev veth-blue
	ip -n red link set veth-red up
	ip -n blue link set veth-blue up
	ip link set veth-red-br up
	ip link set veth-blue-br up
	ip addr add 192.168.15.5/24 dev v-net-0
	# The outside world, and the way out to it.
	ip link add veth-wan type veth peer name eth0 netns wan
	ip addr add 203.0.113.1/24 dev veth-wan
	ip link set veth-wan up
	ip -n wan addr add 203.0.113.2/24 dev eth0
	ip -n wan link set eth0 up
	ip -n red route add default via 192.168.15.5 2>/dev/null || true
	ip -n blue route add default via 192.168.15.5
	sysctl -qw net.ipv4.ip_forward=1
	iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE
}
teardown() {
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
	ip link del v-net-0 2>/dev/null || true
	ip link del veth-red-br 2>/dev/null || true
	ip link del veth-blue-br 2>/dev/null || true
	ip link del veth-wan 2>/dev/null || true
	iptables -t nat -F POSTROUTING 2>/dev/null || true
	nft delete table ip nat 2>/dev/null || true
	sysctl -qw net.ipv4.ip_forward=0
}
trap teardown EXIT
for n in $NSS; do [ -e /run/netns/$n ] && skip "a namespace named $n exists already"; done
[ -e /run/nsnet/networks ] && [ -n "$(ls /run/nsnet/networks)" ] && skip "nsnet networks exist already"

# ---- the tutorial as written: reachable, and out through the MASQUERADE rule.
setup
assert_ping red 192.168.15.2
expect_reachable red blue
assert_eq "$DOC_PATH" "red veth-red 192.168.15.1 -> bridge v-net-0 (host) -> blue veth-blue 192.168.15.2" "path"
assert_eq "$(docq .address_note)" "blue's veth-blue, its on-link global IPv4 address" "DST's address"
assert_ping blue 203.0.113.2
expect_reachable blue wan
assert_eq "$DOC_PATH" "blue veth-blue 192.168.15.2 -> host v-net-0 -> veth-wan (forwards, masquerading as 203.0.113.1) -> wan eth0 203.0.113.2" \
	"path to the outside"
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" \
	"host: source NAT out veth-wan: 192.168.15.2 becomes 203.0.113.1 \(table ip nat chain POSTROUTING: rule 1 'ip saddr 192.168.15.0/24 counter masquerade'" \
	"the iptables rule quoted"
teardown

# ---- the seed's FAQ: an address set without its netmask is a /32.
setup NOMASK
assert_no_ping red 192.168.15.2
expect_broken "red's address 192.168.15.1/32 on veth-red has no netmask" \
	"ip -n red addr del 192.168.15.1/32 dev veth-red && ip -n red addr add 192.168.15.1/24 dev veth-red" red blue
# From the other side the packet gets there; the reply has no way back.
expect_broken "red's address 192.168.15.1/32 on veth-red has no netmask, so it has no route back to 192.168.15.2" \
	"ip -n red addr del 192.168.15.1/32 dev veth-red && ip -n red addr add 192.168.15.1/24 dev veth-red" blue red
apply_fix
ping_after_fix red 192.168.15.2
expect_reachable red blue
expect_reachable blue red
teardown

# ---- the seed's "Not Reachable!": the host has no address on the bridge.
setup
ip addr del 192.168.15.5/24 dev v-net-0
! ping -c1 -W1 192.168.15.1 >/dev/null 2>&1 || fail "the host reaches red without an address on v-net-0"
expect_broken "host has no address on bridge v-net-0, behind which 192.168.15.1 is" "ip addr add 192.168.15.3/24 dev v-net-0" \
	host red
apply_fix
ping -c1 -W2 192.168.15.1 >/dev/null || fail "the host cannot ping red after the fix"
expect_reachable host red
assert_eq "$DOC_PATH" "host v-net-0 192.168.15.3 -> bridge v-net-0 (host) -> red veth-red 192.168.15.1" "path from the host"
teardown

# ---- the MASQUERADE rule deleted: the outside world has no way back to 192.168.15.0/24.
setup
iptables -t nat -D POSTROUTING -s 192.168.15.0/24 -j MASQUERADE
assert_no_ping blue 203.0.113.2
expect_broken "no masquerade toward the outside: host sends packets from the private 192.168.15.2 out veth-wan unchanged" \
	"iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -o veth-wan -j MASQUERADE" blue wan
apply_fix
ping_after_fix blue 203.0.113.2
expect_reachable blue wan
teardown
note "ok"
