#!/bin/bash
# Issue 5's lab file, the parts that need nsnet's firewall (NAT, published ports,
# isolation between networks): blue does not reach db through the host (v-net-0 and
# backend are isolated) although the host forwards (blue reaches a namespace `wan`
# playing the outside world, 203.0.113.0/24 linked to the host, which has no route
# back: only NAT makes the reply find its way); blue's port 80 answers on the host's
# port 8080 from wan; red still reaches db through the router. down removes the
# rules with the rest.
# Witnesses: ping, socat (both ends), nft list ruleset, ip -j.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

"$NSNET" publish --help >/dev/null 2>&1 ||
	skip "nsnet has no firewall yet ('nsnet publish' does not exist): NAT, published ports and isolation are recorded by labs but not acted on"

DIR=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del wan 2>/dev/null || true
	lab_cleanup_all
	rm -rf "$DIR"
}
trap cleanup EXIT
tutorial_yaml >"$DIR/lab.yaml"
before=$(mktemp -p "$DIR")
state_now >"$before"

# The outside world: wan, linked to the host, no route beyond its own subnet.
ip netns add wan
ip link add wan-host type veth peer name eth0 netns wan
ip addr add 203.0.113.1/24 dev wan-host
ip link set wan-host up
ip -n wan addr add 203.0.113.2/24 dev eth0
ip -n wan link set eth0 up
ip -n wan link set lo up
assert_ping wan 203.0.113.1
with_wan=$(mktemp -p "$DIR")
state_now >"$with_wan"

nsnet up "$DIR/lab.yaml" >/dev/null
blue_ip=$(ip -n blue -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
db_ip=$(ip -n db -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
assert_match "$db_ip" '^10\.20\.0\.' "db's address"

# NAT: the host forwards, and what leaves v-net-0 carries the host's address.
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "the host forwards (nat: true)"
assert_ping blue 203.0.113.2
ip netns exec wan socat -T5 TCP-LISTEN:9000,reuseaddr SYSTEM:'echo "$SOCAT_PEERADDR"' &
pids+=($!)
for _ in $(seq 50); do ss -N wan -ltn 2>/dev/null | grep -q ':9000 ' && break; sleep 0.1; done
seen=$(ip netns exec blue socat -T3 - TCP:203.0.113.2:9000 </dev/null) || fail "blue cannot connect to wan"
assert_eq "$seen" 203.0.113.1 "wan sees blue's connection come from the host's address (masquerade)"
assert_match "$(nft list ruleset)" 'masquerade' "nft ruleset has the masquerade"

# Isolation: the host forwards, but not from v-net-0 into backend.
assert_no_ping blue "$db_ip"
assert_no_ping blue 10.20.0.254
# ... while red's own route through the router still works (no host involved).
reply=$(ip netns exec red ping -c1 -W2 "$db_ip") || fail "red cannot ping db through the router"
assert_match "$reply" "ttl=63" "red -> db via the router"

# Published port: host:8080 -> blue:80, from the outside world.
ip netns exec blue socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello-from-blue' &
pids+=($!)
for _ in $(seq 50); do ss -N blue -ltn 2>/dev/null | grep -q ':80 ' && break; sleep 0.1; done
got=$(ip netns exec wan socat -T3 - TCP:203.0.113.1:8080 </dev/null) || fail "wan cannot connect to the host's port 8080"
assert_eq "$got" hello-from-blue "host:8080 from wan answers from blue:80"
assert_match "$(nft list ruleset)" '8080' "nft ruleset has the published port"
assert_match "$(nft list ruleset)" "$blue_ip" "the published port points at blue ($blue_ip)"

nsnet pingall tutorial >/dev/null || fail "pingall with the firewall in place"

# down: the rules go with the rest; wan (not the lab's) stays.
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()
nsnet down tutorial
state_settles_to "$with_wan" "after down (wan kept)"
ip netns del wan
ip link del wan-host 2>/dev/null || true
state_settles_to "$before" "after wan went"
