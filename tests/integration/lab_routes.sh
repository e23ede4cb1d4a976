#!/bin/bash
# Routes are lab elements of their own, made after the networks, nodes and links
# they need: a route whose next hop is a direct link's peer comes up (it failed with
# "Nexthop has invalid gateway" when routes were made with their node), a route with
# only dev: works, --explain shows the routes after the links. status lists each
# route with ok; a route deleted behind nsnet's back makes the lab degraded, and up
# puts back that route alone; a route changed in the file is replaced in place, the
# node's namespace (and a process in it) untouched.
# Witnesses: ip route in the nodes, ping through the router, a sleep's pid.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { [ -n "${SLEEPER:-}" ] && kill "$SLEEPER" 2>/dev/null || true; lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT

write_lab() {  # write_lab VIA_OF_B'S_ROUTE
	cat >"$DIR/rt.yaml" <<EOF2
name: rt
nodes:
  a:
    routes:
      - {to: 10.62.2.0/24, via: 10.62.0.2}
  r:
    forwarding: true
    routes:
      - {to: 10.62.9.0/24, dev: r0}
  b:
    routes:
      - {to: 10.62.0.0/30, via: $1}
links:
  - endpoints: [a:a0, r:r0]
    ips: [10.62.0.1/30, 10.62.0.2/30]
  - endpoints: [r:r1, b:b0]
    ips: [10.62.2.1/24, 10.62.2.2/24]
EOF2
}
write_lab 10.62.2.1

# --explain: every route after every link.
explain=$(nsnet up "$DIR/rt.yaml" --dry-run --explain)
last_link=$(echo "$explain" | grep -n '^create link:' | tail -1 | cut -d: -f1)
first_route=$(echo "$explain" | grep -n '^create route:' | head -1 | cut -d: -f1)
[ -n "$last_link" ] && [ -n "$first_route" ] && [ "$first_route" -gt "$last_link" ] ||
	fail "--explain does not put the routes after the links: $explain"
assert_match "$explain" 'ip -n r route add 10.62.9.0/24 dev r0' "explain: a dev-only route"
assert_match "$explain" 'ip -n a route add 10.62.2.0/24 via 10.62.0.2' "explain: a route via the link's peer"

nsnet up "$DIR/rt.yaml" >/dev/null
assert_match "$(ip -n a route show 10.62.2.0/24)" '^10.62.2.0/24 via 10.62.0.2 dev a0' "a's route via its link's peer"
assert_match "$(ip -n r route show 10.62.9.0/24)" '^10.62.9.0/24 dev r0' "r's dev-only route"
assert_ping a 10.62.2.2

st=$(nsnet status rt)
assert_match "$st" '^  route a: 10.62.2.0/24 via 10.62.0.2  ok$' "status: a's route"
assert_match "$st" '^  route r: 10.62.9.0/24 dev r0  ok$' "status: r's route"
assert_match "$st" '^  node a +ok$' "status says ok on a healthy node"
assert_eq "$(nsnet status rt --json | jq -c '[.routes[] | [.node, .to, .ok]]')" \
	'[["a","10.62.2.0/24",true],["r","10.62.9.0/24",true],["b","10.62.0.0/30",true]]' "status --json routes"

# A process in b, to see that b's namespace lives through what follows.
ip netns exec b sleep 600 &
SLEEPER=$!
sleep 0.2
ns_ino=$(stat -L -c %i /run/netns/b)

# Deleted behind nsnet's back: degraded; up puts back just that route.
ip -n r route del 10.62.9.0/24
expect_rc 1 "$NSNET" status rt
assert_match "$("$NSNET" status rt || true)" 'route r: 10.62.9.0/24 dev r0  MISSING' "status names the missing route"
assert_match "$(nsnet up "$DIR/rt.yaml")" "is up \\(2 changes\\)" "up repairs the route alone"
assert_match "$(ip -n r route show 10.62.9.0/24)" '^10.62.9.0/24 dev r0' "the route is back"
expect_rc 0 "$NSNET" status rt

# Changed in the file: the route is replaced, the node is not.
ip netns exec b ip addr add 10.62.2.9/24 dev b0
write_lab 10.62.2.9
plan=$(nsnet up "$DIR/rt.yaml" --dry-run)
assert_match "$plan" 'route:b\|10.62.0.0/30' "the plan replaces b's route"
assert_no_match "$plan" 'node:b' "the plan leaves node b alone"
nsnet up "$DIR/rt.yaml" >/dev/null
assert_match "$(ip -n b route show 10.62.0.0/30)" 'via 10.62.2.9 dev b0' "b's route changed in place"
assert_eq "$(stat -L -c %i /run/netns/b)" "$ns_ino" "b's namespace is the same one"
kill -0 "$SLEEPER" 2>/dev/null || fail "the process in b died when its route changed"

# A link's addresses changed in the file: readdressed in place (the pair, the
# namespaces and the process stay), and the routes through it are made again.
sed -i 's#ips: \[10.62.0.1/30, 10.62.0.2/30\]#ips: [10.62.0.5/30, 10.62.0.6/30]#; s#via: 10.62.0.2}#via: 10.62.0.6}#' "$DIR/rt.yaml"
a0=$(ip -n a -j link show a0 | jq -r '.[0].ifindex')
plan=$(nsnet up "$DIR/rt.yaml" --dry-run)
assert_match "$plan" 'update link:a:a0\|r:r0: a:a0 10.62.0.1/30 -> 10.62.0.5/30, r:r0 10.62.0.2/30 -> 10.62.0.6/30' "the plan readdresses the link"
assert_match "$plan" 'create route:a\|10.62.2.0/24' "the route through it is made again"
nsnet up "$DIR/rt.yaml" >/dev/null
assert_eq "$(ip -n a -j link show a0 | jq -r '.[0].ifindex')" "$a0" "a0 is the same interface"
assert_match "$(ip -n a -4 addr show a0)" "10.62.0.5/30" "a0's new address"
assert_no_match "$(ip -n a -4 addr show a0)" "10.62.0.1/" "a0's old address gone"
assert_match "$(ip -n a route show 10.62.2.0/24)" "via 10.62.0.6 dev a0" "the route via the new peer address"
kill -0 "$SLEEPER" 2>/dev/null || fail "the process in b died when a link was readdressed"
expect_rc 0 "$NSNET" status rt
# ... and its MTU: set on both ends in place.
sed -i 's#ips: \[10.62.0.5/30, 10.62.0.6/30\]#&\n    mtu: 1400#' "$DIR/rt.yaml"
assert_match "$(nsnet up "$DIR/rt.yaml" --dry-run)" 'update link:a:a0\|r:r0: mtu 1500 -> 1400' "the plan sets the MTU in place"
nsnet up "$DIR/rt.yaml" >/dev/null
assert_eq "$(ip -n a -j link show a0 | jq -r '.[0].mtu') $(ip -n r -j link show r0 | jq -r '.[0].mtu')" "1400 1400" "both ends' MTU"
assert_eq "$(ip -n a -j link show a0 | jq -r '.[0].ifindex')" "$a0" "a0 is still the same interface"
kill -0 "$SLEEPER" 2>/dev/null || fail "the process in b died when a link's MTU changed"

nsnet down rt
assert_eq "$(ls /run/netns)" "" "down leaves no namespace"
