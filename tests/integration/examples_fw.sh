#!/bin/bash
# The firewall recipes of examples/: nat.yaml (the namespace reaches beyond the host,
# masqueraded) and port-forward.yaml (the host's port 8080 answers from web's port
# 80), each checked from a namespace `wan` playing the outside world (203.0.113.0/24,
# linked to the host, with no route back to the labs' subnets: only NAT brings the
# answers home). down removes the rules.
# Witnesses: ping, socat at both ends, nft list ruleset, sandbox_state.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

"$NSNET" publish --help >/dev/null 2>&1 ||
	skip "nsnet has no firewall yet ('nsnet publish' does not exist): NAT and published ports are recorded by labs but not acted on"

EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
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
before=$DIR/before
state_now >"$before"

ip netns add wan
ip link add wan-host type veth peer name eth0 netns wan
ip addr add 203.0.113.1/24 dev wan-host
ip link set wan-host up
ip -n wan addr add 203.0.113.2/24 dev eth0
ip -n wan link set eth0 up
ip -n wan link set lo up
with_wan=$DIR/with-wan
state_now >"$with_wan"
listening() { for _ in $(seq 50); do ss -N "$1" -ltn 2>/dev/null | grep -q ":$2 " && return 0; sleep 0.1; done; fail "nothing listens on $1:$2"; }

# nat.yaml: webserver -> wan, seen from the host's address.
nsnet up "$EXAMPLES/nat.yaml" >/dev/null
assert_ping webserver 203.0.113.2
ip netns exec wan socat -T5 TCP-LISTEN:9000,reuseaddr SYSTEM:'echo "$SOCAT_PEERADDR"' &
pids+=($!)
listening wan 9000
assert_eq "$(ip netns exec webserver socat -T3 - TCP:203.0.113.2:9000 </dev/null)" 203.0.113.1 \
	"nat: wan sees webserver's connection from the host's address"
assert_match "$(nft list ruleset)" masquerade "nat: the ruleset masquerades"
nsnet down nat
state_settles_to "$with_wan" "nat: after down"

# port-forward.yaml: wan -> host:8080 -> web:80.
nsnet up "$EXAMPLES/port-forward.yaml" >/dev/null
ip netns exec web socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello-from-web' &
pids+=($!)
listening web 80
got=$(ip netns exec wan socat -T3 - TCP:203.0.113.1:8080 </dev/null 2>&1) || true
assert_eq "$got" hello-from-web "port-forward: the host's port 8080 from wan"
assert_match "$(nft list ruleset)" 8080 "port-forward: the ruleset has port 8080"
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()
nsnet down port-forward
state_settles_to "$with_wan" "port-forward: after down"

ip netns del wan
state_settles_to "$before" "after wan went"
