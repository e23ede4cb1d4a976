#!/bin/bash
# nsnet link set: a running lab's impairment changed in place. Witnesses: tc and nft
# in the node's namespace, ip's ifindex (the link stays), status; bad values are
# refused with exit 2 and change nothing; the next up of the file puts its own back.
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
cleanup() {
	"$NSNET" down imp >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
cat >"$dir/imp.yaml" <<'Y'
name: imp
nodes:
  ia: {}
  ib: {}
links:
  - endpoints: [ia:p0, ib:p0]
    ips: [10.77.0.1/24, 10.77.0.2/24]
    impair:
      - {rate: 8mbit}
      - {}
Y
nsnet up "$dir/imp.yaml" >/dev/null
idx=$(ip -n ia -j link show p0 | jq '.[0].ifindex')

# rate and loss on ia's end; ib's end, which had none, gets a rate.
out=$(nsnet link set imp ia:p0 rate 2mbit loss 10% --json)
assert_eq "$(jq -c . <<<"$out")" '{"lab":"imp","node":"ia","ifname":"p0","rate":"2mbit","loss":"10%"}' "the report"
assert_match "$(ip netns exec ia tc qdisc show dev p0)" "qdisc tbf 4e53: root .*rate 2Mbit" "the new rate"
assert_match "$(ip netns exec ia nft list table inet nsnet_impair)" "mod 1000000 < 100000 drop" "the drop rule"
nsnet link set imp ib:p0 rate 1mbit
assert_match "$(ip netns exec ib tc qdisc show dev p0)" "rate 1Mbit" "ib's rate"
assert_eq "$(ip -n ia -j link show p0 | jq '.[0].ifindex')" "$idx" "ia:p0 kept its ifindex"
st=$(nsnet status imp)
assert_match "$st" "impair ia:p0 sends rate 2mbit loss 10%  ok" "status has ia's"
assert_match "$st" "impair ib:p0 sends rate 1mbit  ok" "status has ib's"

# show reads them back from the kernel (qdisc dump, nft table).
assert_eq "$(nsnet show ia --json | jq -c '.[0].impairments')" '[{"dev":"p0","rate":"2mbit","loss":"10%"}]' "show --json of ia"
assert_match "$(nsnet show ib)" "impairment: p0 sends rate 1mbit" "show of ib"

# Only what is given changes; loss 0 takes the loss (and nsnet's table) away.
nsnet link set imp ia:p0 loss 0
assert_match "$(ip netns exec ia tc qdisc show dev p0)" "rate 2Mbit" "the rate stays"
expect_rc 1 ip netns exec ia nft list table inet nsnet_impair

# Refused before anything changes.
before=$(ip netns exec ia tc qdisc show dev p0)
expect_err 2 "rate 'fast': write a number and a unit" "$NSNET" link set imp ia:p0 rate fast
expect_err 2 "loss '200%': more than 100%" "$NSNET" link set imp ia:p0 rate 1mbit loss 200%
expect_err 2 "unknown setting 'delay'.*netem" "$NSNET" link set imp ia:p0 delay 10ms
expect_err 2 "nothing to set" "$NSNET" link set imp ia:p0
expect_err 1 "lab 'imp' has no link end or node interface ia:p9" "$NSNET" link set imp ia:p9 rate 1mbit
expect_err 1 "no such lab|not found|No such" "$NSNET" link set nolab ia:p0 rate 1mbit
assert_eq "$(ip netns exec ia tc qdisc show dev p0)" "$before" "refusals changed nothing"

# --clear: nothing on ib's end any more.
nsnet link set imp ib:p0 --clear
assert_no_match "$(ip netns exec ib tc qdisc show dev p0)" "tbf" "ib's tbf gone"

# The file is the truth for up: its 8mbit comes back, in place.
nsnet up "$dir/imp.yaml" >/dev/null
assert_match "$(ip netns exec ia tc qdisc show dev p0)" "rate 8Mbit" "up put the file's rate back"
assert_eq "$(ip -n ia -j link show p0 | jq '.[0].ifindex')" "$idx" "ia:p0 kept its ifindex"
assert_match "$(nsnet status imp)" "impair ia:p0 sends rate 8mbit  ok" "status"
nsnet down imp >/dev/null
note "ok"
