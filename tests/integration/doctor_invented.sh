#!/bin/bash
# nsnet doctor on faults nobody listed for it (invented for issue 12), on one
# network lan (10.64.0.0/24: a .2, b .3), each in a fresh setup: doctor names the
# cause, its fix is run verbatim, and ping (the independent witness) and doctor
# agree that it works again.
#   - ARP off on DST's interface (ip link set eth0 arp off)
#   - DST told never to answer ARP (arp_ignore=8)
#   - a blackhole route in SRC
#   - DST's MAC the same as SRC's
#   - DST ignoring echo requests (icmp_echo_ignore_all=1)
#   - DST's permanent neighbour entry for SRC with a wrong MAC (the way back)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

setup() {
	nsnet ns add a b
	nsnet net create lan --subnet 10.64.0.0/24 >/dev/null
	nsnet net attach lan a b
}
teardown() {
	"$NSNET" net rm --force lan >/dev/null 2>&1 || true
	for n in a b; do "$NSNET" ns del --force "$n" >/dev/null 2>&1 || true; done
}
trap teardown EXIT
# broken CAUSE FIX: the fault is in place; diagnose, fix, witness.
broken() {
	assert_no_ping a 10.64.0.3
	expect_broken "$1" "$2" a b
	apply_fix
	ping_after_fix a 10.64.0.3
	expect_reachable a b
	teardown
}

setup
ip -n b link set eth0 arp off
broken "b's eth0 has ARP turned off, so a never learns the MAC of 10.64.0.3" "ip -n b link set eth0 arp on"

setup
ip netns exec b sysctl -qw net.ipv4.conf.eth0.arp_ignore=8
broken "b is told never to answer ARP \(arp_ignore=8\)" \
	"ip netns exec b sysctl -w net.ipv4.conf.all.arp_ignore=0 net/ipv4/conf/eth0/arp_ignore=0"

setup
ip -n a route add blackhole 10.64.0.3/32
broken "a has a blackhole route for 10.64.0.3/32, which covers 10.64.0.3" "ip -n a route del blackhole 10.64.0.3/32"

setup
ip -n b link set eth0 address "$(ip -n a -j link show eth0 | jq -r '.[0].address')"
broken "b's eth0 and a's eth0 have the same MAC" "~^ip -n b link set eth0 address 02:6e:"

setup
ip netns exec b sysctl -qw net.ipv4.icmp_echo_ignore_all=1
broken "b ignores ICMP echo requests \(net.ipv4.icmp_echo_ignore_all=1\)" \
	"ip netns exec b sysctl -w net.ipv4.icmp_echo_ignore_all=0"

setup
ip -n b neigh replace 10.64.0.2 lladdr 02:00:00:00:00:01 dev eth0 nud permanent
broken "b's neighbour entry for 10.64.0.2 is stale: it sends to 02:00:00:00:00:01" "ip -n b neigh del 10.64.0.2 dev eth0"
