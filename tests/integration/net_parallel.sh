#!/bin/bash
# 32 `nsnet net attach` processes at once, each attaching a different namespace to one
# network: 32 distinct addresses, none the network, gateway or broadcast address, and
# the state file agrees with what each namespace really has. Then 16 detaches racing
# 16 attaches of new namespaces: still no address handed out twice.
# Witnesses: ip -j addr in each namespace, bridge -j link, the state file read with jq.
source "$(dirname "$0")/../lib.sh"

NET=np-net
N=32
NS=$(seq -f 'np-%02g' 1 $N)
MORE=$(seq -f 'np-x%02g' 1 16)
cleanup() {
	"$NSNET" ns del $NS $MORE >/dev/null 2>&1 || true
	for _ in $(seq 30); do ip -o link | grep -q ' nvnp' || break; sleep 0.1; done
	"$NSNET" net rm --force $NET >/dev/null 2>&1 || true
}
trap cleanup EXIT
nsnet ns add $NS $MORE
# A /26: 62 usable addresses, one of them the gateway, so 32 + 16 fill most of it.
nsnet net create $NET --subnet 10.90.0.0/26

addr_of() { ip -n "$1" -j addr show dev eth0 2>/dev/null | jq -r '.[0].addr_info[]? | select(.family == "inet") | "\(.local)/\(.prefixlen)"'; }
# Every member's address from the kernel and from the state file, and the checks.
check_members() {
	local want_n=$1 state kernel
	state=$(jq -r '.members[] | "\(.ns) \(.ips | join(" ")) \(.state)"' /run/nsnet/networks/$NET.json | sort)
	kernel=$(for n in $(jq -r '.members[].ns' /run/nsnet/networks/$NET.json); do echo "$n $(addr_of $n) up"; done | sort)
	assert_eq "$state" "$kernel" "state file vs ip -j addr"
	assert_eq "$(echo "$state" | grep -c .)" "$want_n" "members"
	local addrs
	addrs=$(echo "$state" | awk '{print $2}')
	assert_eq "$(echo "$addrs" | sort -u | wc -l)" "$want_n" "distinct addresses"
	assert_no_match "$addrs" '^10\.90\.0\.(0|1|63)/' "network, gateway or broadcast handed out"
	assert_eq "$(echo "$addrs" | grep -cvE '^10\.90\.0\.([2-9]|[1-5][0-9]|6[0-2])/26$' || true)" 0 "addresses outside 10.90.0.2-62/26"
	assert_eq "$(bridge -j link | jq --arg b $NET '[.[] | select(.master == $b)] | length')" "$want_n" "bridge ports"
}

pids=()
for n in $NS; do
	"$NSNET" net attach $NET $n 2>/tmp/np-err.$n &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait $p || rc=1; done
errs=$(cat /tmp/np-err.* 2>/dev/null)
rm -f /tmp/np-err.*
[ $rc = 0 ] || fail "a parallel attach failed: $errs"
check_members $N
assert_eq "$(nsnet net show $NET --json | jq -r '.subnets[0] | "\(.used) \(.free)"')" "33 29" "pool counts"
# And they all work: the last one reaches the first, through the bridge.
first=$(addr_of np-01)
assert_ping np-32 ${first%/*}

# Detaches racing attaches.
pids=()
i=0
for n in $MORE; do
	i=$((i + 1))
	"$NSNET" net attach $NET $n 2>/tmp/np-err.$n &
	pids+=($!)
	"$NSNET" net detach $NET $(printf 'np-%02d' $i) 2>/tmp/np-err.d$i &
	pids+=($!)
done
for p in "${pids[@]}"; do wait $p || rc=1; done
errs=$(cat /tmp/np-err.* 2>/dev/null)
rm -f /tmp/np-err.*
[ $rc = 0 ] || fail "a racing attach/detach failed: $errs"
check_members $N
for i in $(seq 1 16); do
	assert_eq "$(ip -n $(printf 'np-%02d' $i) -j link | jq -r '[.[].ifname] | join(" ")')" lo "links of a detached namespace"
done

nsnet net rm --force $NET
assert_eq "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "host links after rm"
nsnet ns del $NS $MORE
note "ok"
