#!/bin/bash
# Link impairments, loss, and changing impairments in place. This kernel has no
# netem, so loss is an nftables rule in the sending node's namespace (table inet
# nsnet_impair). 1000 pings from ia with 20% loss on what ia sends: the requests
# are dropped, the replies are not, so ping's loss is the rule's. Binomial with
# n=1000, p=0.2: sigma is 1.26%, so 20% +- 4.5% (3.5 sigma) fails a correct rule
# about once in 2000 runs. Then `up` of a changed file changes the qdisc and the
# rule, not the link: the interface keeps its ifindex.
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
cleanup() {
	"$NSNET" down imp >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

# lab LOSS_A RATE_B: the file with ia's loss and ib's rate.
lab() {
	cat >"$dir/imp.yaml" <<Y
name: imp
nodes:
  ia: {}
  ib: {}
links:
  - endpoints: [ia:p0, ib:p0]
    ips: [10.77.0.1/24, 10.77.0.2/24]
    impair:
      - {loss: $1}
      - {rate: $2}
Y
}
lab 20% 50mbit
nsnet up "$dir/imp.yaml" >/dev/null

assert_match "$(ip netns exec ia nft list table inet nsnet_impair)" 'oifname "p0" numgen random mod 1000000 < 200000 drop' "the drop rule"
assert_match "$(nsnet status imp)" "impair ia:p0 sends loss 20%  ok" "status shows the loss"
assert_match "$(nsnet status imp)" "impair ib:p0 sends rate 50mbit  ok" "status shows the rate"

# loss: PERCENT of N pings lost, as ping counts them.
loss() {
	ip netns exec ia ping -n -q -c 1000 -i 0.002 -W 1 10.77.0.2 | sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p'
}
got=$(loss)
note "20% loss on ia:p0: ping lost $got% of 1000"
awk -v v="$got" 'BEGIN { exit !(v >= 15.5 && v <= 24.5) }' || fail "measured loss $got%, not within 20% +- 4.5%"

# ---- in place: up of a changed file changes only the impairment.
idx_a=$(ip -n ia -j link show p0 | jq '.[0].ifindex')
idx_b=$(ip -n ib -j link show p0 | jq '.[0].ifindex')
lab 5% 20mbit
out=$(nsnet up "$dir/imp.yaml")
assert_match "$out" "lab 'imp' is up \(2 changes\)" "up changes the two impairments only"
assert_eq "$(ip -n ia -j link show p0 | jq '.[0].ifindex')" "$idx_a" "ia:p0 kept its ifindex"
assert_eq "$(ip -n ib -j link show p0 | jq '.[0].ifindex')" "$idx_b" "ib:p0 kept its ifindex"
assert_match "$(ip netns exec ia nft list table inet nsnet_impair)" "mod 1000000 < 50000 drop" "the new drop rule"
assert_match "$(ip netns exec ib tc qdisc show dev p0)" "qdisc tbf 4e53: root .*rate 20Mbit" "the new rate"
ip netns exec ia ping -q -c 10 -i 0.05 -W 1 10.77.0.2 >/dev/null || fail "ia cannot reach ib (5% loss: 10 pings)"

# Taking the loss away takes nsnet's table with it (the link's other end keeps its rate).
sed -i 's/{loss: 5%}/{}/' "$dir/imp.yaml"
nsnet up "$dir/imp.yaml" >/dev/null
expect_rc 1 ip netns exec ia nft list table inet nsnet_impair
assert_eq "$(ip -n ia -j link show p0 | jq '.[0].ifindex')" "$idx_a" "ia:p0 kept its ifindex"
assert_match "$(ip netns exec ib tc qdisc show dev p0)" "rate 20Mbit" "ib's rate stays"

nsnet down imp >/dev/null
note "ok"
