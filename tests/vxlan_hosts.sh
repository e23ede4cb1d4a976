# Sourced after tests/lib.sh by the VXLAN tests: two simulated hosts in the sandbox.
# A host is a network namespace (vxhA, vxhB) holding its underlay address (uA
# 192.0.2.1/24, uB 192.0.2.2/24 on one veth: the underlay link), its bridge, its
# nftables table and its own nsnet state root (/run/nsnet-A, /run/nsnet-B); nsnet
# runs inside it (on_a, on_b: nsenter --net, NSNET_STATE_ROOT). Lab namespaces of
# both hosts live under the one /run/netns of the sandbox, so the tests give them
# distinct names (a*, b*); each is made by, and belongs to, one host's nsnet.
HA=vxhA HB=vxhB
UA=192.0.2.1 UB=192.0.2.2
on_a() { nsenter --net=/run/netns/$HA env NSNET_STATE_ROOT=/run/nsnet-A "$NSNET" "$@"; }
on_b() { nsenter --net=/run/netns/$HB env NSNET_STATE_ROOT=/run/nsnet-B "$NSNET" "$@"; }
# in_a CMD...: a witness run in host A's network namespace (ip, bridge, cat /proc/net/...).
in_a() { ip netns exec $HA "$@"; }
in_b() { ip netns exec $HB "$@"; }

hosts_up() {
	ip netns add $HA
	ip netns add $HB
	ip link add uA netns $HA type veth peer name uB netns $HB
	in_a ip addr add $UA/24 dev uA
	in_b ip addr add $UB/24 dev uB
	in_a ip link set uA up
	in_b ip link set uB up
	in_a ip link set lo up
	in_b ip link set lo up
}

# hosts_down NS...: the lab namespaces first (their veths go with them), then the hosts
# (their bridges, ports and tables go with them), then the state roots.
hosts_down() {
	for n in "$@"; do ip netns del "$n" 2>/dev/null || true; done
	ip netns del $HA 2>/dev/null || true
	ip netns del $HB 2>/dev/null || true
	rm -rf /run/nsnet-A /run/nsnet-B
}

# The underlay's IPv4 fragmentation counter of a host (Ip: FragCreates in /proc/net/snmp).
frag_creates() {
	ip netns exec "$1" awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } else for (i = 1; i <= NF; i++) if (k[i] == "FragCreates") print $i }' /proc/net/snmp
}
