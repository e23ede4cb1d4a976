# Helpers for the lab tests (tests/integration/lab_*.sh, gc_*.sh, examples_*.sh).
# Sourced after tests/lib.sh. Not a test itself (the runner only runs
# tests/integration/*.sh, and the Makefile only builds tests/helpers/*.c).

# The lab file of issue 5, exactly as written there ("This file must work as written").
tutorial_yaml() {
	cat <<'EOF'
name: tutorial
networks:
  v-net-0:
    subnet: 192.168.15.0/24
    gateway: 192.168.15.5
    nat: true
  backend:
    subnet: 10.20.0.0/24
nodes:
  red:
    interfaces:
      - network: v-net-0
        ip: 192.168.15.1
    routes:
      - to: 10.20.0.0/24
        via: 192.168.15.254
  blue:
    interfaces:
      - network: v-net-0
    publish:
      - host_port: 8080
        port: 80
  router:
    forwarding: true
    interfaces:
      - network: v-net-0
        ip: 192.168.15.254
      - network: backend
        ip: 10.20.0.254
  db:
    interfaces:
      - network: backend
    routes:
      - to: 192.168.15.0/24
        via: 10.20.0.254
links:
  - endpoints: [red:veth-red, blue:veth-blue]
    ips: [10.0.0.1/24, 10.0.0.2/24]
  - endpoints: [host:pair-host, db:pair-db]
    ips: [10.30.0.1/30, 10.30.0.2/30]
EOF
}

# big_yaml NAME N NET CIDR: a lab of N nodes NAME-001.. on one network.
big_yaml() {
	local name=$1 n=$2 net=$3 cidr=$4 i
	printf 'name: %s\nnetworks:\n  %s:\n    subnet: %s\nnodes:\n' "$name" "$net" "$cidr"
	for i in $(seq -f '%03g' 1 "$n"); do
		printf '  %s-%s:\n    interfaces:\n      - network: %s\n' "$name" "$i" "$net"
	done
}

# What the sandbox holds that nsnet could leave behind: tests/lib.sh's sandbox_state
# (named namespaces, links, nft ruleset, state files but the lock), sorted.
# (sandbox_state is written for the runner, which does not run under set -e/pipefail.)
state_now() { (set +e +o pipefail; sandbox_state) | sort; }

# state_settles_to FILE: wait (up to 5 s: the veth ends of deleted namespaces vanish
# asynchronously) until the sandbox holds exactly what FILE recorded; else fail with
# the difference.
state_settles_to() {
	local want=$1 _
	for _ in $(seq 50); do
		state_now | cmp -s - "$want" && return 0
		sleep 0.1
	done
	fail "${2:-the sandbox is not as before}: $(state_now | diff "$want" - | grep '^[<>]' | head -20 | tr '\n' ';')"
}

# netns_inode NAME: the namespace's identity; a re-created namespace has a new one.
netns_inode() { stat -L -c %i "/run/netns/$1"; }

# ns_snapshot NS: what an unchanged namespace must keep, in a comparable form: its
# namespace inode, links (ifindex, name, MAC, master, MTU, flags), addresses and
# IPv4/IPv6 main-table routes. "host" is the sandbox's own namespace. Flags that
# change with time (IPv6 DAD "tentative") and counters are left out on purpose.
ns_snapshot() {
	local ns=$1 ipn=()
	if [ "$ns" != host ]; then
		ipn=(-n "$ns")
		echo "inode $(netns_inode "$ns")"
	fi
	ip "${ipn[@]}" -j link show | jq -r '.[] | "link \(.ifindex) \(.ifname) \(.address) master=\(.master // "-") mtu=\(.mtu) \(.flags | sort | join(","))"' | sort
	ip "${ipn[@]}" -j addr show | jq -r '.[] | .ifname as $i | .addr_info[] | "addr \($i) \(.local)/\(.prefixlen)"' | sort
	ip "${ipn[@]}" -j -4 route show | jq -r '.[] | "route4 \(.dst) via=\(.gateway // "-") dev=\(.dev) \(.protocol // "-") \(.scope // "-")"' | sort
	ip "${ipn[@]}" -j -6 route show | jq -r '.[] | "route6 \(.dst) via=\(.gateway // "-") dev=\(.dev)"' | sort
}

# lab_snapshot NS...: ns_snapshot of each, prefixed by its name, plus the nft ruleset.
lab_snapshot() {
	local ns
	for ns in "$@"; do ns_snapshot "$ns" | sed "s/^/$ns: /"; done
	nft list ruleset | sed 's/^/nft: /'
}

# lab_settle: wait (up to 5 s) until no interface that is UP, in the host or any
# named namespace, still lacks its carrier (linkwatch reports carrier up to a second
# late), then a moment for what follows carrier (IPv6 link-local addresses).
lab_settle() {
	local _ ns busy
	for _ in $(seq 50); do
		busy=
		for ns in host $(ls -A /run/netns 2>/dev/null); do
			if [ "$ns" = host ]; then set -- ip -j link show; else set -- ip -n "$ns" -j link show; fi
			"$@" 2>/dev/null | jq -e 'any(.[]; (.flags | index("UP")) and (.flags | index("NO-CARRIER")))' >/dev/null && { busy=$ns; break; }
		done
		[ -z "$busy" ] && break
		sleep 0.1
	done
	sleep 0.2
}

# ifindex NS IFNAME ("host" for the sandbox's namespace).
ifindex() {
	if [ "$1" = host ]; then cat "/sys/class/net/$2/ifindex"; else ip -n "$1" -j link show "$2" | jq -r '.[0].ifindex'; fi
}

# Remove every namespace and nsnet state the test may have left (the safety net
# behind a test's own `nsnet down`; the runner still checks the test's removal).
lab_cleanup_all() {
	local n
	for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done
	find /run/nsnet -mindepth 1 ! -name state.lock -delete 2>/dev/null || true
	for n in $(ip -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname'); do
		ip link del "$n" 2>/dev/null || true
	done
	nft flush ruleset 2>/dev/null || true
}
