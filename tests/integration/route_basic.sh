#!/bin/bash
# Static IPv4 routes through a router namespace, the tutorial's "router between two
# networks": left -- mid -- right on two veth links made with `ip`, mid made a router
# with `nsnet router`, routes added and removed with `nsnet route`.
# Witnesses: ip -j route (what the kernel has), ping end to end (that it works).
source "$(dirname "$0")/../lib.sh"

L=rtb-left M=rtb-mid R=rtb-right
cleanup() { for n in $L $M $R; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT

for n in $L $M $R; do ip netns add $n; ip -n $n link set lo up; done
ip -n $L link add eth0 type veth peer name to-left netns $M
ip -n $R link add eth0 type veth peer name to-right netns $M
ip -n $L addr add 10.0.1.2/24 dev eth0
ip -n $M addr add 10.0.1.1/24 dev to-left
ip -n $M addr add 10.0.2.1/24 dev to-right
ip -n $R addr add 10.0.2.2/24 dev eth0
for x in "$L eth0" "$M to-left" "$M to-right" "$R eth0"; do set -- $x; ip -n $1 link set $2 up; done

# No routes yet: left cannot reach right's network.
assert_no_ping $L 10.0.2.2

nsnet router $M on
nsnet route add $L 10.0.2.0/24 via 10.0.1.1
# right gets a default route, named with the 'default' keyword and a device.
nsnet route add $R default via 10.0.2.1 dev eth0

# The kernel has exactly what was asked for.
got=$(ip -n $L -j route show 10.0.2.0/24 | jq -r '.[] | "\(.dst) \(.gateway) \(.dev) \(.protocol)"')
assert_eq "$got" "10.0.2.0/24 10.0.1.1 eth0 static" "route in $L"
got=$(ip -n $R -j route show default | jq -r '.[] | "\(.dst) \(.gateway) \(.dev)"')
assert_eq "$got" "default 10.0.2.1 eth0" "default route in $R"

# route ls agrees with ip, in text and JSON.
assert_eq "$("$NSNET" route ls $L | grep static)" "10.0.2.0/24 via 10.0.1.1 dev eth0 proto static" "route ls $L"
got=$("$NSNET" route ls $L -4 --json | jq -r '.[] | "\(.dst) \(.gateway) \(.dev) \(.protocol)"' | sort)
want=$(ip -n $L -4 -j route show table main | jq -r '.[] | "\(.dst)\(if .dst | test("/") then "" else "/32" end) \(.gateway) \(.dev) \(.protocol)"' | sort)
assert_eq "$got" "$want" "route ls $L --json against ip -j route"
assert_eq "$("$NSNET" route ls $R -4 --json | jq -r '.[] | select(.dst == "default") | .gateway')" 10.0.2.1 "route ls $R"

assert_ping $L 10.0.2.2
assert_ping $R 10.0.1.2
# Forwarded, not answered by mid itself: the TTL dropped by one on the way.
ttl=$(ip netns exec $L ping -c1 -W2 10.0.2.2 | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')
assert_eq "$ttl" 63 "TTL of right's reply seen by left"

# A host route (bare address) and an on-link route (device only).
nsnet route add $L 10.0.2.2 via 10.0.1.1
got=$(ip -n $L -j route show 10.0.2.2/32 | jq -r '.[] | "\(.dst) \(.gateway)"')
assert_eq "$got" "10.0.2.2 10.0.1.1" "host route in $L"
nsnet route add $M 198.51.100.0/24 dev to-right
got=$(ip -n $M -j route show 198.51.100.0/24 | jq -r '.[] | "\(.dst) \(.dev) \(.scope) \(.gateway)"')
assert_eq "$got" "198.51.100.0/24 to-right link null" "on-link route in $M"

# The same route twice is refused, and the first one stays.
expect_err 1 "already exists" "$NSNET" route add $L 10.0.2.0/24 via 10.0.1.1
assert_eq "$(ip -n $L -j route show 10.0.2.0/24 | jq length)" 1 "routes to 10.0.2.0/24 in $L"

# Delete: by destination only, and with via/dev that must match.
nsnet route del $L 10.0.2.2
assert_eq "$(ip -n $L -j route show 10.0.2.2/32 | jq length)" 0 "host route gone"
expect_err 1 "no such route" "$NSNET" route del $L 10.0.2.0/24 via 10.0.1.99
expect_err 1 "no such route" "$NSNET" route del $M 198.51.100.0/24 dev to-left
nsnet route del $M 198.51.100.0/24 dev to-right
nsnet route del $L 10.0.2.0/24 via 10.0.1.1
assert_eq "$(ip -n $L -j route show 10.0.2.0/24 | jq length)" 0 "route gone from $L"
assert_no_ping $L 10.0.2.2
expect_err 1 "delete route 10.0.2.0/24 in 'rtb-left': no such route" "$NSNET" route del $L 10.0.2.0/24

# A route made by iproute2 (proto boot) is deleted too, as `ip route del` would.
ip -n $L route add 10.0.2.0/24 via 10.0.1.1
nsnet route del $L 10.0.2.0/24
assert_eq "$(ip -n $L -j route show 10.0.2.0/24 | jq length)" 0 "ip-made route deleted"

# The connected routes were never touched.
assert_eq "$(ip -n $L -j route show 10.0.1.0/24 | jq -r '.[0].protocol')" kernel "connected route in $L"
note "ok"
