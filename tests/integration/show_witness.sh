#!/bin/bash
# nsnet show --json against `ip -j` in every namespace: interfaces (name, index, kind,
# state, mtu, MAC, master), addresses, main-table routes, neighbours, forwarding, and
# veth peers (name, namespace, index) across namespaces, inside one, and to the host.
# The setup is made with ip only, so nsnet is read-only here.
. "$(dirname "$0")/../lib.sh"

R=show-red B=show-blue H=show-hub
anon=""
cleanup() {
	[ -z "$anon" ] || { kill "$anon" 2>/dev/null; wait "$anon" 2>/dev/null; } || true
	ip link del sw-host 2>/dev/null || true
	for n in $R $B $H; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

ip netns add $R
ip netns add $B
ip netns add $H
ip -n $H link add br0 type bridge
ip -n $H link set br0 up
# Peers born in their namespaces: red/blue eth0 <-> p-red/p-blue in the hub, on br0.
ip -n $R link add eth0 type veth peer name p-red netns $H
ip -n $B link add eth0 mtu 1400 type veth peer name p-blue mtu 1400 netns $H
for p in p-red p-blue; do ip -n $H link set $p master br0 up; done
# A veth with both ends in red, and one from the host (this sandbox) to blue.
ip -n $R link add a0 type veth peer name a1
ip link add sw-host type veth peer name up0 netns $B
ip link set sw-host up
ip -n $B link set up0 up
for n in $R $B; do
	ip -n $n link set lo up
	ip -n $n link set eth0 up
done
ip -n $R addr add 10.0.0.1/24 dev eth0
ip -n $B addr add 10.0.0.2/24 dev eth0
ip -n $R addr add fd00::1/64 dev eth0 nodad
ip -n $B addr add fd00::2/64 dev eth0 nodad
ip -n $B addr add 198.51.100.1/32 dev up0
ip -n $R route add default via 10.0.0.254
ip -n $R route add 192.0.2.0/24 via 10.0.0.2 metric 7 proto static
ip -n $R route add unreachable 203.0.113.0/24
ip -n $R -6 route add 2001:db8::/32 via fd00::2
# A peer in a namespace without a name (a process's, as a container's would be).
unshare --net sleep 600 &
anon=$!
for _ in $(seq 50); do [ "$(readlink /proc/$anon/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
ip -n $R link add an0 type veth peer name an1 netns "$anon"
# Other kinds: a tun (no MAC), a macvlan on red's eth0, a vxlan.
ip -n $H tuntap add mode tun name tun0
ip -n $R link add mv0 link eth0 type macvlan mode bridge
ip -n $H link add vx0 type vxlan id 42 dstport 4789
ip netns exec $B sysctl -qw net.ipv4.ip_forward=1
ip netns exec $B sysctl -qw net.ipv6.conf.all.forwarding=1
assert_ping $R 10.0.0.2   # leaves 10.0.0.2 in red's ARP table (and 10.0.0.1 in blue's)

ipns() { if [ "$1" = host ]; then shift; ip "$@"; else local n=$1; shift; ip -n "$n" "$@"; fi; }

# What ip says, in nsnet's shape (sorted, so order does not matter).
ip_links() {
	ipns "$1" -j -d link show | jq -S '[.[] | {name: .ifname, index: .ifindex, mtu, mac: .address,
		master: (.master // null), operstate,
		admin_up: (.flags | index("UP") != null), lower_up: (.flags | index("LOWER_UP") != null),
		arp: (.flags | index("NOARP") == null),
		kind: (.linkinfo.info_kind // (if .link_type == "loopback" then "loopback" else "device" end))}]
		| sort_by(.index)'
}
nsnet_links() {
	nsnet show "$1" --json | jq -S '[.[0].interfaces[] | del(.peer)] | sort_by(.index)'
}
ip_addrs() {
	ipns "$1" -j addr show | jq -S '[.[] | .ifname as $d | .addr_info[] |
		{dev: $d, family, address: .local, prefixlen, scope}] | sort_by(.dev, .address)'
}
nsnet_addrs() {
	nsnet show "$1" --json | jq -S '[.[0].addresses[] | del(.flags)] | sort_by(.dev, .address)'
}
# ip prints a host route without its /32 or /128, leaves out "boot", metric 0 and "unicast".
ip_routes() {
	{ ipns "$1" -4 -j route show table main; ipns "$1" -6 -j route show table main; } | jq -s -S 'add |
		[.[] | {dst: (if .dst == "default" or (.dst | contains("/")) then .dst
			      elif (.dst | contains(":")) then .dst + "/128" else .dst + "/32" end),
			gateway: (.gateway // null), dev: (.dev // null), metric: (.metric // 0),
			protocol: (.protocol // "boot"), type: (.type // "unicast")}] | sort_by(.dst, .dev)'
}
nsnet_routes() {
	nsnet show "$1" --json | jq -S '[.[0].routes[] | {dst, gateway, dev, metric, protocol, type}] | sort_by(.dst, .dev)'
}
# States move on with time (REACHABLE -> STALE); what is in the table does not.
ip_neighs() {
	ipns "$1" -j neigh show | jq -S '[.[] | {address: .dst, dev, lladdr: (.lladdr // null)}] | sort_by(.address, .dev)'
}
nsnet_neighs() {
	nsnet show "$1" --json | jq -S '[.[0].neighbours[] | {address, dev, lladdr}] | sort_by(.address, .dev)'
}

# compare WHAT NS: nsnet and ip agree. Link states settle asynchronously (the
# kernel's linkwatch may lag up to a second), so disagreement must persist to fail.
compare() {
	local what=$1 ns=$2 a b
	for _ in $(seq 30); do
		a=$(nsnet_$what "$ns") b=$(ip_$what "$ns")
		[ "$a" = "$b" ] && return 0
		sleep 0.1
	done
	fail "$what of $ns: nsnet says $(echo "$a" | jq -c .) but ip says $(echo "$b" | jq -c .)"
}

for ns in $R $B $H host; do
	for what in links addrs routes neighs; do
		compare $what $ns
	done
	note "$ns: interfaces, addresses, routes, neighbours agree with ip -j"
done

# The pieces above are really there (a comparison of two empty lists would pass).
red=$(nsnet show $R --json)
assert_eq "$(echo "$red" | jq -r '.[0].interfaces[] | select(.name == "eth0") | .kind')" veth "red eth0 kind"
assert_eq "$(echo "$red" | jq -r '.[0].addresses[] | select(.address == "10.0.0.1") | "\(.dev)/\(.prefixlen)"')" \
	eth0/24 "red's IPv4 address"
assert_eq "$(echo "$red" | jq -r '.[0].addresses[] | select(.address == "fd00::1") | .family')" inet6 "red's IPv6 address"
assert_eq "$(echo "$red" | jq -r '.[0].routes[] | select(.dst == "default") | "\(.gateway) \(.dev)"')" \
	"10.0.0.254 eth0" "red's default route"
assert_eq "$(echo "$red" | jq -r '.[0].routes[] | select(.dst == "2001:db8::/32") | .gateway')" fd00::2 "red's IPv6 route"
assert_eq "$(echo "$red" | jq -r '.[0].routes[] | select(.dst == "203.0.113.0/24") | .type')" unreachable "unreachable route"
assert_eq "$(echo "$red" | jq -r '.[0].neighbours[] | select(.address == "10.0.0.2") | .lladdr')" \
	"$(ip -n $B -j link show eth0 | jq -r '.[0].address')" "red's ARP entry for blue"
hub=$(nsnet show $H --json)
assert_eq "$(echo "$hub" | jq -r '[.[0].interfaces[] | select(.master == "br0") | .name] | sort | join(" ")')" \
	"p-blue p-red" "bridge ports"
assert_eq "$(echo "$hub" | jq -r '.[0].interfaces[] | select(.name == "br0") | .kind')" bridge "br0 kind"
assert_eq "$(nsnet show $B --json | jq -r '.[0].interfaces[] | select(.name == "eth0") | .mtu')" 1400 "blue eth0 mtu"
assert_eq "$(echo "$hub" | jq -c '[.[0].interfaces[] | select(.name == "tun0" or .name == "vx0") | [.kind, .mac == null]]')" \
	'[["tun",true],["vxlan",false]]' "tun and vxlan"
assert_eq "$(echo "$red" | jq -r '.[0].interfaces[] | select(.name == "mv0") | "\(.kind) \(.peer)"')" "macvlan null" "macvlan"

# Forwarding, against /proc/sys read inside each namespace.
for ns in $R $B $H; do
	want4=$(ip netns exec $ns cat /proc/sys/net/ipv4/ip_forward)
	want6=$(ip netns exec $ns cat /proc/sys/net/ipv6/conf/all/forwarding)
	got=$(nsnet show $ns --json | jq -r '.[0].forwarding | "\(if .ipv4 then 1 else 0 end) \(if .ipv6 then 1 else 0 end)"')
	assert_eq "$got" "$want4 $want6" "forwarding of $ns"
done
assert_eq "$(nsnet show $B --json | jq -c '.[0].forwarding')" '{"ipv4":true,"ipv6":true}' "blue forwards"

# Veth peers: the expected pairs...
peer() { nsnet show "$1" --json | jq -r --arg i "$2" '.[0].interfaces[] | select(.name == $i) | "\(.peer.name) \(.peer.namespace)"'; }
assert_eq "$(peer $R eth0)" "p-red $H" "peer of red eth0"
assert_eq "$(peer $H p-red)" "eth0 $R" "peer of hub p-red"
assert_eq "$(peer $H p-blue)" "eth0 $B" "peer of hub p-blue"
assert_eq "$(peer $B eth0)" "p-blue $H" "peer of blue eth0"
assert_eq "$(peer $B up0)" "sw-host host" "peer of blue up0 (in the host)"
assert_eq "$(peer host sw-host)" "up0 $B" "peer of host sw-host"
assert_eq "$(peer $R a0)" "a1 $R" "peer of a0 (same namespace)"
assert_eq "$(peer $R lo)" "null null" "lo has no peer"
assert_eq "$(peer $R an0)" "an1 null" "peer in an unnamed namespace: its name, no namespace name"
assert_match "$(nsnet show $R)" "^  an0 .* an1 in an unnamed namespace\$" "text of a peer in an unnamed namespace"
# ...and, for every veth nsnet reports, ip in the peer's namespace confirms that the
# named interface has the peer's index and points back at this end; ip in this
# namespace confirms the peer index and nsid.
checked=0
while read -r ns name index pname pns pindex pnsid; do
	# ip names the peer when it is in the same namespace, else gives its index and nsid.
	mine=$(ipns "$ns" -j -d link show dev "$name" | jq -r '.[0] | "\(.link_index // .link) \(.link_netnsid // null)"')
	theirs=$(ipns "$pns" -j -d link show dev "$pname" | jq -r '.[0] | "\(.ifindex) \(.link_index // .link)"')
	if [ "$pns" = "$ns" ]; then
		assert_eq "$mine" "$pname null" "$ns/$name: peer (ip -d link)"
		assert_eq "$theirs" "$pindex $name" "$ns/$name: its peer $pns/$pname"
	else
		assert_eq "$mine" "$pindex $pnsid" "$ns/$name: peer index and nsid (ip -d link)"
		assert_eq "$theirs" "$pindex $index" "$ns/$name: its peer $pns/$pname"
	fi
	checked=$((checked + 1))
done < <(nsnet show --json $R $B $H host | jq -r '.[] | .namespace as $ns | .interfaces[] | select(.kind == "veth") |
	select(.peer.namespace != null) |
	"\($ns) \(.name) \(.index) \(.peer.name) \(.peer.namespace) \(.peer.index) \(.peer.nsid // "null")"')
assert_eq "$checked" 8 "veth ends checked"
note "veth peers agree with ip -d link on both ends"

# Default: every named namespace, sorted as ip netns list has them; names given: that order.
assert_eq "$(nsnet show --json | jq -r '[.[].namespace] | join(" ")')" \
	"$(ip netns list | awk '{print $1}' | sort | tr '\n' ' ' | sed 's/ $//')" "show of all namespaces"
assert_eq "$(nsnet show --json $H host $R | jq -r '[.[].namespace] | join(" ")')" "$H host $R" "order of names"
