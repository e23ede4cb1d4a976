#!/bin/bash
# IPv6 across a bridge: a dual-stack network (--subnet 10.x/24 --subnet fd00:.../64),
# addresses usable at once (no DAD wait: not tentative, the very first ping -6 answers),
# ping -6 to the v6 gateway, between namespaces and from the host; an IPv6-only network;
# an IPv4-only network makes no IPv6 link-local noise at all.
# Witnesses: ip -j addr/route, bridge -j link, ping, ping -6.
source "$(dirname "$0")/../lib.sh"

A=n6-a B=n6-b C=n6-c V4=n6-v4
cleanup() {
	for n in $A $B $C $V4; do ip netns del $n 2>/dev/null || true; done
	for _n in n6-ds n6-only n6-four; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
nsnet ns add $A $B $C $V4

v6_of() { ip -n "$1" -j addr show dev "${2:-eth0}" | jq -r '[.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | "\(.local)/\(.prefixlen)"] | join(" ")'; }

# ---- dual stack.
nsnet net create n6-ds --subnet 10.80.0.0/24 --subnet fd00:80::/64
got=$(ip -j addr show n6-ds | jq -r '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | join(" ")')
assert_eq "$got" "10.80.0.1/24 fd00:80::1/64" "gateways on the bridge"
# The gateway is usable at once too.
assert_eq "$(ip -j addr show n6-ds | jq '[.[0].addr_info[] | select(.local == "fd00:80::1") | .tentative // false] | .[0]')" \
	false "fd00:80::1 tentative"
show=$(nsnet net show n6-ds --json)
assert_eq "$(echo "$show" | jq -r '[.subnets[] | "\(.cidr) \(.gateway)"] | join(",")')" \
	"10.80.0.0/24 10.80.0.1,fd00:80::/64 fd00:80::1" "net show subnets"

nsnet net attach n6-ds $A $B
# Right away, before any DAD could finish: not tentative, and the first ping answers.
for n in $A $B; do
	t=$(ip -n $n -j addr show eth0 | jq '[.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .tentative // false] | .[0]')
	assert_eq "$t" false "global IPv6 address of $n tentative"
done
ip netns exec $A ping -6 -c1 -W2 fd00:80::3 >/dev/null || fail "first ping -6 from $A to $B failed"
assert_eq "$(v6_of $A)" "fd00:80::2/64" "IPv6 address of $A"
assert_eq "$(v6_of $B)" "fd00:80::3/64" "IPv6 address of $B"
assert_eq "$(ip -n $A -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	"10.80.0.2/24" "IPv4 address of $A"
# Both default routes, each via its family's gateway.
assert_eq "$(ip -n $A -j route show default | jq -r '.[] | "\(.gateway) \(.dev)"')" "10.80.0.1 eth0" "v4 default of $A"
assert_eq "$(ip -n $A -6 -j route show default | jq -r '.[] | "\(.gateway) \(.dev)"')" "fd00:80::1 eth0" "v6 default of $A"
# net show lists both addresses of each member.
assert_eq "$(nsnet net show n6-ds --json | jq -r --arg n $A '.members[] | select(.ns == $n) | .ips | join(" ")')" \
	"10.80.0.2/24 fd00:80::2/64" "member $A in net show"
ip netns exec $A ping -6 -c1 -W2 fd00:80::1 >/dev/null || fail "$A cannot ping -6 the gateway"
ip netns exec $B ping -6 -c1 -W2 fd00:80::2 >/dev/null || fail "$B cannot ping -6 $A"
ping -6 -c1 -W2 fd00:80::3 >/dev/null || fail "the host cannot ping -6 $B"
assert_ping $A 10.80.0.3
# A static IPv6 address (the IPv4 one comes from the pool).
nsnet net attach n6-ds $C --ip fd00:80::c
assert_eq "$(v6_of $C)" "fd00:80::c/64" "static IPv6 address of $C"
assert_eq "$(ip -n $C -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.80.0.4 "IPv4 of $C"
ip netns exec $C ping -6 -c1 -W2 fd00:80::2 >/dev/null || fail "$C cannot ping -6 $A"
# Link-local works too across the bridge (the network carries IPv6).
ll=$(ip -n $B -j addr show eth0 | jq -r '.[0].addr_info[] | select(.scope == "link") | .local')
[ -n "$ll" ] || fail "no link-local address on $B's eth0 in a dual-stack network"
nsnet net detach n6-ds $A $B $C

# ---- IPv6 only.
nsnet net create n6-only --subnet fd00:81::/64 --gateway fd00:81::fe
nsnet net attach n6-only $A $B
assert_eq "$(v6_of $A)" "fd00:81::1/64" "first address of an IPv6-only network"
assert_eq "$(ip -n $A -j addr show eth0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" 0 "IPv4 addresses of $A"
assert_eq "$(ip -n $B -6 -j route show default | jq -r '.[] | "\(.gateway) \(.dev)"')" "fd00:81::fe eth0" "v6 default of $B"
ip netns exec $A ping -6 -c1 -W2 fd00:81::2 >/dev/null || fail "$A cannot ping -6 $B on n6-only"
ip netns exec $B ping -6 -c1 -W2 fd00:81::fe >/dev/null || fail "$B cannot ping -6 the gateway of n6-only"
# An IPv4 static address has no subnet here.
expect_err 2 "network 'n6-only' has no IPv4 subnet for 10.0.0.5" "$NSNET" net attach n6-only $C --ip 10.0.0.5
nsnet net rm --force n6-only

# ---- IPv4 only: no IPv6 link-local anywhere (no DAD/RS/MLD flooded by the bridge).
nsnet net create n6-four --subnet 10.81.0.0/24
nsnet net attach n6-four $V4
sleep 0.3  # long enough for a link-local address to show up if one were generated
assert_eq "$(ip -n $V4 -j addr show eth0 | jq '[.[0].addr_info[] | select(.family == "inet6")] | length')" 0 \
	"IPv6 addresses on $V4's eth0"
assert_eq "$(ip -j addr show n6-four | jq '[.[0].addr_info[] | select(.family == "inet6")] | length')" 0 "IPv6 on the v4 bridge"
port=$(bridge -j link | jq -r '.[] | select(.master == "n6-four") | .ifname')
assert_eq "$(ip -j addr show "$port" | jq '[.[0].addr_info[] | select(.family == "inet6")] | length')" 0 "IPv6 on the v4 bridge port"
assert_ping $V4 10.81.0.1
nsnet net rm --force n6-four
nsnet net rm n6-ds
nsnet ns del $A $B $C $V4
note "ok"
