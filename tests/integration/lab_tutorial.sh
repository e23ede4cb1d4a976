#!/bin/bash
# Issue 5's lab file, as written: one `nsnet up` makes the picture. red reaches db
# through the router and back (TTL 63 both ways, the router's counters move); the
# host reaches db over its own link; pingall passes and its JSON agrees with ping run
# pair by pair; status is "up" and checked against the kernel (a link deleted behind
# nsnet's back makes it "degraded", exit 1); graph is DOT that graphviz accepts.
# down leaves the sandbox as it was. (Isolation and the published port: lab_tutorial_fw.)
# Witnesses: ip -j, ping, ip -s link, dot, ls /run/netns, /run/nsnet.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
tutorial_yaml >"$DIR/lab.yaml"
before=$(mktemp -p "$DIR")
state_now >"$before"

out=$(nsnet up "$DIR/lab.yaml")
assert_match "$out" "lab 'tutorial' is up" "up's report"
assert_eq "$(ls /run/netns | sort | paste -sd' ')" "blue db red router" "namespaces"
assert_eq "$(ls /run/nsnet/labs)" tutorial.json "lab state file"

# The kernel has what the file says.
addrs() { ip -n "$1" -j addr show "$2" | jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(",")'; }
assert_eq "$(addrs red eth0)" 192.168.15.1/24 "red's address on v-net-0"
assert_eq "$(addrs router eth0),$(addrs router eth1)" 192.168.15.254/24,10.20.0.254/24 "router's addresses"
assert_eq "$(addrs red veth-red)" 10.0.0.1/24 "red's end of the red-blue link"
assert_eq "$(addrs blue veth-blue)" 10.0.0.2/24 "blue's end of the red-blue link"
assert_eq "$(addrs db pair-db)" 10.30.0.2/30 "db's end of the host link"
assert_eq "$(ip -j addr show pair-host | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	10.30.0.1/30 "host's end of the host link"
assert_eq "$(ip -j addr show v-net-0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 192.168.15.5 "the host's gateway"
db_ip=$(addrs db eth0)
assert_match "$db_ip" '^10\.20\.0\.[0-9]+/24$' "db's pool address"
db_ip=${db_ip%/*}
blue_ip=$(addrs blue eth0)
assert_match "$blue_ip" '^192\.168\.15\.[0-9]+/24$' "blue's pool address"
blue_ip=${blue_ip%/*}
assert_eq "$(ip netns exec router cat /proc/sys/net/ipv4/ip_forward)" 1 "router forwards"
assert_eq "$(ip -n red -j route show 10.20.0.0/24 | jq -r '.[0].gateway')" 192.168.15.254 "red's route to backend"
assert_eq "$(ip -n db -j route show 192.168.15.0/24 | jq -r '.[0].gateway')" 10.20.0.254 "db's route to v-net-0"

# red -> db through the router and back: one hop each way (TTL 64 - 1 in the reply,
# and db sees red's own address, so the reply took db's route back via the router).
rx() { ip -n router -j -s link show "$1" | jq -r '.[0].stats64.rx.packets'; }
tx() { ip -n router -j -s link show "$1" | jq -r '.[0].stats64.tx.packets'; }
rx0=$(rx eth0) tx1=$(tx eth1)
reply=$(ip netns exec red ping -c3 -i0.2 -W2 "$db_ip") || fail "red cannot ping db ($db_ip)"
assert_match "$reply" "from $db_ip: icmp_seq=1 ttl=63" "red -> db: the reply crossed one router"
[ $(($(rx eth0) - rx0)) -ge 3 ] || fail "the router's eth0 did not receive red's echoes"
[ $(($(tx eth1) - tx1)) -ge 3 ] || fail "the router's eth1 did not send red's echoes on to db"
reply=$(ip netns exec db ping -c1 -W2 192.168.15.1) || fail "db cannot ping red"
assert_match "$reply" "ttl=63" "db -> red crosses the router"
# Over the point-to-point links.
assert_ping red 10.0.0.2
assert_ping blue 10.0.0.1
# The host reaches db over its link, directly (TTL 64: no hop between).
reply=$(ping -c1 -W2 10.30.0.2) || fail "the host cannot ping db over pair-host"
assert_match "$reply" "ttl=64" "host -> db is direct"
assert_eq "$(ip -j route get 10.30.0.2 | jq -r '.[0].dev')" pair-host "the host's route to db"
# Every node reaches the host's gateway address on its network.
assert_ping red 192.168.15.5
assert_ping blue 192.168.15.5

# pingall: exit 0, and every pair it reports agrees with a real ping.
nsnet pingall tutorial >"$DIR/matrix" || fail "pingall failed: $(cat "$DIR/matrix")"
assert_match "$(cat "$DIR/matrix")" '^red -> ' "pingall's matrix"
assert_match "$(cat "$DIR/matrix")" 'Results: [0-9]+% dropped' "pingall's summary line"
nsnet pingall tutorial --json >"$DIR/pa.json"
assert_eq "$(jq -r .failed_required "$DIR/pa.json")" 0 "pingall: failed between neighbours"
assert_eq "$(jq -r '.pairs | length' "$DIR/pa.json")" "$(jq -r .total "$DIR/pa.json")" "pingall: pairs = total"
# 4 nodes, addresses: red 2, blue 2, router 2, db 2 -> each node tries the 6 of the others.
assert_eq "$(jq -r .total "$DIR/pa.json")" 24 "pingall: pairs tried"
for want in "red $db_ip true" "red 10.0.0.2 true" "db 192.168.15.1 true" "router $blue_ip true" "blue 10.0.0.1 true"; do
	set -- $want
	assert_eq "$(jq -r --arg s "$1" --arg a "$2" '.pairs[] | select(.src == $s and .addr == $a) | .ok' "$DIR/pa.json")" "$3" "pingall $1 -> $2"
done
# Pair by pair against ping (in parallel: the unreachable ones take a second each).
jq -r '.pairs[] | "\(.src) \(.addr) \(.ok)"' "$DIR/pa.json" >"$DIR/pairs"
while read -r src addr ok; do
	(if ip netns exec "$src" ping -c2 -i0.2 -W1 "$addr" >/dev/null 2>&1; then p=true; else p=false; fi
	 [ "$p" = "$ok" ] || echo "$src -> $addr: pingall says $ok, ping says $p") >>"$DIR/disagree" &
done <"$DIR/pairs"
wait
[ ! -s "$DIR/disagree" ] || fail "pingall disagrees with ping: $(cat "$DIR/disagree" | paste -sd';')"

# status: up, and it really looks at the kernel.
nsnet status tutorial >"$DIR/status" || fail "status exited non-zero: $(cat "$DIR/status")"
assert_match "$(head -1 "$DIR/status")" '^lab tutorial: up$' "status line"
assert_no_match "$(cat "$DIR/status")" MISSING "status of a complete lab"
nsnet status tutorial --json >"$DIR/status.json"
assert_eq "$(jq -r '[.nodes[].name] | sort | join(" ")' "$DIR/status.json")" "blue db red router" "status --json nodes"
assert_eq "$(jq -r '[.. | objects | select(has("ok")) | .ok] | all' "$DIR/status.json")" true "status --json: all ok"
assert_eq "$(jq -r '.nodes[] | select(.name == "db") | .interfaces[0].ips[0]' "$DIR/status.json")" "$db_ip/24" "status: db's address"
# Status by file names the same lab.
assert_eq "$("$NSNET" status "$DIR/lab.yaml" --json | jq -r .lab)" tutorial "status FILE"
ip -n blue link del veth-blue
expect_rc 1 "$NSNET" status tutorial
assert_match "$("$NSNET" status tutorial || true)" 'link red:veth-red -- blue:veth-blue +MISSING' "status after a link was deleted behind nsnet's back"
assert_eq "$("$NSNET" status tutorial --json | jq -r .status)" degraded "status --json after the link went"
# up repairs what was deleted behind its back: the link (and only it) comes back.
red_idx=$(ip -n red -j link show eth0 | jq -r '.[0].ifindex')
assert_match "$(nsnet up "$DIR/lab.yaml")" "is up \\(2 changes\\)" "up of a degraded lab"
expect_rc 0 "$NSNET" status tutorial
assert_ping red 10.0.0.2
assert_eq "$(ip -n red -j link show eth0 | jq -r '.[0].ifindex')" "$red_idx" "red's eth0 untouched by the repair"
assert_match "$(nsnet up "$DIR/lab.yaml")" "up to date" "up after the repair"

# graph: DOT that graphviz parses, with every node, network and link.
nsnet graph tutorial >"$DIR/lab.dot"
if command -v dot >/dev/null; then
	dot -Tplain "$DIR/lab.dot" >"$DIR/lab.plain" || fail "dot rejects nsnet graph's output"
	# graphviz's own reading of it: 7 vertices (4 nodes, 2 networks, the host), 9 edges.
	assert_eq "$(grep -c '^node ' "$DIR/lab.plain")" 7 "graph vertices, as dot reads them"
	assert_eq "$(grep -c "^edge " "$DIR/lab.plain")" 9 "graph edges, as dot reads them"
	for n in red blue router db v-net-0 backend host; do grep -q "^node \"*[a-z]*/*$n\"* " "$DIR/lab.plain" || fail "graph has no '$n'"; done
fi
assert_match "$(head -1 "$DIR/lab.dot")" '^(di)?graph "?tutorial"? \{$' "graph header"
assert_eq "$(tail -1 "$DIR/lab.dot")" "}" "graph ends"
dot_edges=$(grep -c -- ' -- ' "$DIR/lab.dot")
# host-v-net-0, host-backend, red, blue, router x2, db, red-blue, host-db.
assert_eq "$dot_edges" 9 "graph edges"
# The same graph from the file, without the lab being up.
expect_rc 2 "$NSNET" graph "$DIR/lab.dot"
cmp -s <(nsnet graph "$DIR/lab.yaml") "$DIR/lab.dot" || fail "graph FILE and graph LAB differ"

# ls lists it.
assert_match "$(nsnet ls)" "^tutorial +(up|degraded) +4 +2 +2 +$DIR/lab.yaml" "ls"

# down: nothing left (the missing veth included).
nsnet down tutorial
state_settles_to "$before" "after down"
[ ! -e /run/nsnet/labs/tutorial.json ] || fail "lab state left after down"
expect_err 1 "lab 'tutorial' not found" "$NSNET" down tutorial
