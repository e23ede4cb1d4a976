#!/bin/bash
# Every examples/*.yaml: --dry-run --explain prints a plan and changes nothing; up
# works; status is "up"; pingall passes; graph is DOT; each recipe's own witness
# (what its "With nsnet:" comment promises, where it needs no firewall: those are in
# examples_fw); a second up changes nothing; down leaves the sandbox as it was.
# A new example is picked up by the loop; it needs a case below only for its own
# witness.
# Witnesses: ping, ip -j, sandbox_state (namespaces, links, nft, /run/nsnet), dot.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

files=$(ls "$EXAMPLES"/*.yaml)
[ -n "$files" ] || fail "no examples"
for f in $files; do
	name=$(basename "$f" .yaml)
	# Routed by bird: reachable only once OSPF has converged, which lab_bird waits for
	# (and it needs bird2 installed).
	[ "$name" != ospf-triangle ] || continue
	# Halves of one network across two hosts, with the hosts' underlay addresses:
	# vxlan_lab runs them on two simulated hosts.
	[[ "$name" != vxlan-host-* ]] || continue
	lab=$(sed -n 's/^name: *//p' "$f")
	[ -n "$lab" ] || fail "$name: no 'name:'"
	nsnet up --dry-run --explain "$f" >"$DIR/explain" || fail "$name: up --dry-run --explain"
	grep -qE '^create ' "$DIR/explain" || fail "$name: the plan creates nothing"
	grep -qE '^    (ip|nft|sysctl) ' "$DIR/explain" || fail "$name: explain shows no command"
	state_settles_to "$before" "$name: after --dry-run"

	nsnet up "$f" >/dev/null
	nsnet status "$lab" >/dev/null || fail "$name: status is not up: $("$NSNET" status "$lab")"
	nsnet pingall "$lab" >"$DIR/pingall" || fail "$name: pingall: $(cat "$DIR/pingall")"
	if command -v dot >/dev/null; then
		nsnet graph "$lab" | dot -Tplain >/dev/null || fail "$name: dot rejects the graph"
	fi
	case $name in
	veth-pair)
		assert_ping client 10.0.0.2
		assert_ping server 10.0.0.1
		assert_eq "$(ip -n client -j link show pair-client | jq -r '.[0].link_netnsid != null')" true "pair-client's peer is in another namespace"
		;;
	impaired-link)
		assert_ping client 10.0.0.2
		assert_match "$(ip netns exec client tc qdisc show dev up)" "qdisc tbf 4e53: root .*rate 8Mbit" "impaired-link: client's rate"
		assert_match "$(ip netns exec server tc qdisc show dev down)" "qdisc tbf 4e53: root .*rate 2Mbit" "impaired-link: server's rate"
		;;
	bridge)
		assert_ping ns1 10.1.1.3
		assert_ping ns3 10.1.1.2
		ping -c1 -W2 10.1.1.2 >/dev/null || fail "bridge: the host cannot ping ns2"
		assert_eq "$(ip -j addr show br0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.1.1.4 "bridge: the host on br0"
		assert_eq "$(ip -j link show master br0 | jq length)" 3 "bridge: ports of br0"
		assert_eq "$(ip -n ns1 -j addr show veth_ns1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.1.1.1 "bridge: ns1's veth_ns1"
		;;
	host-connected)
		ping -c1 -W2 10.0.0.2 >/dev/null || fail "host-connected: the host cannot ping isolated"
		assert_ping isolated 10.0.0.1
		assert_eq "$(ip -n isolated -j link show lo | jq -r '.[0].operstate')" UNKNOWN "host-connected: isolated's lo is up"
		;;
	nat)
		assert_ping webserver 10.100.0.1
		assert_eq "$(ip -n webserver -j route show default | jq -r '.[0].gateway')" 10.100.0.1 "nat: default route"
		;;
	port-forward)
		assert_ping web 10.99.0.1
		;;
	tutorial)
		assert_ping red "$(ip -n db -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')"
		;;
	*)
		note "$name: no recipe-specific witness (add a case)"
		;;
	esac
	assert_match "$(nsnet up "$f")" "is up to date: no change made" "$name: second up"
	nsnet down "$lab"
	state_settles_to "$before" "$name: after down"
done
