#!/bin/bash
# A network: three namespaces on one bridge (`net create` + `net attach a b c`), all
# ping each other, the host pings them through the gateway address on the bridge,
# `bridge -j link` shows the three host ends as ports of the bridge, each namespace
# has its default route via the gateway. Then eth0 taken (-> eth1), a second network
# (the first default route kept), --no-default-route, detach, rm.
# Witnesses: ip -j link/addr/route, bridge -j link, ping; `net show --json` checked
# against them.
source "$(dirname "$0")/../lib.sh"

NET=nb-lan NET2=nb-side
A=nb-a B=nb-b C=nb-c D=nb-d
cleanup() {
	for n in $A $B $C $D; do ip netns del $n 2>/dev/null || true; done
	for _n in $NET $NET2; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
for n in $A $B $C $D; do ip netns add $n; done

fnv32() {
	local s=$1 h=2166136261 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	echo $h
}
# The documented host-end name: "nv" + first 5 letters/digits of NS + "-" + 7 hex
# digits of FNV-1a("NET/NS").
host_if() {
	local head
	head=$(printf '%s' "$2" | tr -cd 'A-Za-z0-9' | cut -c1-5)
	printf 'nv%s-%07x' "$head" $(($(fnv32 "$1/$2") & 0xfffffff))
}
addr_of() { ip -n "$1" -j addr show dev "${2:-eth0}" | jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")'; }
default_route() { ip -n "$1" -j route show default | jq -r '[.[] | "\(.gateway) \(.dev)"] | join(",")'; }

# ---- create: the bridge, up, with the gateway (first usable address) on it.
nsnet net create $NET --subnet 10.20.0.0/24
br=$(ip -j -d addr show dev $NET | jq -r '.[0] | [.linkinfo.info_kind, (if (.flags | index("UP")) then "UP" else "DOWN" end),
	(.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")] | join(" ")')
assert_eq "$br" "bridge UP 10.20.0.1/24" "bridge $NET"
# No IPv6 subnet: the bridge makes no IPv6 link-local noise.
assert_eq "$(ip -j addr show dev $NET | jq '[.[0].addr_info[] | select(.family == "inet6")] | length')" 0 "IPv6 addresses on $NET"

# ---- attach three at once.
nsnet net attach $NET $A $B $C
declare -A IP
for n in $A $B $C; do
	got=$(ip -n $n -j link show eth0 | jq -r '.[0] | [.ifname, (if (.flags | index("UP")) then "UP" else "DOWN" end)] | join(" ")')
	assert_eq "$got" "eth0 UP" "eth0 in $n"
	ip -n $n -j link show lo | jq -e '.[0].flags | index("UP")' >/dev/null || fail "lo down in $n"
	IP[$n]=$(addr_of $n)
	assert_match "${IP[$n]}" '^10\.20\.0\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])/24$' "address of $n"
	assert_eq "$(default_route $n)" "10.20.0.1 eth0" "default route in $n"
done
assert_eq "$(printf '%s\n' "${IP[@]}" | sort -u | wc -l)" 3 "distinct addresses"

# bridge -j link: exactly the three documented host ends, ports of $NET, forwarding.
want=$(for n in $A $B $C; do echo "$(host_if $NET $n) $NET forwarding"; done | sort)
got=$(bridge -j link | jq -r '.[] | "\(.ifname) \(.master) \(.state)"' | sort)
assert_eq "$got" "$want" "bridge ports"

# net show --json agrees with the kernel.
show=$(nsnet net show $NET --json)
assert_eq "$(echo "$show" | jq -r '"\(.name) \(.bridge) \(.subnets[0].cidr) \(.subnets[0].gateway)"')" \
	"$NET $NET 10.20.0.0/24 10.20.0.1" "net show header"
for n in $A $B $C; do
	m=$(echo "$show" | jq -r --arg n $n '.members[] | select(.ns == $n) | "\(.ifname) \(.host_ifname) \(.ips | join(" ")) \(.state)"')
	assert_eq "$m" "eth0 $(host_if $NET $n) ${IP[$n]} up" "member $n in net show"
done
# 254 usable - gateway - 3 members.
assert_eq "$(echo "$show" | jq -r '.subnets[0] | "\(.used) \(.free)"')" "4 250" "pool counts"
assert_eq "$(nsnet net ls --json | jq -r '.[] | "\(.name) \(.members | length)"')" "$NET 3" "net ls"

# ---- everybody reaches everybody; the host reaches them through the gateway address.
for x in $A $B $C; do
	for y in $A $B $C; do
		[ $x = $y ] || assert_ping $x ${IP[$y]%/*}
	done
	assert_ping $x 10.20.0.1
	ping -c1 -W2 ${IP[$x]%/*} >/dev/null || fail "host cannot ping $x"
	src=$(ip -j route get ${IP[$x]%/*} | jq -r '.[0] | "\(.dev) \(.prefsrc)"')
	assert_eq "$src" "$NET 10.20.0.1" "host's route to $x"
done

# ---- a namespace whose eth0 is taken gets eth1.
ip -n $D link add eth0 type veth peer name eth0-peer
# ...and has lost links before (the kernel's ifindex allocator has moved past them).
ip -n $D link add tmp0 type veth peer name tmp1
ip -n $D link del tmp0
nsnet net attach $NET $D
assert_eq "$(ip -n $D -j link | jq -r '[.[].ifname] | sort | join(" ")')" "eth0 eth0-peer eth1 lo" "links of $D"
IP[$D]=$(addr_of $D eth1)
assert_eq "$(nsnet net show $NET --json | jq -r --arg n $D '.members[] | select(.ns == $n) | "\(.ifname) \(.ips[0])"')" \
	"eth1 ${IP[$D]}" "member $D"
assert_eq "$(default_route $D)" "10.20.0.1 eth1" "default route in $D"
assert_ping $D ${IP[$A]%/*}

# ---- a second network: A keeps its default route; --no-default-route adds none.
nsnet net create $NET2 --subnet 10.21.0.0/24 --gateway 10.21.0.254
nsnet net attach $NET2 $A
assert_eq "$(addr_of $A eth1)" "10.21.0.1/24" "A's address on $NET2 (gateway at the top)"
assert_eq "$(default_route $A)" "10.20.0.1 eth0" "A's default route kept"
ip -n $B route del default
nsnet net attach $NET2 $B --no-default-route
assert_eq "$(default_route $B)" "" "B's default route with --no-default-route"
assert_ping $B 10.21.0.1
assert_eq "$(bridge -j link | jq -r --arg b $NET2 '[.[] | select(.master == $b) | .ifname] | sort | join(" ")')" \
	"$(printf '%s\n' "$(host_if $NET2 $A)" "$(host_if $NET2 $B)" | sort | paste -sd' ')" "ports of $NET2"

# ---- rm refuses while attached, and names the members.
expect_err 1 "network '$NET2' still has 2 attached namespaces \\($A, $B\\)" "$NSNET" net rm $NET2
ip link show $NET2 >/dev/null 2>&1 || fail "the refused rm removed the bridge"

# ---- detach: the veth goes (both ends), the address is free again.
nsnet net detach $NET $B
assert_eq "$(ip -n $B -j link | jq -r '[.[].ifname] | sort | join(" ")')" "eth1 lo" "links of $B after detach"
ip link show "$(host_if $NET $B)" >/dev/null 2>&1 && fail "host end of $B still there"
assert_no_ping $A ${IP[$B]%/*}
assert_eq "$(nsnet net show $NET --json | jq -r '[.members[].ns] | sort | join(" ")')" "$A $C $D" "members after detach"
assert_eq "$(nsnet net show $NET --json | jq -r '.subnets[0] | "\(.used) \(.free)"')" "4 250" "pool counts after detach"
# Reattached, it gets an address nobody else has and works again.
nsnet net attach $NET $B
IP[$B]=$(addr_of $B eth0)
assert_eq "$(printf '%s\n' "${IP[@]}" | sort -u | wc -l)" 4 "distinct addresses after reattach"
assert_ping $C ${IP[$B]%/*}

nsnet net detach $NET2 $A $B
nsnet net rm $NET2
ip link show $NET2 >/dev/null 2>&1 && fail "bridge $NET2 still there after rm"
[ -e /run/nsnet/networks/$NET2.json ] && fail "state of $NET2 still there after rm"
# rm --force detaches the members first: no orphan veth left behind.
nsnet net rm --force $NET
assert_eq "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "host links after rm --force"
assert_eq "$(ip -n $A -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "links of $A after rm --force"
assert_eq "$(nsnet net ls --json)" "[]" "net ls after rm"
note "ok"
