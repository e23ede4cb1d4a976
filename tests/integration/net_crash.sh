#!/bin/bash
# Crash recovery of a network's address pool. A member is recorded "pending" (with the
# attaching pid) before the kernel is touched; the next command reconciles: a pending
# member of a dead attach is undone: dropped, its address freed, and its host-side veth
# deleted if it made one (it may lack its address, its route or its name inside: the
# pending record is the attach's journal); a live attach's pending member is left alone; a member
# whose namespace was deleted (`ip netns del`) is dropped at the next command.
# Then a real crash: an attach of 300 namespaces killed with SIGKILL half-way.
# Witnesses: the state file (jq), ip -j link / bridge -j link, ip -j addr, `net show`.
source "$(dirname "$0")/../lib.sh"

NET=nc-net NET2=nc-big
STATE=/run/nsnet/networks/$NET.json
BIG=$(seq -f 'nc-b%03g' 1 300)
sleeper=
cleanup() {
	[ -n "$sleeper" ] && kill $sleeper 2>/dev/null
	"$NSNET" ns del nc-k1 nc-k2 nc-k3 $BIG >/dev/null 2>&1 || true
	ip link del nvadopt-0000001 2>/dev/null || true
	for _ in $(seq 50); do ip -o link | grep -q ' nv' || break; sleep 0.1; done
	for _n in $NET $NET2; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

members() { jq -r '[.members[] | "\(.ns):\(.state)"] | join(" ")' $STATE; }
used() { nsnet net show $NET --json | jq -r '.subnets[0].used'; }
# Add a member object to the state file (no nsnet command runs meanwhile).
inject() { jq --argjson m "$1" '.members += [$m]' $STATE >$STATE.new && mv $STATE.new $STATE; }

nsnet ns add nc-k1 nc-k2 nc-k3
nsnet net create $NET --subnet 10.91.0.0/24
nsnet net attach $NET nc-k1
assert_eq "$(used)" 2 "used: gateway + nc-k1"

# A pid that surely is dead.
sleep 0 &
dead=$!
wait $dead
# ... and one that is alive for now.
sleep 600 &
sleeper=$!

# 1. Pending, attach dead, no veth: dropped, its address free again.
inject "{\"ns\": \"nc-ghost\", \"ifname\": \"eth0\", \"host_ifname\": \"nvghost-0000001\", \"ips\": [\"10.91.0.50/24\"], \"state\": \"pending\", \"pid\": $dead}"
# 2. Pending, attach dead, veth exists (made here as the dead attach would have,
#    but unconfigured): undone, the veth deleted.
ip link add nvadopt-0000001 master $NET type veth peer name eth0 netns nc-k2
inject "{\"ns\": \"nc-k2\", \"ifname\": \"eth0\", \"host_ifname\": \"nvadopt-0000001\", \"ips\": [\"10.91.0.60/24\"], \"state\": \"pending\", \"pid\": $dead}"
# 3. Pending, attach still running: left alone, its address reserved.
inject "{\"ns\": \"nc-live\", \"ifname\": \"eth0\", \"host_ifname\": \"nvlive-0000001\", \"ips\": [\"10.91.0.70/24\"], \"state\": \"pending\", \"pid\": $sleeper}"
assert_eq "$(members)" "nc-k1:up nc-ghost:pending nc-k2:pending nc-live:pending" "injected members"

# The next command (any of them) reconciles.
assert_eq "$(used)" 3 "used after reconcile: gateway, nc-k1, nc-live"
assert_eq "$(members)" "nc-k1:up nc-live:pending" "members after reconcile"
ip link show nvadopt-0000001 >/dev/null 2>&1 && fail "the dead attach's veth is still there after reconcile"
[ -z "$(ip -n nc-k2 -o link show type veth)" ] || fail "the dead attach's veth end still in nc-k2"
# The ghost's address is free: a static attach gets it.
nsnet net attach $NET nc-k3 --ip 10.91.0.50
assert_eq "$(ip -n nc-k3 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.91.0.50 "nc-k3 took the freed address"
nsnet net detach $NET nc-k3
# So is the undone member's; the live attach's is not.
nsnet net attach $NET nc-k3 --ip 10.91.0.60
nsnet net detach $NET nc-k3
expect_err 1 "address 10.91.0.70 is already in use on network '$NET'" "$NSNET" net attach $NET nc-k3 --ip 10.91.0.70
# The live attach dies without having made its veth: its address comes back.
kill $sleeper
wait $sleeper 2>/dev/null || true
sleeper=
nsnet net attach $NET nc-k3 --ip 10.91.0.70
assert_eq "$(members)" "nc-k1:up nc-k3:up" "members after the live attach died"

# 4. A member namespace deleted behind nsnet's back: freed at the next command.
k1_addr=$(jq -r '.members[] | select(.ns == "nc-k1") | .ips[0]' $STATE)
ip netns del nc-k1
for _ in $(seq 50); do [ "$(used)" = 2 ] && break; sleep 0.1; done
assert_eq "$(used)" 2 "used after nc-k1's namespace was deleted"
assert_eq "$(members)" "nc-k3:up" "members after nc-k1's namespace was deleted"
ip netns add nc-k1
nsnet net attach $NET nc-k1 --ip ${k1_addr%/*}
assert_eq "$(ip -n nc-k1 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" "$k1_addr" "nc-k1's old address reused"
nsnet net rm --force $NET

# 5. A real crash: 300 namespaces attached in one call, SIGKILLed after 50 ms.
STATE=/run/nsnet/networks/$NET2.json
nsnet ns add $BIG
nsnet net create $NET2 --subnet 10.92.0.0/16
"$NSNET" net attach $NET2 $BIG &
victim=$!
sleep 0.05
kill -9 $victim 2>/dev/null || true
wait $victim 2>/dev/null && note "the attach finished before it was killed (machine too fast?)"
recorded=$(jq '.members | length' $STATE)
pending=$(jq '[.members[] | select(.state == "pending")] | length' $STATE)
ports=$(bridge -j link | jq --arg b $NET2 '[.[] | select(.master == $b)] | length')
note "killed attach left $recorded members in the state file ($pending pending), $ports veths on the bridge"
# Every veth the kernel has was recorded before it was made.
[ "$ports" -le "$recorded" ] || fail "$ports veths but only $recorded recorded members"

show=$(nsnet net show $NET2 --json)
assert_eq "$(echo "$show" | jq '[.members[] | select(.state != "up")] | length')" 0 "pending members after reconcile"
# The state matches the kernel exactly: a member for every port, a port for every member.
assert_eq "$(echo "$show" | jq -r '.members[].host_ifname' | sort)" \
	"$(bridge -j link | jq -r --arg b $NET2 '.[] | select(.master == $b) | .ifname' | sort)" "members vs bridge ports"
n=$(echo "$show" | jq '.members | length')
# The killed attach's veths are gone with its pending members.
assert_eq "$n" "$(bridge -j link | jq --arg b $NET2 '[.[] | select(.master == $b)] | length')" "members after reconcile"
assert_eq "$(echo "$show" | jq '[.members[].ips[]] | unique | length')" "$n" "distinct member addresses"
assert_eq "$(echo "$show" | jq -r '.subnets[0] | "\(.used) \(.free)"')" "$((n + 1)) $((65534 - n - 1))" "pool counts"
# The killed attach's members are undone whole; every member kept is configured:
# its namespace end has its address (none is left half-attached).
# (one jq for all: a jq start costs ~20 ms)
configured=$(for m in $(echo "$show" | jq -r '.members[] | "\(.ns)=\(.ips[0])"'); do
	printf '{"want": "%s", "got": ' "${m#*=}"
	ip -n ${m%%=*} -j addr show eth0
	printf '}\n'
done | jq -s 'map(select(.want as $w | [.got[0].addr_info[]? | "\(.local)/\(.prefixlen)"] | index($w) != null)) | length')
unconfigured=$((n - configured))
assert_eq "$unconfigured" 0 "kept members without their address inside"
note "$n members kept after the kill, all configured"
# The namespaces go; so do their addresses, at the next command.
nsnet ns del $BIG
for _ in $(seq 100); do
	[ "$(bridge -j link | jq --arg b $NET2 '[.[] | select(.master == $b)] | length')" = 0 ] && break
	sleep 0.1
done
assert_eq "$(nsnet net show $NET2 --json | jq -r '"\(.members | length) \(.subnets[0].used) \(.subnets[0].free)"')" \
	"0 1 65533" "pool after every member's namespace is gone"
nsnet net rm $NET2
nsnet ns del nc-k1 nc-k2 nc-k3
note "ok"
