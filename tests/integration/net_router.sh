#!/bin/bash
# A router namespace between two networks (the tutorials' "router between two
# subnets"): left on net-a, right on net-b, the router on both with fixed addresses;
# `nsnet router` turns forwarding on, `nsnet route add` gives each side a static route
# through it. The host itself does not forward (its ip_forward stays 0), so whatever
# crosses goes through the router.
# Witnesses: ip -j addr/route, /proc/sys inside the router, ping, TTL.
source "$(dirname "$0")/../lib.sh"

L=nr-left M=nr-router R=nr-right
cleanup() {
	for n in $L $M $R; do ip netns del $n 2>/dev/null || true; done
	for _n in nr-a nr-b; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
nsnet ns add $L $M $R
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "the host's ip_forward"

nsnet net create nr-a --subnet 10.70.1.0/24
nsnet net create nr-b --subnet 10.70.2.0/24
nsnet net attach nr-a $M --ip 10.70.1.254 --no-default-route
nsnet net attach nr-b $M --ip 10.70.2.254 --no-default-route
nsnet net attach nr-a $L --no-default-route
nsnet net attach nr-b $R --no-default-route

got=$(ip -n $M -j addr | jq -r '.[] | select(.ifname != "lo") | "\(.ifname) \(.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")"' | sort | paste -sd,)
assert_eq "$got" "eth0 10.70.1.254/24,eth1 10.70.2.254/24" "router's interfaces"
left_ip=$(ip -n $L -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
right_ip=$(ip -n $R -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
assert_eq "$left_ip" 10.70.1.2 "left's address"
assert_eq "$right_ip" 10.70.2.2 "right's address"
for n in $L $M $R; do
	assert_eq "$(ip -n $n -j route show default | jq length)" 0 "default routes in $n (--no-default-route)"
done

# No route, no forwarding: nothing crosses.
assert_no_ping $L $right_ip
nsnet route add $L 10.70.2.0/24 via 10.70.1.254
nsnet route add $R 10.70.1.0/24 via 10.70.2.254
# Routes but forwarding still off in the router: still nothing.
assert_eq "$(ip netns exec $M cat /proc/sys/net/ipv4/ip_forward)" 0 "router's ip_forward before"
assert_no_ping $L $right_ip

nsnet router $M on
assert_eq "$(ip netns exec $M cat /proc/sys/net/ipv4/ip_forward)" 1 "router's ip_forward"
assert_eq "$(ip netns exec $M cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "router's IPv6 forwarding"
assert_eq "$(ip -n $L -j route show 10.70.2.0/24 | jq -r '.[0] | "\(.gateway) \(.dev)"')" "10.70.1.254 eth0" "left's route"
assert_ping $L $right_ip
assert_ping $R $left_ip
# One hop: the router (not the host, which does not forward).
ttl=$(ip netns exec $L ping -c1 -W2 $right_ip | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')
assert_eq "$ttl" 63 "TTL of right's reply"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "the host's ip_forward after"
# The path really is left -> router -> right: right sees left's own address.
ip netns exec $R timeout 5 socat -u TCP-LISTEN:7070,reuseaddr SYSTEM:'echo "$SOCAT_PEERADDR"' >/tmp/nr-peer.$$ &
listener=$!
for _ in $(seq 50); do ip netns exec $R ss -Hltn 'sport = :7070' | grep -q . && break; sleep 0.05; done
echo hi | ip netns exec $L socat -u - TCP:$right_ip:7070 || true
wait $listener || true
peer=$(cat /tmp/nr-peer.$$ 2>/dev/null || true)
rm -f /tmp/nr-peer.$$
assert_eq "$peer" "$left_ip" "source address seen by right"

# Forwarding off again: the path is cut.
nsnet router $M off
assert_no_ping $L $right_ip
nsnet route del $L 10.70.2.0/24
nsnet route del $R 10.70.1.0/24

nsnet net rm --force nr-a nr-b
nsnet ns del $L $M $R
note "ok"
