#!/bin/bash
# After a firewall reload wipes nsnet's table (`nft flush ruleset`), published ports
# and NAT stop working; `nsnet fw restore` rebuilds every rule from state, and the
# host settings (ip_forward, route_localnet) too. A change made while the table is
# gone rebuilds it as well. `fw status` tells present/missing/in sync. A foreign
# table is never touched. Witnesses: socat servers, nft list, /proc/sys.
source "$(dirname "$0")/../lib.sh"

A1=rst-a1 W=rst-wan
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$NSNET" net rm rst-a --force 2>/dev/null || true
	for n in $A1 $W; do ip netns del $n 2>/dev/null || true; done
	nft delete table ip keep 2>/dev/null || true
}
trap cleanup EXIT
ask() { echo hi | ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" 2>/dev/null || true; }
status() { "$NSNET" fw status --json | jq -r "$1"; }
# The firewall of someone else, as a reload would put it back.
keep() { nft -f - <<-'EOF'
	table ip keep {
		chain input {
			type filter hook input priority filter; policy accept;
			tcp dport 22 accept
		}
	}
	EOF
}

keep
nsnet ns add $A1 $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0
ip netns exec $A1 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:'read l; echo "a1 peer=$SOCAT_PEERADDR"' & PIDS+=($!)
ip netns exec $W socat TCP4-LISTEN:9000,fork,reuseaddr SYSTEM:'read l; echo "wan peer=$SOCAT_PEERADDR"' & PIDS+=($!)
sleep 0.3
assert_eq "$(status .present) $(status .in_sync)" "false true" "status with no network"
nsnet net create rst-a --subnet 10.61.0.0/24 --nat
nsnet net attach rst-a $A1
nsnet publish 8080 $A1:80
nsnet publish 203.0.113.1:8081 $A1:80
assert_eq "$(status .present) $(status .in_sync)" "true true" "status with the table"
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port before the flush"
table=$(nft list table inet nsnet)
full=$(nft list ruleset)

# A firewall reload: everything flushed, the host settings reset; the other
# firewall puts its own table back, nsnet's stays missing.
nft flush ruleset
keep
echo 0 >/proc/sys/net/ipv4/ip_forward
echo 0 >/proc/sys/net/ipv4/conf/rst-a/route_localnet
assert_eq "$(status .present) $(status .in_sync)" "false false" "status after the flush"
assert_match "$("$NSNET" fw status)" "MISSING .*nsnet fw restore" "fw status text after the flush"
assert_eq "$(ask $W 203.0.113.1 8080)" "" "published port after the flush"
assert_eq "$(ask $A1 203.0.113.2 9000)" "" "NAT after the flush"

nsnet fw restore
assert_eq "$(nft list table inet nsnet)" "$table" "nsnet's table after restore"
assert_eq "$(nft list ruleset)" "$full" "the whole ruleset after restore"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv4/conf/rst-a/route_localnet)" "1 1" \
	"ip_forward and route_localnet after restore"
assert_eq "$(status .present) $(status .in_sync)" "true true" "status after restore"
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port after restore"
assert_eq "$(ask $W 203.0.113.1 8081)" "a1 peer=203.0.113.2" "published port on one address after restore"
assert_eq "$(ask $A1 203.0.113.2 9000)" "wan peer=203.0.113.1" "NAT after restore"
nsnet fw restore   # with the table there: the same table again
assert_eq "$(nft list ruleset)" "$full" "the whole ruleset after a second restore"

# Someone deletes one of nsnet's elements: status notices, restore repairs.
nft delete element inet nsnet pubany4 '{ tcp . 8080 }'
assert_eq "$(status .in_sync)" "false" "status after an element was deleted by hand"
nsnet fw restore
assert_eq "$(nft list table inet nsnet)" "$table" "nsnet's table after repairing"

# A change while the table is missing rebuilds all of it from state.
nft flush ruleset
keep
nsnet publish 8082 $A1:80
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "an older publish after a publish on a flushed ruleset"
assert_eq "$(ask $W 203.0.113.1 8082)" "a1 peer=203.0.113.2" "the new publish on a flushed ruleset"
nsnet unpublish 8082

expect_err 2 "fw restore: takes no arguments" "$NSNET" fw restore now
expect_err 2 "fw status: takes no arguments" "$NSNET" fw status x

nsnet net rm rst-a --force
assert_eq "$(nft list ruleset)" "$(nft list table ip keep)" "only the foreign table is left"
note "ok"
