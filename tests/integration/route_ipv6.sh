#!/bin/bash
# Static IPv6 routes through a router namespace: global next hops, a link-local next
# hop with its device, and an IPv6 default route. Addresses are added with nodad so
# they are usable at once. Witnesses: ip -6 -j route, ping -6 end to end.
source "$(dirname "$0")/../lib.sh"

L=rt6-left M=rt6-mid R=rt6-right
cleanup() { for n in $L $M $R; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT

for n in $L $M $R; do ip netns add $n; ip -n $n link set lo up; done
ip -n $L link add eth0 type veth peer name to-left netns $M
ip -n $R link add eth0 type veth peer name to-right netns $M
ip -n $L addr add fd00:1::2/64 dev eth0 nodad
ip -n $M addr add fd00:1::1/64 dev to-left nodad
ip -n $M addr add fe80::1/64 dev to-right nodad
ip -n $M addr add fd00:2::1/64 dev to-right nodad
ip -n $R addr add fd00:2::2/64 dev eth0 nodad
ip -n $R addr add fe80::2/64 dev eth0 nodad
for x in "$L eth0" "$M to-left" "$M to-right" "$R eth0"; do set -- $x; ip -n $1 link set $2 up; done

ping6() { ip netns exec "$1" ping -6 -c1 -W2 "$2" >/dev/null 2>&1; }
ping6 $L fd00:2::2 && fail "$L reaches fd00:2::2 before any route exists"

nsnet router $M on
assert_eq "$(ip netns exec $M cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "IPv6 forwarding in $M"

nsnet route add $L fd00:2::/64 via fd00:1::1
got=$(ip -n $L -6 -j route show fd00:2::/64 | jq -r '.[] | "\(.dst) \(.gateway) \(.dev) \(.protocol)"')
assert_eq "$got" "fd00:2::/64 fd00:1::1 eth0 static" "IPv6 route in $L"

# A link-local next hop needs its device; with it, the default route of right.
expect_err 2 "link-local gateway fe80::1 needs a device" "$NSNET" route add $R ::/0 via fe80::1
nsnet route add $R default via fe80::1 dev eth0
got=$(ip -n $R -6 -j route show default | jq -r '.[] | "\(.dst) \(.gateway) \(.dev)"')
assert_eq "$got" "default fe80::1 eth0" "IPv6 default route in $R"

assert_eq "$("$NSNET" route ls $L -6 --json | jq -r '.[] | select(.protocol == "static") | "\(.dst) \(.gateway)"')" \
	"fd00:2::/64 fd00:1::1" "route ls -6 $L"
assert_eq "$("$NSNET" route ls $L -4 --json | jq length)" 0 "IPv4 routes in $L (none)"

ping6 $L fd00:2::2 || fail "$L cannot ping fd00:2::2 through $M"
ping6 $R fd00:1::2 || fail "$R cannot ping fd00:1::2 through $M"

# Host bits are refused for IPv6 too (the kernel would silently mask them).
expect_err 2 "host bits set.*fd00:3::/64" "$NSNET" route add $L fd00:3::1/64 via fd00:1::1
assert_eq "$(ip -n $L -6 -j route show fd00:3::/64 | jq length)" 0 "no route to fd00:3::/64"

expect_err 1 "already exists" "$NSNET" route add $L fd00:2::/64 via fd00:1::1
nsnet route del $L fd00:2::/64
nsnet route del $R ::/0 via fe80::1 dev eth0
assert_eq "$(ip -n $L -6 -j route show fd00:2::/64 | jq length)" 0 "IPv6 route gone from $L"
assert_eq "$(ip -n $R -6 -j route show default | jq length)" 0 "IPv6 default gone from $R"
ping6 $L fd00:2::2 && fail "$L still reaches fd00:2::2 after the route was deleted"
note "ok"
