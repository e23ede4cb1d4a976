#!/bin/bash
# nsnet show of many namespaces wired to several hubs, to the host and to each other:
# every veth's peer (name, namespace, index) is confirmed by ip on both ends. This
# exercises the nsid cache across namespaces (hubs with many peers, leaves that share
# a hub, peers in the host) that a small setup never reaches.
. "$(dirname "$0")/../lib.sh"

N=60
cleanup() {
	for i in $(seq 0 9); do ip link del "mh$i" 2>/dev/null || true; done
	for n in $(ip netns list | awk '$1 ~ /^m-(hub|leaf)[0-9]+$/ {print $1}'); do ip netns del "$n"; done
}
trap cleanup EXIT

{
	for h in 0 1 2; do echo "netns add m-hub$h"; done
	for i in $(seq $N); do echo "netns add m-leaf$i"; done
	# Leaf i hangs off hub i%3; every 7th leaf is also cabled to leaf i+1; every 6th to the host.
	for i in $(seq $N); do
		echo "link add eth0 netns m-leaf$i type veth peer name l$i netns m-hub$((i % 3))"
		[ $((i % 7)) = 0 ] && [ $i -lt $N ] && echo "link add x$i netns m-leaf$i type veth peer name y$i netns m-leaf$((i + 1))"
		[ $((i % 6)) = 0 ] && echo "link add mh$((i / 6 - 1)) type veth peer name up netns m-leaf$i"
	done
} | ip -batch -

json=$(nsnet show --json)
assert_eq "$(echo "$json" | jq length)" $((N + 3)) "namespaces shown"
json="$(echo "$json" | jq '. + '"$(nsnet show host --json)")"

declare -A ifindex link_index link_nsid
while read -r ns name idx li nsid; do
	ifindex[$ns/$name]=$idx link_index[$ns/$name]=$li link_nsid[$ns/$name]=$nsid
done < <(for ns in $(ip netns list | awk '{print $1}') host; do
	if [ $ns = host ]; then ip -j -d link show; else ip -n $ns -j -d link show; fi |
		jq -r --arg ns $ns '.[] | select(.linkinfo.info_kind == "veth") |
			"\($ns) \(.ifname) \(.ifindex) \(.link_index // .link) \(.link_netnsid // "null")"'
done)

checked=0
while read -r ns name index pname pns pindex pnsid; do
	assert_eq "${ifindex[$pns/$pname]:-missing}" "$pindex" "$ns/$name: peer $pns/$pname's index"
	assert_eq "${link_index[$pns/$pname]}" "$index" "$ns/$name: peer $pns/$pname points back"
	assert_eq "${link_nsid[$ns/$name]}" "$pnsid" "$ns/$name: peer nsid"
	checked=$((checked + 1))
done < <(echo "$json" | jq -r '.[] | .namespace as $ns | .interfaces[] | select(.kind == "veth") |
	"\($ns) \(.name) \(.index) \(.peer.name) \(.peer.namespace) \(.peer.index) \(.peer.nsid // "null")"')
veths=$(( 2 * N + 2 * (N / 7 - (N % 7 == 0 ? 1 : 0)) + 2 * (N / 6) ))
assert_eq "$checked" "$veths" "veth ends checked"
note "$checked veth ends across $((N + 4)) namespaces agree with ip -d link"
