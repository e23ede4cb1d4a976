#!/bin/bash
# nsnet doctor across routers: networks n1 (10.1.0.0/24, red) and n2 (10.2.0.0/24,
# blue) routed by the host, and an outside world: a `wan` namespace with
# 203.0.113.0/24 on a veth to the host, with no route back to the private networks.
# Each case in a fresh setup, broken the way a user would with ip/sysctl (or made the
# way a user forgets a step): missing default route, the gateway address gone from
# the bridge, host forwarding off, no masquerade toward the outside, no return route
# in DST, two networks nsnet isolates. The printed fix, run as printed, must work,
# with ping as the independent witness.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="red blue wan"
# setup [--nat]: n1 with or without NAT; the host forwards in any case.
setup() {
	for n in $NSS; do ip netns add $n; done
	nsnet net create n1 --subnet 10.1.0.0/24 "$@" >/dev/null
	nsnet net create n2 --subnet 10.2.0.0/24 >/dev/null
	nsnet net attach n1 red
	nsnet net attach n2 blue
	nsnet connect host wan --ip 203.0.113.1/24,203.0.113.2/24
	sysctl -qw net.ipv4.ip_forward=1
}
teardown() {
	for _n in n1 n2; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
	ip link del to-wan 2>/dev/null || true
	sysctl -qw net.ipv4.ip_forward=0
}
trap teardown EXIT
for n in $NSS; do [ -e /run/netns/$n ] && skip "a namespace named $n exists already"; done
"$NSNET" net set --help >/dev/null 2>&1 || fail "nsnet net set is missing"

# ---- healthy: out through the host's masquerade, and across two allowed networks.
setup --nat
assert_ping red 203.0.113.2
expect_reachable red wan
assert_eq "$DOC_PATH" "red eth0 10.1.0.2 -> host n1 -> to-wan (forwards, masquerading as 203.0.113.1) -> wan to-host 203.0.113.2" \
	"path to the outside"
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "host: source NAT out to-wan: 10.1.0.2 becomes 203.0.113.1 \(table inet nsnet chain postrouting" \
	"masquerade evidence"
nsnet net set n1 allow n2
assert_ping red 10.2.0.2
expect_reachable red blue
assert_eq "$DOC_PATH" "red eth0 10.1.0.2 -> host n1 -> n2 (forwards) -> bridge n2 (host) -> blue eth0 10.2.0.2" "routed path"
teardown

# ---- no default route in SRC.
setup --nat
ip -n red route del default
assert_no_ping red 203.0.113.2
expect_broken "red has no default route, and 203.0.113.2 is outside its connected networks" \
	"nsnet route add red default via 10.1.0.1" red wan
assert_eq "$(docq .probe.detail)" "cannot send: Network is unreachable" "probe detail"
apply_fix
ping_after_fix red 203.0.113.2
expect_reachable red wan
teardown

# ---- the gateway's address removed from the bridge: red's ARP for it goes unanswered.
setup --nat
ip addr del 10.1.0.1/24 dev n1
assert_no_ping red 203.0.113.2
expect_broken "the gateway 10.1.0.1 is missing: no interface on network n1 \(bridge n1\) has it" \
	"ip addr add 10.1.0.1/24 dev n1" red wan
apply_fix
ping_after_fix red 203.0.113.2
expect_reachable red wan
teardown

# ---- host forwarding off.
setup --nat
sysctl -qw net.ipv4.ip_forward=0
assert_no_ping red 203.0.113.2
expect_broken "host does not forward \(net.ipv4.ip_forward=0\)" "sysctl -w net.ipv4.ip_forward=1" red wan
apply_fix
ping_after_fix red 203.0.113.2
expect_reachable red wan
teardown

# ---- no masquerade toward the outside: the network was made without --nat, so the
# outside world sees a private source it has no route back to.
setup
assert_no_ping red 203.0.113.2
expect_broken "no masquerade toward the outside: host sends packets from the private 10.1.0.2 out to-wan unchanged" \
	"nsnet net set n1 nat on" red wan
assert_eq "$(docq '.checks[-1].evidence')" "wan: no route back to 10.1.0.2 (Network is unreachable)" "failed check"
apply_fix
ping_after_fix red 203.0.113.2
expect_reachable red wan
teardown

# ---- no return route in DST: blue's default route deleted.
setup
nsnet net set n1 allow n2
ip -n blue route del default
assert_no_ping red 10.2.0.2
expect_broken "blue has no route back to 10.1.0.2" "nsnet route add blue 10.1.0.0/24 via 10.2.0.1" red blue
apply_fix
ping_after_fix red 10.2.0.2
expect_reachable red blue
teardown

# ---- two networks nsnet isolates (the default).
setup
assert_no_ping red 10.2.0.2
expect_broken "nsnet isolates network n1 from network n2" "nsnet net set n1 allow n2" red blue
assert_match "$(docq '.checks[-1].evidence')" "host: firewall forward: .* dropped by table inet nsnet chain forward" "failed check"
apply_fix
ping_after_fix red 10.2.0.2
expect_reachable red blue
teardown
note "ok"
