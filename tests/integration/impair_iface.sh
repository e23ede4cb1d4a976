#!/bin/bash
# Impairments of a node's interface on a network: what the node sends on it (the
# other direction is the other nodes' own interfaces). Witnesses: tc and nft in the
# node's namespace, ping across the bridge, the ifindex kept by link set.
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
cleanup() {
	"$NSNET" down impn >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
cat >"$dir/impn.yaml" <<'Y'
name: impn
networks:
  inet0: {subnet: 10.78.0.0/24}
nodes:
  na:
    interfaces:
      - {network: inet0, ip: 10.78.0.10, impair: {rate: 4mbit, loss: 0.5%}}
  nb:
    interfaces: [inet0]
Y
nsnet up "$dir/impn.yaml" >/dev/null
assert_match "$(ip netns exec na tc qdisc show dev eth0)" "qdisc tbf 4e53: root .*rate 4Mbit" "na's rate"
assert_match "$(ip netns exec na nft list table inet nsnet_impair)" 'oifname "eth0" numgen random mod 1000000 < 5000 drop' "na's loss"
assert_no_match "$(ip netns exec nb tc qdisc show dev eth0)" "tbf" "nb unimpaired"
ip netns exec na ping -q -c 10 -i 0.05 -W 1 10.78.0.2 >/dev/null || fail "na cannot reach nb"
assert_match "$(nsnet status impn)" "impair na:eth0 sends rate 4mbit loss 0.5%  ok" "status"

idx=$(ip -n na -j link show eth0 | jq '.[0].ifindex')
nsnet link set impn na:eth0 rate 1mbit loss 0
assert_match "$(ip netns exec na tc qdisc show dev eth0)" "rate 1Mbit" "the new rate"
expect_rc 1 ip netns exec na nft list table inet nsnet_impair
assert_eq "$(ip -n na -j link show eth0 | jq '.[0].ifindex')" "$idx" "eth0 kept its ifindex"
nsnet link set impn nb:eth0 rate 3mbit
assert_match "$(ip netns exec nb tc qdisc show dev eth0)" "rate 3Mbit" "nb's rate by link set"

# A bad value on an interface is refused at its place.
sed -i 's/rate: 4mbit/rate: 4mbyte/' "$dir/impn.yaml"
expect_err 2 "impn.yaml:7:[0-9]+: .*rate '4mbyte': unknown unit" "$NSNET" up "$dir/impn.yaml"
nsnet down impn >/dev/null
note "ok"
