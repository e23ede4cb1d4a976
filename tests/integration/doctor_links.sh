#!/bin/bash
# nsnet doctor on one network (n1, 10.1.0.0/24: red .2, blue .3, green .4), each case
# in a fresh setup: healthy (path, JSON, text), then broken the way a user would with
# `ip`: the namespace's veth end down, the bridge-side end down (SRC's and DST's),
# the bridge down, a port held back by STP, DST's veth end down, the same address on
# two namespaces, a stale neighbour entry. Each diagnosis must name the cause and
# print the exact fix; the fix, run as printed, must make doctor and ping (the
# independent witness) agree that it works again.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="red blue green"
setup() {
	for n in $NSS; do ip netns add $n; done
	nsnet net create n1 --subnet 10.1.0.0/24 >/dev/null
	nsnet net attach n1 red blue green
}
teardown() {
	"$NSNET" net rm --force n1 >/dev/null 2>&1 || true
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
}
trap teardown EXIT
for n in $NSS; do [ -e /run/netns/$n ] && skip "a namespace named $n exists already"; done
port_of() { nsnet net show n1 --json | jq -r --arg ns "$1" '.members[] | select(.ns == $ns) | .host_ifname'; }

# ---- healthy: reachable, the path as the packet goes, DST's address picked and said.
setup
assert_ping red 10.1.0.3
expect_reachable red blue
assert_eq "$DOC_PATH" "red eth0 10.1.0.2 -> bridge n1 (host) -> blue eth0 10.1.0.3" "path"
assert_eq "$(docq .address)" 10.1.0.3 "DST's address"
assert_eq "$(docq .dst_namespace)" blue "DST's namespace"
assert_match "$(docq .address_note)" "blue's eth0" "which address was picked"
assert_eq "$(docq .proto)" icmp "protocol"
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "red: eth0 UP 10.1.0.2/24\|.*host: bridge n1 UP 10.1.0.1/24\|.*blue: eth0 UP 10.1.0.3/24" "evidence"
# The text form: one line per check with an ASCII mark, the path, the verdict.
out=$("$NSNET" doctor red blue)
assert_match "$(echo "$out" | head -1)" "^doctor: red -> blue \(10.1.0.3" "text header"
assert_match "$(echo "$out" | sed -n 2p)" '^\[ok\]   probe: icmp red -> 10.1.0.3: echo reply' "text probe line"
assert_eq "$(echo "$out" | grep -c '^\[ok\]  ')" "$(($(docq '.checks | length') + 1))" "one [ok] line per check and the probe"
assert_eq "$(echo "$out" | grep '^path:' | sed 's/^path: *//')" "$DOC_PATH" "text path"
assert_eq "$(echo "$out" | tail -1)" reachable "text verdict"
# By address: same path, no namespace named.
expect_reachable red 10.1.0.4
assert_eq "$DOC_PATH" "red eth0 10.1.0.2 -> bridge n1 (host) -> green eth0 10.1.0.4" "path to an address"
assert_eq "$(docq .dst_namespace)" null "DST given as an address"
# From the host, over the bridge's own address.
expect_reachable host blue
assert_eq "$DOC_PATH" "host n1 10.1.0.1 -> bridge n1 (host) -> blue eth0 10.1.0.3" "path from the host"
teardown

# ---- SRC's end of its veth down: its routes went with it.
setup
ip -n red link set eth0 down
assert_no_ping red 10.1.0.3
expect_broken "red's eth0 is down" "ip -n red link set eth0 up" red blue
out=$("$NSNET" doctor red blue --timeout 500) && fail "text doctor exited 0 on a broken path"
assert_match "$out" $'\n\\[FAIL\\] red: no route to 10.1.0.3' "text FAIL line"
assert_match "$out" $'\ncause: red\'s eth0 is down' "text cause line"
assert_match "$out" $'\nfix:   ip -n red link set eth0 up\nNOT reachable$' "text fix line"
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- the bridge-side end of SRC's veth down (red's eth0 shows NO-CARRIER).
setup
p=$(port_of red)
ip link set "$p" down
assert_no_ping red 10.1.0.3
expect_broken "the bridge-side end of red's veth \($p in host\) is down" "ip link set $p up" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- the bridge-side end of DST's veth down.
setup
p=$(port_of blue)
ip link set "$p" down
assert_no_ping red 10.1.0.3
expect_broken "the bridge-side end of blue's veth \($p in host\) is down" "ip link set $p up" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- the bridge down.
setup
ip link set n1 down
assert_no_ping red 10.1.0.3
expect_broken "the bridge n1 \(n1 in host\) is down" "ip link set n1 up" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- a port up but not forwarding: STP turned on, and the port just came up.
setup
ip link set n1 type bridge stp_state 1
p=$(port_of blue)
ip link set "$p" down
ip link set "$p" up
assert_no_ping red 10.1.0.3
expect_broken "port $p of bridge n1 \(the bridge-side end of blue's veth\) is (listening|learning): with STP on" \
	"ip link set n1 type bridge stp_state 0 && bridge link set dev $p state 3" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- DST's own end down: its address is still there, nothing answers.
setup
ip -n blue link set eth0 down
assert_no_ping red 10.1.0.3
expect_broken "blue's interface holding 10.1.0.3 \(eth0 in blue\) is down" "ip -n blue link set eth0 up" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown

# ---- the same address on two namespaces of the network: whichever answers ARP
# first gets the traffic, so the probe may even succeed; the diagnosis must not
# depend on that. The intruder is the one nsnet did not give the address to.
setup
ip -n green addr add 10.1.0.3/24 dev eth0
# When red learnt green's MAC for it, the fix makes red forget it too.
fix_re="~^ip -n green addr del 10.1.0.3/24 dev eth0( && ip -n red neigh del 10.1.0.3 dev eth0)?$"
expect_broken "the same address 10.1.0.3 is on two namespaces of network n1 \(bridge n1\)" "$fix_re" red blue
expect_broken "the same address 10.1.0.3 is on two namespaces" "$fix_re" red 10.1.0.3
green_mac=$(ip -n green -j link show eth0 | jq -r '.[0].address')
ip -n red neigh replace 10.1.0.3 lladdr "$green_mac" dev eth0 nud reachable
expect_broken "the same address" "ip -n green addr del 10.1.0.3/24 dev eth0 && ip -n red neigh del 10.1.0.3 dev eth0" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
assert_eq "$(ip -n green -j addr show dev eth0 | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" \
	10.1.0.4 "green's addresses after the fix"
teardown

# ---- the duplicate removed by hand, but red still sends to its MAC: a stale
# neighbour entry, which the kernel would keep for a while.
setup
green_mac=$(ip -n green -j link show eth0 | jq -r '.[0].address')
ip -n green addr add 10.1.0.3/24 dev eth0
ip -n red neigh replace 10.1.0.3 lladdr "$green_mac" dev eth0 nud reachable
ip -n green addr del 10.1.0.3/24 dev eth0
assert_no_ping red 10.1.0.3
expect_broken "red's neighbour entry for 10.1.0.3 is stale: it sends to $green_mac" "ip -n red neigh del 10.1.0.3 dev eth0" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
teardown
note "ok"
