#!/bin/bash
# nsnet among other CNI plugins (Debian's reference plugins, from /usr/lib/cni): an
# ipam of another type is delegated (host-local hands out the address, in a data
# directory of the test's own, and gets it back on DEL); the reference tuning,
# bandwidth and firewall plugins chained after nsnet take its result as their
# prevResult and do their job; nsnet chained after another plugin extends that
# plugin's result. Witnesses: the plugins' own exit status and results, ip, tc,
# iptables, the host-local lease files.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cni.sh"
for p in host-local tuning bandwidth firewall; do
	[ -x /usr/lib/cni/$p ] || skip "the reference plugin $p is not installed (containernetworking-plugins)"
done

DATA=$(mktemp -d)
cleanup() {
	cni_cleanup
	"$NSNET" net rm hl --force >/dev/null 2>&1 || true
	iptables -F CNI-FORWARD 2>/dev/null || true
	iptables -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null || true
	iptables -X CNI-FORWARD 2>/dev/null || true
	iptables -F CNI-ADMIN 2>/dev/null || true
	iptables -X CNI-ADMIN 2>/dev/null || true
	# The sandbox had no filter table before the firewall plugin made one.
	nft delete table ip filter 2>/dev/null || true
	for n in h1 h2 t1; do ip netns del $n 2>/dev/null || true; done
	rm -rf "$DATA"
}
trap cleanup EXIT
# run_plugin TYPE CMD ID NETNS IFNAME CONF: a reference plugin, as a runtime runs it.
run_plugin() {
	CNI_RC=0
	CNI_OUT=$(printf '%s' "$6" | env -i PATH="$PATH" CNI_COMMAND="$2" CNI_CONTAINERID="$3" CNI_NETNS="$4" \
		CNI_IFNAME="$5" CNI_PATH="$CNI_PATH_LIST" /usr/lib/cni/"$1") || CNI_RC=$?
	[ "$CNI_RC" = 0 ] || fail "$1 $2 failed: $CNI_OUT"
}

# ---- ipam delegated to host-local ---------------------------------------------------
H=$(jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "hl", type: "nsnet", bridge: "cni-hl", isGateway: true,
	isDefaultGateway: true, ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.90.0.0/24",
	rangeStart: "10.90.0.100", rangeEnd: "10.90.0.110", gateway: "10.90.0.1"}]]}}')
ip netns add h1
ip netns add h2
cni_ok ADD h1 /run/netns/h1 eth0 "$H"
a1=$(jq -r '.ips[0].address' <<<"$CNI_OUT")
assert_eq "$a1" 10.90.0.100/24 "host-local's first address of its range"
[ -e "$DATA/hl/10.90.0.100" ] || fail "host-local has no lease for 10.90.0.100"
cni_ok ADD h2 /run/netns/h2 eth0 "$H"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.90.0.101/24 "host-local's next address"
assert_eq "$("$NSNET" net show hl --json | jq -r '.subnets[0].cidr')" 10.90.0.0/24 "the network made from host-local's address"
assert_ping h1 10.90.0.101
assert_ping h1 10.90.0.1
cni_ok DEL h1 /run/netns/h1 eth0 "$H"
[ ! -e "$DATA/hl/10.90.0.100" ] || fail "DEL did not give host-local's lease back"
cni_ok DEL h1 "" eth0 "$H"
cni_ok DEL h2 /run/netns/h2 eth0 "$H"
[ ! -e "$DATA/hl/10.90.0.101" ] || fail "DEL did not give the second lease back"
# A delegated plugin's failure is the error, with its code, and nothing is made.
cni_err 7 "ipam plugin 'nope' not found in CNI_PATH" ADD h1 /run/netns/h1 eth0 "$(jq -c '.ipam.type = "nope"' <<<"$H")"
[ -z "$(ip netns exec h1 ip -o link show | grep -v ' lo:')" ] || fail "a failed delegation touched h1"

# ---- tuning, bandwidth and firewall after nsnet -----------------------------------------
ip netns add t1
C=$(cni_conf 1.0.0)
cni_ok ADD t1 /run/netns/t1 eth0 "$C"
prev=$CNI_OUT
host_if=$(jq -r '.interfaces[1].name' <<<"$prev")
run_plugin tuning ADD t1 /run/netns/t1 eth0 "$(jq -nc --argjson p "$prev" '{cniVersion: "1.0.0", name: "cnitest",
	type: "tuning", mtu: 1300, prevResult: $p}')"
assert_eq "$(ip netns exec t1 cat /sys/class/net/eth0/mtu)" 1300 "tuning's mtu on nsnet's interface"
run_plugin bandwidth ADD t1 /run/netns/t1 eth0 "$(jq -nc --argjson p "$CNI_OUT" '{cniVersion: "1.0.0",
	name: "cnitest", type: "bandwidth", ingressRate: 8000000, ingressBurst: 100000, prevResult: $p}')"
assert_match "$(tc qdisc show dev "$host_if")" 'tbf' "bandwidth's qdisc on nsnet's host end $host_if"
run_plugin firewall ADD t1 /run/netns/t1 eth0 "$(jq -nc --argjson p "$CNI_OUT" '{cniVersion: "1.0.0",
	name: "cnitest", type: "firewall", backend: "iptables", prevResult: $p}')"
addr=$(jq -r '.ips[0].address' <<<"$prev")
assert_match "$(iptables -S CNI-FORWARD)" "${addr%/*}" "firewall's rule for nsnet's address"
run_plugin firewall DEL t1 /run/netns/t1 eth0 "$(jq -nc --argjson p "$prev" '{cniVersion: "1.0.0", name: "cnitest",
	type: "firewall", backend: "iptables", prevResult: $p}')"
run_plugin bandwidth DEL t1 /run/netns/t1 eth0 '{"cniVersion":"1.0.0","name":"cnitest","type":"bandwidth","ingressRate":8000000,"ingressBurst":100000}'
cni_ok DEL t1 /run/netns/t1 eth0 "$C"

# ---- nsnet after another plugin: its result is extended, not replaced -------------------
other='{"cniVersion":"1.0.0","interfaces":[{"name":"lo0","sandbox":"/run/netns/t1"}],"ips":[{"address":"192.0.2.9/24","interface":0}],"dns":{"nameservers":["192.0.2.53"]}}'
cni_ok ADD t1 /run/netns/t1 eth0 "$(cni_conf 1.0.0 ".prevResult = $other")"
assert_eq "$(jq -r '.interfaces | length' <<<"$CNI_OUT")" 4 "the previous interface and nsnet's three"
assert_eq "$(jq -r '.interfaces[0].name' <<<"$CNI_OUT")" lo0 "the previous interface first"
assert_eq "$(jq -c '[.ips[].interface]' <<<"$CNI_OUT")" '[0,3]' "ips point at their interfaces"
assert_eq "$(jq -r '.dns.nameservers[0]' <<<"$CNI_OUT")" 192.0.2.53 "the previous dns kept"
cni_ok CHECK t1 /run/netns/t1 eth0 "$(cni_conf 1.0.0 ".prevResult = $CNI_OUT")"
cni_ok DEL t1 /run/netns/t1 eth0 "$C"
