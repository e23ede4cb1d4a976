#!/bin/bash
# The human form of nsnet show: a header per namespace, aligned tables of interfaces,
# addresses, routes and neighbours, and forwarding; the values checked against ip.
. "$(dirname "$0")/../lib.sh"

R=txt-red B=txt-blue
cleanup() {
	ip link del txt-h 2>/dev/null || true
	for n in $R $B; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

ip netns add $R
ip netns add $B
ip -n $R link add veth-r type veth peer name veth-b netns $B
ip link add txt-h type veth peer name uplink netns $R
for n in $R $B; do ip -n $n link set lo up; done
ip -n $R link set veth-r up
ip -n $B link set veth-b up
ip -n $R addr add 192.168.15.1/24 dev veth-r
ip -n $B addr add 192.168.15.2/24 dev veth-b
ip -n $R route add 198.51.100.0/24 via 192.168.15.2 metric 5
ip netns exec $B sysctl -qw net.ipv4.ip_forward=1
assert_ping $R 192.168.15.2
# operstate follows carrier asynchronously (linkwatch, up to a second): wait for ip to say UP.
for _ in $(seq 50); do
	[ "$(ip -n $R -j link show veth-r | jq -r '.[0].operstate')$(ip -n $B -j link show veth-b | jq -r '.[0].operstate')" = UPUP ] && break
	sleep 0.1
done

out=$(nsnet show $R $B)
echo "$out" | sed 's/^/    /'
mac_r=$(ip -n $R -j link show veth-r | jq -r '.[0].address')
mac_b=$(ip -n $B -j link show veth-b | jq -r '.[0].address')
idx_r=$(ip -n $R -j link show veth-r | jq -r '.[0].ifindex')

# One header per namespace, in the order given, a blank line between them.
assert_eq "$(echo "$out" | grep -E '^namespace ' | tr '\n' ',')" "namespace $R,namespace $B," "namespace headers"
assert_eq "$(echo "$out" | grep -c '^$')" 1 "blank lines between namespaces"
section() { echo "$out" | awk -v ns="namespace $1" '/^namespace /{on = ($0 == ns); next} on'; }
red=$(section $R)
blue=$(section $B)

# Interfaces: a header, then name, index, kind, state, admin, mtu, MAC, master, peer.
assert_match "$red" '^  INTERFACE +INDEX +KIND +STATE +ADMIN +MTU +MAC +MASTER +PEER$' "interface header"
assert_match "$red" "^  veth-r +$idx_r +veth +UP +up +1500 +$mac_r +- +veth-b in $B\$" "red's veth-r row"
assert_match "$red" "^  uplink +[0-9]+ +veth +DOWN +down +1500 +[0-9a-f:]{17} +- +txt-h in host\$" "red's uplink row"
assert_match "$red" '^  lo +1 +loopback +UNKNOWN +up +65536 +00:00:00:00:00:00 +- +-$' "red's lo row"
# Aligned: every row of the interface table has its INDEX column at the same offset.
cols=$(echo "$red" | sed -n '/INTERFACE/,/ADDRESS/p' | grep -v ADDRESS | awk '{ print index($0, $2) }' | sort -u | wc -l)
assert_eq "$cols" 1 "interface table columns aligned"

# Addresses, routes, neighbours, forwarding.
assert_match "$red" '^  192\.168\.15\.1/24 +veth-r +global +permanent$' "red's address"
assert_match "$red" '^  127\.0\.0\.1/8 +lo +host +permanent$' "red's loopback address"
assert_match "$red" '^  198\.51\.100\.0/24 +192\.168\.15\.2 +veth-r +boot +global +5 +-$' "red's route"
assert_match "$red" '^  192\.168\.15\.0/24 +- +veth-r +kernel +link +0 +192\.168\.15\.1$' "red's connected route"
assert_match "$red" "^  192\\.168\\.15\\.2 +$mac_b +veth-r +[A-Z]+\$" "red's neighbour"
assert_match "$red" '^  forwarding: ipv4 off, ipv6 off$' "red's forwarding"
assert_match "$blue" '^  forwarding: ipv4 on, ipv6 off$' "blue's forwarding"
assert_match "$blue" "^  veth-b +[0-9]+ +veth +UP +up +1500 +$mac_b +- +veth-r in $R\$" "blue's veth-b row"

# Empty sections say so instead of printing a bare header.
ip netns add txt-empty
trap 'cleanup; ip netns del txt-empty 2>/dev/null || true' EXIT
empty=$(nsnet show txt-empty)
assert_match "$empty" '^  no addresses$' "no addresses"
assert_match "$empty" '^  no routes$' "no routes"
assert_match "$empty" '^  no neighbours$' "no neighbours"
assert_no_match "$empty" 'ADDRESS|ROUTE|NEIGHBOUR' "no headers of empty sections"
# No trailing blanks anywhere.
assert_eq "$(echo "$out$empty" | grep -c ' $' || true)" 0 "trailing blanks"
