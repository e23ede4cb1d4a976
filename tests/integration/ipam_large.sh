#!/bin/bash
# Big subnets: a /8 and a /64 network with 200 members each. The pool costs memory per
# member, never per address of the subnet, so both work and are quick: the addresses
# are the first 200 after the gateway, distinct, and what each namespace really has;
# `net show` counts 16 million / 2^63 free addresses without building them.
# Witnesses: ip -j addr in the namespaces, bridge -j link, /usr/bin/time (peak memory).
source "$(dirname "$0")/../lib.sh"

N=200
NS=$(seq -f 'il-%03g' 1 $N)
cleanup() {
	"$NSNET" ns del $NS >/dev/null 2>&1 || true
	for _ in $(seq 50); do ip -o link | grep -q ' nvil' || break; sleep 0.1; done
	for _n in il-big il-v6; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
nsnet ns add $NS

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
# Peak RSS (kB) of one nsnet command.
peak_kb() { /usr/bin/time -f %M -o /tmp/il-rss.$$ "$NSNET" "$@" >/dev/null && cat /tmp/il-rss.$$; rm -f /tmp/il-rss.$$; }

# ---- a /8, its gateway at the top end.
nsnet net create il-big --subnet 10.0.0.0/8 --gateway 10.255.255.254
start=$EPOCHREALTIME
nsnet net attach il-big $NS
t=$(elapsed $start)
note "attach of $N namespaces to a /8: ${t}s"
awk -v t="$t" 'BEGIN { exit !(t < 20) }' || fail "attaching $N namespaces to a /8 took ${t}s"
# One jq for all 200 (a jq start costs ~20 ms).
got=$(for n in $NS; do ip -n $n -j addr show eth0; done | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')
want=$(for i in $(seq 1 $N); do echo "10.0.0.$i/8"; done)
assert_eq "$got" "$want" "addresses on the /8 (the first $N usable ones, in order)"
assert_eq "$(bridge -j link | jq '[.[] | select(.master == "il-big")] | length')" $N "ports of il-big"
show=$(nsnet net show il-big --json)
assert_eq "$(echo "$show" | jq -r '.subnets[0] | "\(.used) \(.free)"')" "$((N + 1)) $((16777214 - N - 1))" "/8 pool counts"
# The members' state is consistent with the kernel.
assert_eq "$(echo "$show" | jq -r '.members[] | .ips[0]')" "$want" "state of the /8"
ip netns exec il-200 ping -c1 -W2 10.0.0.1 >/dev/null || fail "il-200 cannot reach il-001"
ip netns exec il-001 ping -c1 -W2 10.255.255.254 >/dev/null || fail "il-001 cannot reach the gateway"
kb8=$(peak_kb net show il-big --json)
note "net show of the /8: peak RSS ${kb8} kB"
# A per-address structure for 2^24 addresses would need 2 MB (a bitmap) to 128 MB.
[ "$kb8" -lt 30000 ] || fail "net show of a /8 with $N members used ${kb8} kB"

# ---- a /64 (IPv6 only), same namespaces: their second interface.
nsnet net create il-v6 --subnet fd00:64::/64
start=$EPOCHREALTIME
nsnet net attach il-v6 $NS
t=$(elapsed $start)
note "attach of $N namespaces to a /64: ${t}s"
awk -v t="$t" 'BEGIN { exit !(t < 20) }' || fail "attaching $N namespaces to a /64 took ${t}s"
got=$(for n in $NS; do ip -n $n -j addr show eth1; done | jq -r '.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local')
want=$(for i in $(seq 2 $((N + 1))); do printf 'fd00:64::%x\n' $i; done)
assert_eq "$got" "$want" "addresses on the /64"
ip netns exec il-150 ping -6 -c1 -W2 fd00:64::2 >/dev/null || fail "il-150 cannot reach il-001 over IPv6"
show=$(nsnet net show il-v6 --json)
assert_eq "$(echo "$show" | jq -r '.subnets[0].used')" $((N + 1)) "/64 pool: used"
# 2^63-ish free: read the raw number (jq would round it through a double).
free=$(echo "$show" | grep -oE '"free": [0-9]+' | grep -oE '[0-9]+$')
[ "${#free}" -ge 18 ] || fail "/64 pool: free is '$free'"
kb64=$(peak_kb net show il-v6 --json)
note "net show of the /64: peak RSS ${kb64} kB"
[ "$kb64" -lt 30000 ] || fail "net show of a /64 with $N members used ${kb64} kB"

# The namespaces go, and with them every address, at the next command.
nsnet ns del $NS
for _ in $(seq 100); do
	[ "$(bridge -j link | jq 'length')" = 0 ] && break
	sleep 0.1
done
assert_eq "$(nsnet net show il-big --json | jq -r '"\(.members | length) \(.subnets[0].used)"')" "0 1" "/8 after the namespaces are gone"
assert_eq "$(nsnet net show il-v6 --json | jq -r '"\(.members | length) \(.subnets[0].used)"')" "0 1" "/64 after the namespaces are gone"
nsnet net rm il-big il-v6
note "ok"
