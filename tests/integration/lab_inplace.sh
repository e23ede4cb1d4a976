#!/bin/bash
# Finer reconcile and what a lab file can say now (issue 12): a network's nat and
# allow: change in place (the bridge, the nodes and a process in them stay), so
# does a node's forwarding, sysctls and published ports; a change that needs a new
# namespace replaces the node and --explain says why; `gateway: false` gives a node
# no default route; `allow:` lets two networks of the lab reach each other.
# Witnesses: ping across networks, nft's sets, the namespace's inode, a sleeping
# process, ip route, a TCP connection to the host's published port.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() {
	if [ -n "${SLEEPER:-}" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
	if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; fi
	lab_cleanup_all
	rm -rf "$DIR"
}
trap cleanup EXIT

# write NAT ALLOW FORWARDING PUBLISH GATEWAY
write() {
	cat >"$DIR/p.yaml" <<EOF2
name: p
networks:
  n1: {subnet: 10.81.0.0/24, nat: $1 $2}
  n2: {subnet: 10.82.0.0/24}
nodes:
  a:
    forwarding: $3
    interfaces: [{network: n1}]
$4
  b:
    gateway: $5
    interfaces: [{network: n2}]
EOF2
}
PUB='    publish: [{host_port: 8081, port: 80}]'

write false "" false "" true
nsnet up "$DIR/p.yaml" >/dev/null
assert_no_ping a 10.82.0.2
assert_match "$(ip -n b route show default)" "^default via 10.82.0.1" "b has a default route"
ip netns exec a sleep 600 &
SLEEPER=$!
ino=$(stat -L -c %i /run/netns/a)
br=$(ip -j link show n1 | jq -r '.[0].ifindex')

# nat and allow: changed in place.
write true ", allow: [n2]" false "" true
plan=$(nsnet up "$DIR/p.yaml" --dry-run --explain)
assert_eq "$(echo "$plan" | head -1)" "update net:n1: nat off -> on, allow - -> n2" "the plan updates n1 in place"
assert_match "$plan" "nsnet net set n1 allow n2" "explain: the equivalent command"
assert_no_match "$plan" "(remove|create) " "nothing is replaced"
nsnet up "$DIR/p.yaml" >/dev/null
assert_match "$(nft list set inet nsnet nat_bridges)" '"n1"' "n1 in the NAT set"
assert_ping a 10.82.0.2
assert_eq "$(ip -j link show n1 | jq -r '.[0].ifindex')" "$br" "n1's bridge is the same"
# ... and back.
write false "" false "" true
assert_match "$(nsnet up "$DIR/p.yaml")" "is up \\(1 change\\)" "one in-place change back"
assert_no_ping a 10.82.0.2
assert_no_match "$(nft list set inet nsnet nat_bridges)" '"n1"' "n1 out of the NAT set"

# A node's forwarding and published port: in place, its process lives on.
command -v socat >/dev/null || skip "socat is not installed"
ip netns exec a socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hi' &
SERVER=$!
for _ in $(seq 50); do ip netns exec a ss -Hltn 'sport = :80' | grep -q . && break; sleep 0.1; done
write false "" true "$PUB" true
plan=$(nsnet up "$DIR/p.yaml" --dry-run)
assert_eq "$plan" "update node:a: forwarding, publish changed in place" "the plan updates a in place"
nsnet up "$DIR/p.yaml" >/dev/null
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "publish turned the host's forwarding on"
assert_eq "$(ip netns exec a cat /proc/sys/net/ipv4/ip_forward)" 1 "a forwards"
assert_eq "$(socat -T2 - TCP:127.0.0.1:8081 </dev/null)" hi "the published port answers"
assert_eq "$(stat -L -c %i /run/netns/a)" "$ino" "a's namespace is the same"
kill -0 "$SLEEPER" || fail "the process in a died"
write false "" false "" true
nsnet up "$DIR/p.yaml" >/dev/null
assert_eq "$(nsnet publish ls --json | jq length)" 0 "the publish went with the file"

# gateway: false, a change of interface: replaced, and --explain says why.
write false "" false "" false
plan=$(nsnet up "$DIR/p.yaml" --dry-run --explain)
assert_match "$plan" $'remove node:b\n    # replaced: changed: ifaces' "explain says why b is replaced"
nsnet up "$DIR/p.yaml" >/dev/null
assert_eq "$(ip -n b route show default)" "" "gateway: false: no default route"
kill -0 "$SLEEPER" || fail "the process in a died when b was replaced"
nsnet down p
SLEEPER=

# A node's static address changed: readdressed on its interface, checked first.
addr() { printf 'name: q\nnetworks:\n  qn: {subnet: 10.83.0.0/24}\nnodes:\n  qa: {interfaces: [{network: qn, ip: %s}]}\n  qb: {interfaces: [{network: qn}]}\n' "$1" >"$DIR/q.yaml"; }
addr 10.83.0.10
nsnet up "$DIR/q.yaml" >/dev/null
ip netns exec qa sleep 600 &
SLEEPER=$!
qino=$(stat -L -c %i /run/netns/qa)
addr 10.83.0.20
plan=$(nsnet up "$DIR/q.yaml" --dry-run --explain)
assert_match "$plan" "^update node:qa: ifaces changed in place" "the plan readdresses qa"
assert_match "$plan" "ip -n qa addr add 10.83.0.20/24 dev eth0" "explain: the new address with the network's length"
nsnet up "$DIR/q.yaml" >/dev/null
assert_match "$(ip -n qa -4 addr show eth0)" "inet 10.83.0.20/24" "qa's new address"
assert_no_match "$(ip -n qa -4 addr show eth0)" "10.83.0.10" "qa's old address gone"
assert_eq "$(nsnet net show qn --json | jq -r '.members[] | select(.ns == "qa") | .ips[0]')" 10.83.0.20/24 "the network's record"
assert_ping qb 10.83.0.20
assert_match "$(ip -n qa route show default)" "via 10.83.0.1" "qa keeps its default route"
assert_eq "$(stat -L -c %i /run/netns/qa)" "$qino" "qa's namespace is the same"
kill -0 "$SLEEPER" || fail "the process in qa died when it was readdressed"
# An address someone holds: refused, and nothing changed.
qb_ip=$(nsnet net show qn --json | jq -r '.members[] | select(.ns == "qb") | .ips[0]' | cut -d/ -f1)
addr "$qb_ip"
expect_err 1 "address $qb_ip is already in use on network 'qn'" "$NSNET" up "$DIR/q.yaml"
assert_match "$(ip -n qa -4 addr show eth0)" "inet 10.83.0.20/24" "qa kept its address"
expect_rc 0 "$NSNET" status q
# The network's MTU: the bridge and every member's veth, both ends, in place.
addr 10.83.0.20
sed -i 's#subnet: 10.83.0.0/24#subnet: 10.83.0.0/24, mtu: 1400#' "$DIR/q.yaml"
assert_eq "$(nsnet up "$DIR/q.yaml" --dry-run)" "update net:qn: mtu 1500 -> 1400" "the plan sets the MTU in place"
nsnet up "$DIR/q.yaml" >/dev/null
qa_host=$(nsnet net show qn --json | jq -r '.members[] | select(.ns == "qa") | .host_ifname')
assert_eq "$(ip -j link show qn | jq -r '.[0].mtu') $(ip -j link show "$qa_host" | jq -r '.[0].mtu') $(ip -n qa -j link show eth0 | jq -r '.[0].mtu')" \
	"1400 1400 1400" "bridge, host end, node end"
kill -0 "$SLEEPER" || fail "the process in qa died when the MTU changed"
ip netns exec qb ping -M do -s 1372 -c1 -W1 10.83.0.20 >/dev/null || fail "a 1400-byte packet does not pass"
expect_rc 0 "$NSNET" status q
nsnet down q
