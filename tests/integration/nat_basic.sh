#!/bin/bash
# NAT: a network created with --nat reaches an outside world (namespace 'wan' on
# 203.0.113.0/24 and 2001:db8:1::/64, behind the host, with no route back to the
# networks) and the outside sees the host's address, IPv4 and IPv6. A network without
# NAT is routed, not masqueraded. `net set nat off|on` toggles it. Forwarding is
# turned on and given back. A NAT network is not reachable directly from outside.
# Witnesses: socat servers printing the peer address, /proc/sys, nft list ruleset.
source "$(dirname "$0")/../lib.sh"

A=nat-a B=nat-b W=nat-wan
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in nat-on nat-off; do "$NSNET" net rm $n --force 2>/dev/null || true; done
	for n in $A $B $W; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT

# ask NS ADDR PORT: connect with TCP, print what the server answers (its view of us).
ask() { echo hi | ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" 2>/dev/null || true; }
serve() { ip netns exec "$1" socat "$2,fork,reuseaddr" SYSTEM:'read l; echo "peer=$SOCAT_PEERADDR"' & PIDS+=($!); }

fwd_before="$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)"
nsnet ns add $A $B $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0
ip -6 addr add 2001:db8:1::1/64 dev wan0 nodad
ip -n $W -6 addr add 2001:db8:1::2/64 dev eth0 nodad
serve $W TCP4-LISTEN:9000
serve $W TCP6-LISTEN:9001
serve $A TCP4-LISTEN:80
serve $B TCP4-LISTEN:80
sleep 0.3

nsnet net create nat-on --subnet 10.31.0.0/24 --subnet fd31::/64 --nat
nsnet net create nat-off --subnet 10.32.0.0/24
nsnet net attach nat-on $A
nsnet net attach nat-off $B
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)" "1 1" \
	"forwarding with a NAT network that has an IPv6 subnet"
assert_match "$(nft list set inet nsnet nat4)" "10\.31\.0\.0/24" "nat4 set holds the NAT subnet"
assert_no_match "$(nft list set inet nsnet nat4)" "10\.32\.0\.0" "nat4 set does not hold the plain subnet"

# The outside sees the host, for IPv4 and IPv6.
assert_eq "$(ask $A 203.0.113.2 9000)" "peer=203.0.113.1" "wan's view of $A (IPv4, masqueraded)"
assert_match "$(ask $A '[2001:db8:1::2]' 9001)" "^peer=\[?(2001:db8:1::1|2001:0db8:0001:0000:0000:0000:0000:0001)\]?$" "wan's view of $A (IPv6, masqueraded)"
# Without NAT there is no way back (wan has no route to the network)...
assert_eq "$(ask $B 203.0.113.2 9000)" "" "$B (no NAT) gets no answer from wan"
# ...and with one, wan sees the namespace's own address: routed, not masqueraded.
ip -n $W route add 10.32.0.0/24 via 203.0.113.1
ip -n $W route add 10.31.0.0/24 via 203.0.113.1
assert_eq "$(ask $B 203.0.113.2 9000)" "peer=10.32.0.2" "wan's view of $B (no NAT: its own address)"
# A NAT network is reachable from outside only through published ports.
assert_eq "$(ask $W 10.31.0.2 80)" "" "wan reaches into the NAT network directly"
assert_eq "$(ask $W 10.32.0.2 80)" "peer=203.0.113.2" "wan reaches the routed (no NAT) network"
ip -n $W route del 10.31.0.0/24 via 203.0.113.1

# nat off, on.
nsnet net set nat-on nat off
assert_eq "$(ask $A 203.0.113.2 9000)" "" "$A after 'nat off'"
assert_eq "$("$NSNET" net show nat-on --json | jq -r .nat)" "false" "net show after 'nat off'"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)" "$fwd_before" \
	"forwarding given back with no NAT network left"
nsnet net set nat-on nat off   # idempotent
nsnet net set nat-on nat on
assert_eq "$(ask $A 203.0.113.2 9000)" "peer=203.0.113.1" "$A after 'nat on'"
assert_eq "$("$NSNET" net ls | awk '$1 == "nat-on" {print $4}')" "yes" "net ls NAT column"

# Bad input changes nothing.
rules=$(nft list ruleset)
expect_err 2 "expected 'on' or 'off'" "$NSNET" net set nat-on nat maybe
expect_err 2 "unknown setting 'frob'" "$NSNET" net set nat-on frob x
expect_err 2 "net set: expected" "$NSNET" net set nat-on nat
expect_err 1 "network 'nat-nowhere' not found" "$NSNET" net set nat-nowhere nat on
expect_err 2 "invalid network name" "$NSNET" net set ../x nat on
assert_eq "$(nft list ruleset)" "$rules" "ruleset after refused commands"

nsnet net rm nat-on nat-off --force
assert_eq "$(nft list ruleset)" "" "ruleset after removing every network"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)" "$fwd_before" \
	"forwarding given back"
[ ! -e /run/nsnet/fw.json ] || fail "/run/nsnet/fw.json left behind"
note "ok"
