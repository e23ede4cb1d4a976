#!/bin/bash
# nsnet monitor: events of every watched namespace, tagged with it, as ip makes the
# changes (ip is the witness: the index it reports is the one in the event); a
# namespace named after the start is picked up and one deleted is dropped; nsnet's
# own nftables table is reported; a lab's nodes; --count; SIGINT and SIGTERM end it
# with 0; bad input.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "jq is not installed"

A=mon-a B=mon-b C=mon-c X=mon-x LAB=mon-lab N1=mon-n1 N2=mon-n2
T=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	"$NSNET" down "$LAB" >/dev/null 2>&1 || true
	"$NSNET" net rm lan --force >/dev/null 2>&1 || true
	for n in $A $B $C $X; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

# wait_for FILE PATTERN: until a line of FILE matches (grep -E), at most ~30 s, and
# only while the monitor runs.
wait_for() {
	for _ in $(seq 600); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$MON" 2>/dev/null || { grep -qE -- "$2" "$1" && return 0; fail "monitor exited: $(cat "$1.err" 2>/dev/null)"; }
		sleep 0.05
	done
	fail "no line matching '$2' in $1: $(cat "$1")"
}
# start OUT ARGS...: nsnet monitor ARGS in the background, once it is subscribed.
start() {
	local out=$1; shift
	"$NSNET" monitor "$@" >"$out" 2>"$out.err" &
	MON=$!
	pids+=("$MON")
	wait_for "$out.err" '^nsnet: monitoring [0-9]+ namespaces?$'
}
# stop SIGNAL: the monitor ends on it, with 0.
stop() {
	kill -"$1" "$MON"
	local rc=0
	wait "$MON" || rc=$?
	assert_eq "$rc" 0 "monitor's exit status after SIG$1"
}
# line_of FILE JQ-FILTER: the line number of the first event the filter selects.
line_of() {
	local n
	n=$(jq -c "select($2)" "$1" | head -1)
	[ -n "$n" ] || fail "no event $2 in $1: $(cat "$1")"
	grep -nxF -- "$n" "$1" | head -1 | cut -d: -f1
}

nsnet ns add $A $B

# ---- every namespace, JSON -------------------------------------------------------------
start "$T/all" --json
assert_eq "$(cat "$T/all.err")" "nsnet: monitoring 3 namespaces" "ready line (mon-a, mon-b and host)"

ip -n $A addr add 192.0.2.1/24 dev lo
wait_for "$T/all" '"ns":"mon-a","object":"addr","action":"add"'
ip -n $B link add d0 type bridge
idx=$(ip -n $B -j link show d0 | jq '.[0].ifindex')
ip -n $B link del d0
wait_for "$T/all" '"ns":"mon-b","object":"link","action":"del"'

addr=$(line_of "$T/all" '.ns == "mon-a" and .object == "addr" and .action == "add" and .address == "192.0.2.1" and .prefixlen == 24 and .dev == "lo"')
add=$(line_of "$T/all" ".ns == \"mon-b\" and .object == \"link\" and .action == \"add\" and .name == \"d0\" and .index == $idx and .kind == \"bridge\"")
del=$(line_of "$T/all" ".ns == \"mon-b\" and .object == \"link\" and .action == \"del\" and .name == \"d0\" and .index == $idx")
[ "$addr" -lt "$add" ] && [ "$add" -lt "$del" ] || fail "events out of order (addr $addr, link add $add, link del $del)"
# Nothing of mon-b is reported as mon-a's, or the other way round.
[ "$(jq -c 'select(.ns == "mon-a" and .object == "link" and .name == "d0")' "$T/all")" = "" ] || fail "d0 reported in mon-a"

# A namespace named after the start: picked up, then its events.
ip netns add $C
wait_for "$T/all" '"ns":"mon-c","object":"netns","action":"add"'
ip -n $C link add d1 type bridge
wait_for "$T/all" '"ns":"mon-c","object":"link","action":"add"'
[ "$(line_of "$T/all" '.ns == "mon-c" and .object == "netns" and .action == "add"')" -lt \
  "$(line_of "$T/all" '.ns == "mon-c" and .object == "link" and .action == "add" and .name == "d1"')" ] ||
	fail "mon-c's link before its netns add"

# nsnet's own table, in host.
nsnet net create lan --subnet 10.9.0.0/24 --nat >/dev/null
wait_for "$T/all" '"ns":"host","object":"nft","action":"add","kind":"element","family":"inet","table":"nsnet","set":"nat_bridges"'
line_of "$T/all" '.ns == "host" and .object == "nft" and .kind == "element" and .set == "bridges" and .table == "nsnet"' >/dev/null
line_of "$T/all" '.ns == "host" and .object == "link" and .action == "add" and .name == "lan" and .kind == "bridge"' >/dev/null
# A table that is not nsnet's is not reported.
nft add table inet mon_other
nft delete table inet mon_other

# Deleted: dropped with an event.
ip netns del $C
wait_for "$T/all" '"ns":"mon-c","object":"netns","action":"del"'
stop INT
jq -e 'select((.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$") | not)
	or (.ns | type) != "string" or ([.object] | inside(["link","addr","route","neigh","nft","netns"]) | not)
	or ([.action] | inside(["add","del","change"]) | not))' "$T/all" >/dev/null &&
	fail "an event without time, ns, object or action: $(cat "$T/all")"
[ "$(jq -c 'select(.object == "nft" and .table != "nsnet")' "$T/all")" = "" ] || fail "a foreign table reported"
nsnet net rm lan >/dev/null

# ---- namespaces given, text, --count ------------------------------------------------------
start "$T/count" $B --count 2
ip -n $A addr add 192.0.2.2/24 dev lo
ip -n $B link add d2 type bridge
idx=$(ip -n $B -j link show d2 | jq '.[0].ifindex')
ip -n $B link del d2
rc=0
wait "$MON" || rc=$?
assert_eq "$rc" 0 "exit status after --count 2"
assert_eq "$(wc -l <"$T/count")" 2 "lines printed with --count 2"
assert_match "$(sed -n 1p "$T/count")" "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} \[mon-b\] link add d2 index $idx type bridge <BROADCAST,MULTICAST> mtu 1500 state DOWN lladdr [0-9a-f:]{17}$"
assert_match "$(sed -n 2p "$T/count")" "^[0-9:.]{15} \[mon-b\] link del d2 index $idx type bridge"

# ---- a lab: its nodes ---------------------------------------------------------------------
cat >"$T/$LAB.yaml" <<EOF
name: $LAB
nodes:
  $N1: {}
  $N2: {}
links:
  - endpoints: [$N1:e0, $N2:e0]
    ips: [10.77.0.1/24, 10.77.0.2/24]
EOF
nsnet up "$T/$LAB.yaml" >/dev/null
nsnet ns add $X
start "$T/lab" $LAB
assert_eq "$(cat "$T/lab.err")" "nsnet: monitoring 2 namespaces" "ready line of the lab"
ip -n $X addr add 192.0.2.9/32 dev lo
ip -n $N1 addr add 192.0.2.3/32 dev lo
ip -n $N2 route add 198.51.100.0/24 via 10.77.0.1
wait_for "$T/lab" '\[mon-n1\] addr add 192\.0\.2\.3/32 dev lo'
wait_for "$T/lab" '\[mon-n2\] route add 198\.51\.100\.0/24 via 10\.77\.0\.1 dev e0 proto boot|\[mon-n2\] route add 198\.51\.100\.0/24 via 10\.77\.0\.1 dev e0$'
assert_no_match "$(cat "$T/lab")" '\[mon-x\]' "a namespace outside the lab"
nsnet down $LAB >/dev/null
wait_for "$T/lab" '\[mon-n1\] netns del mon-n1'
wait_for "$T/lab" '\[mon-n2\] netns del mon-n2'
stop TERM

# ---- bad input: nothing watched, nothing on stdout -------------------------------------------
expect_err 1 "namespace 'mon-nosuch' not found" "$NSNET" monitor mon-nosuch
expect_err 2 "invalid --count 'x'" "$NSNET" monitor --count x
expect_err 2 "invalid --count '0'" "$NSNET" monitor --count 0
expect_err 2 "needs a value" "$NSNET" monitor --count
expect_err 2 "unknown option '--bogus'" "$NSNET" monitor --bogus
[ -z "$("$NSNET" monitor mon-nosuch 2>/dev/null)" ] || fail "stdout after an error"
note "ok"
