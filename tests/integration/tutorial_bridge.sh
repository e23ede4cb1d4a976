#!/bin/bash
# Seed 004 ("Network Namespaces"), its recipes with nsnet, one command each:
#   - a veth between the host and "isolated" (veth0 10.0.0.1/24 <-> veth1 10.0.0.2/24);
#   - three namespaces on br0 (10.0.0.1/24), default route via 10.0.0.1;
#   - the "complete example": webserver on br-internal (10.100.0.1/24), 10.100.0.2;
#   - Docker's model: docker0 172.17.0.1/16, containers' eth0 172.17.0.2, .3, .4.
# Witnesses: ip -j link/addr/route, bridge -j link, ping.
source "$(dirname "$0")/../lib.sh"

NSS="isolated ns1 ns2 ns3 webserver c1 c2 c3"
cleanup() {
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
	ip link del veth0 2>/dev/null || true
	for _n in br0 internal docker0; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
for n in $NSS; do
	[ -e /run/netns/$n ] && skip "a namespace named $n exists already"
	ip netns add $n
done
inet() { ip -n "$1" -j addr show dev "$2" | jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")'; }
defroute() { ip -n "$1" -j route show default | jq -r '[.[] | "\(.gateway) \(.dev)"] | join(",")'; }

# ---- VETH pairs: host <-> isolated.
nsnet connect host isolated --ifnames veth0,veth1 --ip 10.0.0.1/24,10.0.0.2/24
assert_eq "$(ip -j addr show veth0 | jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")')" \
	"10.0.0.1/24" "host's veth0"
assert_eq "$(inet isolated veth1)" "10.0.0.2/24" "isolated's veth1"
ping -c1 -W2 10.0.0.2 >/dev/null || fail "host cannot ping isolated"
assert_ping isolated 10.0.0.1
nsnet disconnect host isolated --ifname veth0
ip link show veth0 >/dev/null 2>&1 && fail "veth0 still there"

# ---- Bridge Connection: br0 with 10.0.0.1/24, namespaces with a default route via it.
nsnet net create br0 --subnet 10.0.0.0/24
nsnet net attach br0 ns1 ns2 ns3
assert_eq "$(ip -j -d addr show br0 | jq -r '.[0] | [.linkinfo.info_kind, (.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")] | join(" ")')" \
	"bridge 10.0.0.1/24" "br0"
i=2
for n in ns1 ns2 ns3; do
	assert_eq "$(inet $n eth0)" "10.0.0.$i/24" "address of $n"
	assert_eq "$(defroute $n)" "10.0.0.1 eth0" "default route of $n"
	i=$((i + 1))
done
assert_eq "$(bridge -j link | jq -r '[.[] | select(.master == "br0")] | length')" 3 "ports of br0"
assert_ping ns1 10.0.0.4
assert_ping ns3 10.0.0.2
ping -c1 -W2 10.0.0.3 >/dev/null || fail "host cannot ping ns2"

# ---- Complete example: a bridge name of one's own.
nsnet net create internal --bridge br-internal --subnet 10.100.0.0/24
nsnet net attach internal webserver
assert_eq "$(ip -j addr show br-internal | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	"10.100.0.1/24" "br-internal"
assert_eq "$(inet webserver eth0)" "10.100.0.2/24" "webserver"
assert_eq "$(defroute webserver)" "10.100.0.1 eth0" "webserver's default route"
assert_ping webserver 10.100.0.1
assert_eq "$(nsnet net ls --json | jq -r '.[] | select(.name == "internal") | .bridge')" br-internal "net ls bridge"
# Two networks, two bridges: no path between them without forwarding.
assert_no_ping webserver 10.0.0.2

# ---- Docker's network model.
nsnet net create docker0 --subnet 172.17.0.0/16
nsnet net attach docker0 c1 c2 c3
assert_eq "$(ip -j addr show docker0 | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	"172.17.0.1/16" "docker0"
i=2
for n in c1 c2 c3; do
	assert_eq "$(inet $n eth0)" "172.17.0.$i/16" "eth0 of $n"
	i=$((i + 1))
done
assert_ping c1 172.17.0.4
assert_ping c3 172.17.0.2

nsnet net rm --force br0 internal docker0
for b in br0 br-internal docker0; do
	ip link show $b >/dev/null 2>&1 && fail "bridge $b still there"
done
assert_eq "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "host links at the end"
for n in $NSS; do ip netns del $n; done
note "ok"
