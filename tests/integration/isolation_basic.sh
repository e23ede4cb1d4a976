#!/bin/bash
# Isolation: namespaces of two nsnet networks cannot reach each other through the
# host until `nsnet net set A allow B` (both ways, addresses kept), and again not
# after `deny`. Traffic inside one network still passes although br_netfilter
# sends bridged IPv4 through the forward hook. The host reaches every network.
# Removing an allowed network drops the exception. Witnesses: ping, socat servers
# printing the peer address, nft list ruleset, net show --json.
source "$(dirname "$0")/../lib.sh"

A1=iso-a1 A2=iso-a2 B1=iso-b1 C1=iso-c1
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in iso-a iso-b iso-c; do "$NSNET" net rm $n --force 2>/dev/null || true; done
	for n in $A1 $A2 $B1 $C1; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
ask() { echo hi | ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" 2>/dev/null || true; }
has() { grep -qE -- "$2" <<<"$1" || fail "$3: '$1' does not match '$2'"; }
hasnt() { ! grep -qE -- "$2" <<<"$1" || fail "$3: '$1' matches '$2'"; }

nsnet ns add $A1 $A2 $B1 $C1
nsnet net create iso-a --subnet 10.51.0.0/24 --nat
nsnet net create iso-b --subnet 10.52.0.0/24
nsnet net create iso-c --subnet 10.53.0.0/24
nsnet net attach iso-a $A1 $A2
nsnet net attach iso-b $B1
nsnet net attach iso-c $C1
for n in $A1 $B1 $C1; do
	ip netns exec $n socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:'read l; echo "peer=$SOCAT_PEERADDR"' &
	PIDS+=($!)
done
sleep 0.3
if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ]; then
	note "br_netfilter is on: bridged traffic crosses the forward hook"
else
	note "br_netfilter is off here: the same-network checks below are weaker"
fi

# Inside one network: open (ping and TCP, both bridged).
assert_ping $A1 10.51.0.3
assert_eq "$(ask $A2 10.51.0.2 80)" "peer=10.51.0.3" "$A2 to $A1 (same network)"
# The host reaches every network.
for ip in 10.51.0.2 10.52.0.2 10.53.0.2; do ping -c1 -W2 $ip >/dev/null || fail "the host cannot ping $ip"; done

# Between networks: closed, both directions, ping and TCP.
assert_no_ping $A1 10.52.0.2
assert_no_ping $B1 10.51.0.2
assert_no_ping $B1 10.53.0.2
assert_eq "$(ask $B1 10.51.0.2 80)" "" "$B1 to $A1 (isolated)"
assert_eq "$(ask $A1 10.52.0.2 80)" "" "$A1 to $B1 (isolated)"

# Allowed: both ways, addresses kept (no masquerade between networks). C stays out.
nsnet net set iso-a allow iso-b
assert_ping $A1 10.52.0.2
assert_ping $B1 10.51.0.2
assert_eq "$(ask $B1 10.51.0.2 80)" "peer=10.52.0.2" "$B1 to $A1 (allowed)"
assert_eq "$(ask $A1 10.52.0.2 80)" "peer=10.51.0.2" "$A1 to $B1 (allowed)"
assert_no_ping $C1 10.51.0.2
assert_no_ping $C1 10.52.0.2
assert_no_ping $B1 10.53.0.2
assert_eq "$("$NSNET" net show iso-a --json | jq -c .allow)" '["iso-b"]' "iso-a's allow list"
assert_eq "$("$NSNET" net show iso-b --json | jq -c .allow)" '["iso-a"]' "iso-b's allow list"
has "$(nft list set inet nsnet pairs)" '"iso-a" \. "iso-b"' "pairs set has iso-a . iso-b"
nsnet net set iso-b allow iso-a   # the same exception, from the other side: nothing new
assert_eq "$("$NSNET" net show iso-a --json | jq -c .allow)" '["iso-b"]' "allow is idempotent"

# Denied again.
nsnet net set iso-b deny iso-a
assert_no_ping $A1 10.52.0.2
assert_no_ping $B1 10.51.0.2
assert_eq "$("$NSNET" net show iso-a --json | jq -c .allow)" 'null' "iso-a's allow list after deny"
nsnet net set iso-b deny iso-a   # idempotent

# Bad input changes nothing.
rules=$(nft list ruleset)
expect_err 2 "a network always reaches itself" "$NSNET" net set iso-a allow iso-a
expect_err 1 "network 'iso-nowhere' not found" "$NSNET" net set iso-a allow iso-nowhere
expect_err 1 "network 'iso-nowhere' not found" "$NSNET" net set iso-nowhere allow iso-a
expect_err 2 "invalid network name" "$NSNET" net set iso-a allow 'a b'
assert_eq "$(nft list ruleset)" "$rules" "ruleset after refused commands"

# Removing an allowed network takes the exception with it.
nsnet net set iso-a allow iso-c
nsnet net rm iso-c --force
assert_eq "$("$NSNET" net show iso-a --json | jq -c .allow)" 'null' "iso-a's allow list after iso-c is removed"
hasnt "$(nft list set inet nsnet pairs)" 'iso-c' "pairs set after iso-c is removed"
hasnt "$(nft list set inet nsnet bridges)" 'iso-c' "bridges set after iso-c is removed"

nsnet net rm iso-a iso-b --force
assert_eq "$(nft list ruleset)" "" "ruleset after removing every network"
note "ok"
