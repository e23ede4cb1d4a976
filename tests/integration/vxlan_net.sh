#!/bin/bash
# A network that spans two hosts over VXLAN (`net create --vni`): two simulated hosts
# (tests/vxlan_hosts.sh: a namespace each, with its underlay address and its own
# nsnet state root, joined by a veth underlay) run network "ov" with the same subnet
# and VNI, each its own gateway and range. A node on host A pings a node on host B,
# ARP crosses (A's node learns B's node's MAC), 10 MB over TCP arrive intact with no
# fragment made on either underlay, the members' MTU is the underlay's less 50 and a
# 1450-byte don't-fragment ping passes while 1451 does not. The VXLAN port has
# learning off, dstport 4789, one all-zeros FDB entry per peer. Peers added and
# removed on the running network change only FDB entries (same ifindex). Bad input
# (VNI out of range, bad peer, peer = local, missing underlay interface, no range,
# MTU too big, local not ours) is refused and changes nothing.
# Witnesses: ip -d link, bridge fdb, ip neigh, ping, socat + sha256sum, /proc/net/snmp.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vxlan_hosts.sh"

DIR=$(mktemp -d)
cleanup() {
	hosts_down a1 a2 b1 b2
	rm -rf "$DIR"
}
trap cleanup EXIT
hosts_up

COMMON=(--subnet 10.77.0.0/24 --vni 4242)
ok_a=(net create ov "${COMMON[@]}" --gateway 10.77.0.1 --range 10.77.0.16-10.77.0.127 --vxlan-local $UA --vxlan-dev uA)

# ---- bad input: refused, nothing made
links_a() { in_a ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
before=$(links_a)
expect_err 2 "VNI" on_a net create ov --subnet 10.77.0.0/24 --range 10.77.0.16-10.77.0.127 --vni 0
expect_err 2 "VNI" on_a net create ov --subnet 10.77.0.0/24 --range 10.77.0.16-10.77.0.127 --vni 16777216
expect_err 2 "vxlan-peer" on_a "${ok_a[@]}" --vxlan-peer 192.0.2.300
expect_err 2 "peer 192.0.2.1 is this host's own underlay address" on_a "${ok_a[@]}" --vxlan-peer $UA
expect_err 2 "peer 192.0.2.2 is named twice" on_a "${ok_a[@]}" --vxlan-peer $UB --vxlan-peer $UB
expect_err 2 "peer 224.0.0.1 is not a host's address" on_a "${ok_a[@]}" --vxlan-peer 224.0.0.1
expect_err 1 "underlay interface nosuch0 does not exist" on_a net create ov "${COMMON[@]}" \
	--range 10.77.0.16-10.77.0.127 --vxlan-dev nosuch0 --vxlan-peer $UB
expect_err 2 "needs a range for 10.77.0.0/24" on_a net create ov "${COMMON[@]}" --vxlan-peer $UB
expect_err 2 "MTU 1500 does not fit the underlay: 1500 \+ 50 bytes .* raise the underlay's MTU to 1550" \
	on_a "${ok_a[@]}" --vxlan-peer $UB --mtu 1500
expect_err 1 "local address 192.0.2.9 is not an address of this host" on_a net create ov "${COMMON[@]}" \
	--range 10.77.0.16-10.77.0.127 --vxlan-local 192.0.2.9 --vxlan-peer $UB
expect_err 2 "need --vni" on_a net create ov --subnet 10.77.0.0/24 --vxlan-peer $UB
expect_err 2 "peer 192.0.2.1 is an address of this host" on_a net create ov "${COMMON[@]}" \
	--range 10.77.0.16-10.77.0.127 --vxlan-peer $UA
assert_eq "$(links_a)" "$before" "refused creates left links behind"
assert_eq "$(on_a net ls --json | jq length)" 0 "refused creates left a network"

# ---- the network on both hosts: same subnet and VNI, own gateway and range
on_a "${ok_a[@]}" --vxlan-peer $UB
on_b net create ov "${COMMON[@]}" --gateway 10.77.0.2 --range 10.77.0.128-10.77.0.239 --vxlan-local $UB \
	--vxlan-dev uB --vxlan-peer $UA
for h in a b; do
	in_$h ip -d -j link show dev vx-ov >"$DIR/vx.json"
	assert_eq "$(jq -r '.[0].linkinfo.info_kind' "$DIR/vx.json")" vxlan "host $h: vx-ov's kind"
	assert_eq "$(jq -r '.[0].linkinfo.info_data.id' "$DIR/vx.json")" 4242 "host $h: VNI"
	assert_eq "$(jq -r '.[0].linkinfo.info_data.port' "$DIR/vx.json")" 4789 "host $h: dstport"
	assert_eq "$(jq -r '.[0].linkinfo.info_data.learning' "$DIR/vx.json")" false "host $h: learning"
	assert_eq "$(jq -r '.[0].master' "$DIR/vx.json")" ov "host $h: vx-ov is a port of the bridge"
	assert_eq "$(jq -r '.[0].mtu' "$DIR/vx.json")" 1450 "host $h: the port's MTU"
	assert_match "$(in_$h ip -d link show dev vx-ov)" "nolearning" "host $h: ip -d link says nolearning"
done
assert_eq "$(in_a bridge fdb show dev vx-ov | grep '^00:00:00:00:00:00')" "00:00:00:00:00:00 dst $UB self permanent" "A's FDB"
assert_eq "$(in_b bridge fdb show dev vx-ov | grep '^00:00:00:00:00:00')" "00:00:00:00:00:00 dst $UA self permanent" "B's FDB"

# ---- members: one on each host, addresses from each host's range
for n in a1 a2 b1 b2; do ip netns add $n; done
on_a net attach ov a1 a2
on_b net attach ov b1 b2
ip_of() { ip -n "$1" -j addr show dev eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local'; }
A1=$(ip_of a1) A2=$(ip_of a2) B1=$(ip_of b1) B2=$(ip_of b2)
for a in $A1 $A2; do [[ ${a##*.} -ge 16 && ${a##*.} -le 127 ]] || fail "host A handed out $a, outside its range"; done
for a in $B1 $B2; do [[ ${a##*.} -ge 128 && ${a##*.} -le 239 ]] || fail "host B handed out $a, outside its range"; done
assert_eq "$(printf '%s\n' $A1 $A2 $B1 $B2 10.77.0.1 10.77.0.2 | sort -u | wc -l)" 6 "addresses collide: $A1 $A2 $B1 $B2"
for n in a1 b1; do
	assert_eq "$(ip -n $n -j link show dev eth0 | jq -r '.[0].mtu')" 1450 "$n's MTU (the underlay's 1500 less 50)"
done
assert_eq "$(on_a net show ov --json | jq -r '.mtu, .vxlan.vni, .vxlan.ifname, (.vxlan.peers | join(","))' | tr '\n' ' ')" \
	"1450 4242 vx-ov $UB " "net show --json"
assert_match "$(on_a net show ov)" "vxlan vx-ov  vni 4242  port 4789  local $UA  dev uA  mtu 1450  peers $UB"

# ---- across: ping, ARP, the gateways stay each host's own
assert_ping a1 "$B1"
assert_ping b2 "$A2"
mac_b1=$(ip -n b1 -j link show dev eth0 | jq -r '.[0].address')
assert_eq "$(ip -n a1 -j neigh show "$B1" | jq -r '.[0].lladdr')" "$mac_b1" "a1 resolved b1's MAC over the VXLAN port (ARP crossed)"
assert_ping a1 10.77.0.1
assert_eq "$(ip -n a1 -j neigh show 10.77.0.1 | jq -r '.[0].lladdr')" "$(in_a ip -j link show dev ov | jq -r '.[0].address')" \
	"a1's gateway is host A's bridge"
assert_ping b1 10.77.0.2
# The largest packet the members send whole (1450 bytes: 1422 of ICMP payload) crosses
# with don't-fragment set; one byte more is refused by the member's own MTU.
ip netns exec a1 ping -c1 -W2 -M do -s 1422 "$B1" >/dev/null || fail "a 1450-byte DF ping does not cross"
! ip netns exec a1 ping -c1 -W2 -M do -s 1423 "$B1" >/dev/null 2>&1 || fail "a 1451-byte DF ping left a1"

# ---- doctor follows the path across the VXLAN port: the port, its FDB against the
# network's peers, the underlay route to each peer, an echo to each; then says the
# rest is on the other host
on_a doctor a1 "$B1" --json >"$DIR/doc.json" || fail "doctor a1 -> $B1: $(cat "$DIR/doc.json")"
ev=$(jq -r '.checks[] | "\(.mark) \(.evidence)"' "$DIR/doc.json")
assert_match "$ev" "^ok host: nobody on ov holds $B1 here; vx-ov is a VXLAN port of ov \(VNI 4242\), UP"
assert_match "$ev" "^ok host: VXLAN port vx-ov floods broadcast and unknown unicast to $UB \(learning off\)"
assert_match "$ev" "^ok host: underlay route to VXLAN peer $UB: dev uA \(MTU 1500\)"
assert_match "$ev" "^ok host: VXLAN peer $UB answers on the underlay"
assert_eq "$(jq -r .reachable "$DIR/doc.json")" true "doctor: reachable"
# A missing FDB entry (removed behind nsnet's back) is the cause, with its fix.
in_a bridge fdb del 00:00:00:00:00:00 dev vx-ov dst $UB
ip -n a1 neigh flush all
expect_rc 1 on_a doctor a1 "$B1"
on_a doctor a1 "$B1" --json >"$DIR/doc.json" || true
assert_match "$(jq -r '.checks[] | select(.mark == "fail") | .evidence' "$DIR/doc.json")" \
	"VXLAN port vx-ov has no forwarding entry toward peer $UB \(entries: none\)"
assert_eq "$(jq -r .fix "$DIR/doc.json")" "bridge fdb append 00:00:00:00:00:00 dev vx-ov dst $UB" "doctor's fix"
in_a $(jq -r .fix "$DIR/doc.json")
# a1 may still be resolving B1 with its last ARP tries (which then fail): start afresh.
ip -n a1 neigh flush all
assert_ping a1 "$B1"

# ---- 10 MB over TCP, no fragments on the underlay
fa=$(frag_creates $HA) fb=$(frag_creates $HB)
head -c 10485760 /dev/urandom >"$DIR/in"
ip netns exec b1 timeout 120 socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$DIR/out,creat,trunc" &
srv=$!
for _ in $(seq 50); do ip netns exec b1 ss -Hltn 'sport = :5001' | grep -q . && break; sleep 0.1; done
ip netns exec a1 timeout 120 socat -u "OPEN:$DIR/in" "TCP:$B1:5001" || fail "the TCP transfer failed"
wait $srv || fail "the receiver failed"
assert_eq "$(sha256sum <"$DIR/out")" "$(sha256sum <"$DIR/in")" "10 MB across the VXLAN port"
assert_eq "$(frag_creates $HA) $(frag_creates $HB)" "$fa $fb" "the underlay fragmented packets"

# ---- peers change in place: only FDB entries
idx=$(in_a ip -j link show dev vx-ov | jq -r '.[0].ifindex')
on_a net set ov vxlan-peer add 192.0.2.3 192.0.2.4
assert_eq "$(in_a bridge fdb show dev vx-ov | grep '^00:00:00:00:00:00' | awk '{print $3}' | sort | tr '\n' ' ')" \
	"$UB 192.0.2.3 192.0.2.4 " "peers added"
on_a net set ov vxlan-peer del 192.0.2.3
assert_eq "$(in_a bridge fdb show dev vx-ov | grep '^00:00:00:00:00:00' | awk '{print $3}' | sort | tr '\n' ' ')" \
	"$UB 192.0.2.4 " "peer removed"
assert_eq "$(on_a net show ov --json | jq -r '.vxlan.peers | join(",")')" "$UB,192.0.2.4" "the record follows"
expect_err 1 "192.0.2.3 is not a VXLAN peer of network 'ov'" on_a net set ov vxlan-peer del 192.0.2.3
expect_err 1 "192.0.2.4 is a VXLAN peer of network 'ov' already" on_a net set ov vxlan-peer add 192.0.2.4
expect_err 2 "peer 192.0.2.1 is this host's own underlay address" on_a net set ov vxlan-peer add $UA
expect_err 2 "expected 'add' or 'del'" on_a net set ov vxlan-peer put 192.0.2.5
on_a net set ov vxlan-peer del 192.0.2.4
assert_eq "$(in_a ip -j link show dev vx-ov | jq -r '.[0].ifindex')" "$idx" "the port was replaced"
assert_ping a1 "$B1"
assert_ping a1 10.77.0.1

# ---- a second network with the same VNI on one host: refused, said clearly
expect_err 1 "VNI 4242 \(port 4789\) is used by network 'ov' already" on_a net create ov2 --subnet 10.78.0.0/24 \
	--vni 4242 --range 10.78.0.16-10.78.0.20

# ---- rm: the port goes with the bridge
on_a net rm --force ov
on_b net rm --force ov
! in_a ip link show dev vx-ov >/dev/null 2>&1 || fail "vx-ov left on host A"
! in_b ip link show dev ov >/dev/null 2>&1 || fail "bridge left on host B"
