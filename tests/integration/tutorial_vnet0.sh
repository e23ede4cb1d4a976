#!/bin/bash
# Seed 002 (the "network namespaces" tutorial), step by step with nsnet:
#   1. red and blue cabled directly (veth-red/veth-blue, 192.168.15.1 and .2), ping, ARP;
#   2. the cable removed, both plugged into the bridge v-net-0 instead; the host reaches
#      them once the bridge has 192.168.15.5/24 (here: the network's --gateway);
#   3. blue reaches the host's other LAN (here an "outside" namespace on 198.51.100.0/24)
#      through the gateway, once the host forwards and the LAN has a route back
#      (the tutorial's NAT is another issue's business).
# Witnesses: ip -j addr/route/neigh, bridge -j link, ping, TTL.
source "$(dirname "$0")/../lib.sh"

RED=red BLUE=blue LAN=tv-lan
cleanup() {
	for n in $RED $BLUE $LAN; do ip netns del $n 2>/dev/null || true; done
	ip link del to-$LAN 2>/dev/null || true
	"$NSNET" net rm --force v-net-0 >/dev/null 2>&1 || true
}
trap cleanup EXIT
for n in $RED $BLUE $LAN; do
	[ -e /run/netns/$n ] && skip "a namespace named $n exists already"
done

# ip netns add red; ip netns add blue
nsnet ns add $RED $BLUE $LAN
assert_eq "$(ip netns list | awk "{print \$1}" | sort | paste -sd" ")" "$BLUE $RED $LAN" "ip netns list"

# ip link add veth-red type veth peer name veth-blue; ip link set ... netns ...;
# ip -n red addr add 192.168.15.1 dev veth-red; ...; ip -n red link set veth-red up; ...
nsnet connect $RED $BLUE --ifnames veth-red,veth-blue --ip 192.168.15.1/24,192.168.15.2/24
got=$(ip -n $RED -j addr show veth-red | jq -r '.[0] | "\(.ifname) \(.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")"')
assert_eq "$got" "veth-red 192.168.15.1/24" "veth-red"
got=$(ip -n $BLUE -j addr show veth-blue | jq -r '.[0] | "\(.ifname) \(.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")"')
assert_eq "$got" "veth-blue 192.168.15.2/24" "veth-blue"
# ip netns exec red ping 192.168.15.2; ip netns exec red arp
assert_ping $RED 192.168.15.2
blue_mac=$(ip -n $BLUE -j link show veth-blue | jq -r '.[0].address')
got=$(ip -n $RED -j neigh show dev veth-red | jq -r '.[] | select(.dst == "192.168.15.2") | .lladdr')
assert_eq "$got" "$blue_mac" "red's ARP entry for blue"
# The host knows nothing of this.
ping -c1 -W1 192.168.15.1 >/dev/null 2>&1 && fail "the host reaches red without a route"

# ip -n red link del veth-red
nsnet disconnect $RED $BLUE --ifname veth-red
assert_eq "$(ip -n $BLUE -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "blue after the cable is gone"

# ip link add v-net-0 type bridge; ip link set dev v-net-0 up;
# ip addr add 192.168.15.5/24 dev v-net-0; veths to the bridge; addresses; up.
nsnet net create v-net-0 --subnet 192.168.15.0/24 --gateway 192.168.15.5
nsnet net attach v-net-0 $RED --ip 192.168.15.1
nsnet net attach v-net-0 $BLUE --ip 192.168.15.2
got=$(ip -j -d addr show v-net-0 | jq -r '.[0] | [.linkinfo.info_kind, (.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")] | join(" ")')
assert_eq "$got" "bridge 192.168.15.5/24" "v-net-0"
assert_eq "$(bridge -j link | jq -r '[.[] | select(.master == "v-net-0")] | length')" 2 "ports of v-net-0"
for n in $RED $BLUE; do
	# Each namespace's end is eth0 (the tutorial's veth-red, veth-blue).
	assert_eq "$(ip -n $n -j link | jq -r '[.[].ifname] | sort | join(" ")')" "eth0 lo" "links of $n"
done
assert_eq "$(ip -n $RED -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	"192.168.15.1/24" "red's address"
assert_ping $RED 192.168.15.2
assert_ping $BLUE 192.168.15.1
# ping 192.168.15.1 (from the host): reachable, through v-net-0.
ping -c1 -W2 192.168.15.1 >/dev/null || fail "host cannot ping red"
ping -c1 -W2 192.168.15.2 >/dev/null || fail "host cannot ping blue"
assert_eq "$(ip -j route get 192.168.15.1 | jq -r '.[0].dev')" v-net-0 "host's route to red"

# ip netns exec blue route: the subnet on eth0 and the default via 192.168.15.5.
got=$(ip -n $BLUE -j route | jq -r '.[] | "\(.dst) \(.gateway // "-") \(.dev)"' | sort | paste -sd,)
assert_eq "$got" "192.168.15.0/24 - eth0,default 192.168.15.5 eth0" "blue's routes"

# The host's other LAN (192.168.1.0/24 in the tutorial; documentation addresses here).
nsnet connect host $LAN --ip 198.51.100.1/24,198.51.100.3/24
nsnet route add $LAN 192.168.15.0/24 via 198.51.100.1
# The host does not forward yet: blue cannot get through.
nsnet router host off
assert_no_ping $BLUE 198.51.100.3
nsnet router host on
assert_ping $BLUE 198.51.100.3
ttl=$(ip netns exec $BLUE ping -c1 -W2 198.51.100.3 | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')
assert_eq "$ttl" 63 "TTL seen by blue (one hop: the host)"
nsnet router host off

nsnet disconnect host $LAN
nsnet net detach v-net-0 $RED $BLUE
nsnet net rm v-net-0
ip link show v-net-0 >/dev/null 2>&1 && fail "v-net-0 still there"
nsnet ns del $RED $BLUE $LAN
note "ok"
