#!/bin/bash
# `nsnet up` with no file: the embedded default lab, the tutorials' picture (red .1 and
# blue .2 on v-net-0 192.168.15.0/24, the host's gateway .5). --dry-run prints the plan
# and changes nothing; --explain's ip commands, run by hand in a clean sandbox, build
# the same addresses and routes nsnet builds; up says how to look at the lab; ping
# works; status/pingall/graph/down without arguments act on it; down removes it all.
# Witnesses: ip -j, ping, ls /run/netns, /run/nsnet.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

# Addresses (IPv4) and IPv4 routes of the lab's namespaces and the host's bridge:
# what the explained commands and nsnet must agree on.
layout() {
	local ns
	for ns in red blue; do
		ip -n $ns -j -4 addr show | jq -r --arg ns $ns '.[] | .ifname as $i | .addr_info[] | "\($ns) \($i) \(.local)/\(.prefixlen)"'
		ip -n $ns -j -4 route show | jq -r --arg ns $ns '.[] | "\($ns) route \(.dst) via=\(.gateway // "-") dev=\(.dev)"'
	done
	ip -j -4 addr show v-net-0 | jq -r '.[] | .addr_info[] | "host v-net-0 \(.local)/\(.prefixlen)"'
	ip -j link show master v-net-0 | jq -r 'length | "host v-net-0 ports \(.)"'
}

# --dry-run: the plan, nothing done.
plan=$(nsnet up --dry-run)
assert_eq "$(echo "$plan" | paste -sd,)" "create net:v-net-0,create node:red,create node:blue" "dry-run plan"
assert_eq "$(nsnet up --dry-run --json | jq -r '[.lab, .changed, .dry_run] | join(" ")')" "default true true" "dry-run --json"
state_settles_to "$before" "after --dry-run"
# --explain --dry-run: the equivalent commands; run them by hand (ip only: the NAT
# line needs the firewall's table, and forwarding is not compared here).
nsnet up --dry-run --explain >"$DIR/explain"
assert_match "$(cat "$DIR/explain")" '^    ip netns add red$' "explain: namespace"
assert_match "$(cat "$DIR/explain")" '^    ip link add v-net-0 type bridge$' "explain: bridge"
assert_match "$(cat "$DIR/explain")" '^    ip -n red addr add 192.168.15.1/24 dev eth0$' "explain: address"
state_settles_to "$before" "after --dry-run --explain"
grep '^    ip ' "$DIR/explain" | sed 's/^    //' >"$DIR/by-hand.sh"
bash -e "$DIR/by-hand.sh" || fail "the explained commands fail when run by hand"
layout >"$DIR/by-hand"
assert_ping red 192.168.15.2
ip netns del red
ip netns del blue
ip link del v-net-0
state_settles_to "$before" "after removing the hand-made lab"

# up: the lab, and how to look at it.
out=$(nsnet up)
assert_match "$out" "lab 'default' is up" "up's report"
assert_match "$out" "nsnet status default" "up says how to look at the lab"
assert_match "$out" "nsnet down default" "up says how to remove the lab"
assert_eq "$(ls /run/netns | sort | paste -sd' ')" "blue red" "namespaces"
layout >"$DIR/nsnet"
diff -u "$DIR/by-hand" "$DIR/nsnet" >&2 || fail "nsnet's lab differs from what its --explain commands build"
assert_eq "$(grep -c "" "$DIR/nsnet")" 10 "layout lines (2 x (lo, eth0, 2 routes), gateway, ports)"
assert_match "$(cat "$DIR/nsnet")" '^host v-net-0 192\.168\.15\.5/24$' "the host's gateway"
assert_match "$(cat "$DIR/nsnet")" '^red route default via=192\.168\.15\.5 dev=eth0$' "red's default route"
assert_ping red 192.168.15.2
assert_ping blue 192.168.15.1
assert_ping red 192.168.15.5
ping -c1 -W2 192.168.15.2 >/dev/null || fail "the host cannot ping blue"

# The same with no arguments everywhere.
assert_eq "$(nsnet up)" "lab 'default' is up to date: no change made" "second up"
nsnet status >/dev/null || fail "status of the default lab"
assert_eq "$(nsnet status --json | jq -r '[.lab, .status] | join(" ")')" "default up" "status --json"
nsnet pingall >/dev/null || fail "pingall of the default lab"
assert_eq "$(nsnet pingall --json | jq -r '[.total, .failed] | join(" ")')" "2 0" "pingall --json"
nsnet graph | grep -q '"node/red" -- "net/v-net-0"' || fail "graph of the default lab has no red on v-net-0"
assert_match "$(nsnet ls)" '^default +up +2 +1 +0 +<default>$' "ls"

nsnet down
state_settles_to "$before" "after down"
[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "namespaces left after down"
expect_err 1 "lab 'default' not found" "$NSNET" down

# down, then up again at once: the old veths may still be being destroyed by the
# kernel; up waits for the names it needs instead of failing with "exists".
nsnet up >/dev/null
nsnet down
nsnet up >/dev/null || fail "up right after down"
assert_ping red 192.168.15.2
nsnet down
state_settles_to "$before" "after the second down"
