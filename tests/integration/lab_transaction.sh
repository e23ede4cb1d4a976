#!/bin/bash
# `up` is all or nothing.
#  - Validation errors point at file:line:col, exit 2, and change nothing (unknown
#    network, bad CIDR, duplicate node, duplicate address), also on a running lab.
#  - A node name held by a foreign namespace or by another lab: a clear error, exit 1,
#    nothing created.
#  - A link's host end taken by a foreign link: refused before anything is made.
#  - A failure half-way (an attach's host-side veth taken by a foreign link, found
#    after the bridges and namespaces were made; a sysctl the kernel refuses) rolls
#    back everything this `up` made (`ip monitor link` sees the bridges come and go)
#    and leaves foreign objects alone; on a running lab, the lab stays exactly as it was.
#  - SIGTERM/SIGINT at any moment of a 60-node `up` (injected at exact system
#    calls with strace) roll back.
# Witnesses: ls /run/netns, ip -j link, nft list ruleset, /run/nsnet (sandbox_state),
# ip -j of the running lab's namespaces.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
tutorial_yaml >"$DIR/tutorial.yaml"

# ---- validation errors: file:line:col, exit 2, nothing done ----------------------
# bad NAME SED-EXPR PATTERN: the tutorial file edited by SED-EXPR must be refused
# with PATTERN (which includes the position), changing nothing.
bad() {
	sed -e "$2" "$DIR/tutorial.yaml" >"$DIR/$1.yaml"
	cmp -s "$DIR/$1.yaml" "$DIR/tutorial.yaml" && fail "$1: the edit did nothing"
	expect_err 2 "^nsnet: [a-z]+: $DIR/$1.yaml:$3" "$NSNET" up "$DIR/$1.yaml"
	assert_eq "$(echo "$ERR" | wc -l)" 1 "$1: one line of error"
	state_settles_to "$before" "$1: after a refused up"
	expect_err 2 "^nsnet: [a-z]+: $DIR/$1.yaml:$3" "$NSNET" up --dry-run "$DIR/$1.yaml"
}
# line 19: "      - network: v-net-0" (blue's interface)
bad unknown-net '19s/v-net-0/v-net-1/' "19:9: unknown network 'v-net-1'"
bad bad-cidr '4s|192.168.15.0/24|192.168.15.0/33|' "4:13: .*invalid CIDR '192.168.15.0/33'"
bad bad-cidr2 '8s|10.20.0.0/24|10.20.0.300/24|' "8:13: .*invalid CIDR '10.20.0.300/24'"
# A second "red:" node (the first is at line 10).
bad dup-node '17s/^  blue:$/  red:/' "17:3: 'red' appears twice in nodes \(first at line 10\)"
bad dup-addr '27s/192.168.15.254/192.168.15.1/' "27:[0-9]+: address 192.168.15.1 is already used by node 'red'"
bad link-node '37s/red:veth-red/green:veth-red/' "37:[0-9]+: .*'green'"
bad gateway-out '5s/192.168.15.5/192.168.16.5/' "5:[0-9]+: .*192.168.16.5"

# ---- names held by others: exit 1, nothing created --------------------------------
ip netns add red
state_now >"$DIR/with-red"
expect_err 1 "node 'red': a namespace named 'red' already exists and is not part of lab 'tutorial'" \
	"$NSNET" up "$DIR/tutorial.yaml"
state_settles_to "$DIR/with-red" "after a refused up (foreign red)"
ip netns del red
state_settles_to "$before" "after removing the foreign red"
# Another lab's node.
printf 'name: other\nnetworks:\n  o-net:\n    subnet: 10.77.0.0/24\nnodes:\n  db:\n    interfaces:\n      - network: o-net\n' >"$DIR/other.yaml"
nsnet up "$DIR/other.yaml" >/dev/null
state_now >"$DIR/with-other"
expect_err 1 "node 'db': namespace 'db' belongs to lab 'other'" "$NSNET" up "$DIR/tutorial.yaml"
state_settles_to "$DIR/with-other" "after a refused up (db of lab other)"
nsnet down other
state_settles_to "$before" "after down other"

# ---- taken names and failures half-way: complete rollback --------------------------
# The host end of the host-db link, taken by a foreign veth: found by validation.
ip link add pair-host type veth peer name foreignpeer
state_now >"$DIR/with-foreign"
expect_err 1 "pair-host" "$NSNET" up "$DIR/tutorial.yaml"
assert_match "$ERR" "link host:pair-host" "the error names the link"
state_settles_to "$DIR/with-foreign" "after up failed on pair-host"
assert_eq "$(ip -j link show pair-host | jq -r '.[0].link_type + " " + (.[0].ifindex|tostring)')" \
	"ether $(cat /sys/class/net/pair-host/ifindex)" "the foreign pair-host is untouched"
ip link del pair-host
state_settles_to "$before" "after removing the foreign pair-host"

# db's host-side veth on backend (its name from --explain), taken: the failure comes
# while attaching, after the networks and all namespaces were made.
hostif=$(nsnet up --dry-run --explain "$DIR/tutorial.yaml" | sed -n 's/^    ip link add \(nvdb-[^ ]*\) master backend .*/\1/p')
assert_match "$hostif" '^nvdb-' "db's host-side interface name from --explain"
ip link add "$hostif" type veth peer name foreignpeer
state_now >"$DIR/with-foreign"
ip monitor link >"$DIR/monitor" 2>&1 &
mon=$!
sleep 0.2
expect_err 1 "$hostif" "$NSNET" up "$DIR/tutorial.yaml"
sleep 0.3
kill $mon
wait $mon 2>/dev/null || true
grep -q '^[0-9]*: v-net-0:' "$DIR/monitor" && grep -q '^Deleted [0-9]*: v-net-0:' "$DIR/monitor" ||
	fail "ip monitor did not see v-net-0 made and removed: the failure was not half-way"
assert_match "$ERR" "^nsnet: up $DIR/tutorial.yaml: " "the error says which up failed"
state_settles_to "$DIR/with-foreign" "after up failed attaching db"
ip link del "$hostif"
state_settles_to "$before" "after removing the foreign $hostif"

# A sysctl the kernel refuses to write (read-only: validation asks only whether the
# key is the namespace's own; the write is for the kernel to judge).
sed 's/^    forwarding: true$/    forwarding: true\n    sysctls:\n      net.ipv4.tcp_ehash_entries: "1"/' "$DIR/tutorial.yaml" >"$DIR/sysctl.yaml"
expect_err 1 "node 'router'.*sysctl net.ipv4.tcp_ehash_entries.*Permission denied" "$NSNET" up "$DIR/sysctl.yaml"
state_settles_to "$before" "after up failed on a sysctl"

# On a running lab: a failing addition leaves the lab exactly as it was.
nsnet up "$DIR/tutorial.yaml" >/dev/null
lab_settle
lab_snapshot host red blue router db >"$DIR/lab-before"
state_now >"$DIR/lab-state"
cp /run/nsnet/labs/tutorial.json "$DIR/lab.json"
sed 's/^links:$/  extra:\n    sysctls:\n      net.ipv4.tcp_ehash_entries: "1"\n    interfaces:\n      - network: backend\nlinks:/' "$DIR/tutorial.yaml" >"$DIR/plus.yaml"
assert_eq "$(nsnet up --dry-run "$DIR/plus.yaml")" "create node:extra" "plan of the failing addition"
expect_err 1 "node 'extra'.*sysctl net.ipv4.tcp_ehash_entries.*Permission denied" "$NSNET" up "$DIR/plus.yaml"
lab_settle
state_settles_to "$DIR/lab-state" "running lab after a failed addition"
lab_snapshot host red blue router db >"$DIR/lab-after"
diff "$DIR/lab-before" "$DIR/lab-after" >&2 || fail "the running lab changed after a failed addition"
cmp -s <(jq -S 'del(.file)' "$DIR/lab.json") <(jq -S 'del(.file)' /run/nsnet/labs/tutorial.json) ||
	fail "the lab's state changed after a failed addition"
assert_eq "$(jq -r '.members | map(.ns) | sort | join(" ")' /run/nsnet/networks/backend.json)" "db router" "backend's members"
assert_eq "$(nsnet up "$DIR/tutorial.yaml")" "lab 'tutorial' is up to date: no change made" "up after the failed addition"
nsnet down tutorial
state_settles_to "$before" "after down tutorial"

# ---- signals at exact moments of up: roll back ------------------------------------
# strace delivers the signal on entering a chosen system call, so every run hits the
# same moment (a sleep before kill would race a fast machine or miss a slow one):
#  - while the file is read (the first system call on its path): main blocks the
#    signals first thing, so even this early up fails cleanly, changing nothing;
#  - at the state lock (after planning, before the journal): nothing changed;
#  - at the 3rd and the 40th netlink request of a thread (strace counts per thread;
#    the main thread of a 60-node up makes about 85): the bridge being made, the
#    namespaces being attached. Everything made so far is removed.
# Each must exit 1 with "up FILE: interrupted" (exit 0 would mean the signal came
# after up ended) and leave the sandbox as before.
command -v strace >/dev/null || fail "strace is not installed (scripts/deps installs it)"
# LeakSanitizer cannot run under ptrace (it says so and fails): off for the traced runs.
strace() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" command strace "$@"; }
big_yaml sig 60 sig-net 10.78.0.0/16 >"$DIR/big.yaml"
# Every moment with SIGTERM; SIGINT (the same handler) at the first and the last.
for sig in TERM INT; do
	points=("-P $DIR/big.yaml -e inject=all:signal=$sig:when=1")
	[ $sig = INT ] || points+=("-e trace=flock -e inject=flock:signal=$sig:when=1"
		"-e trace=sendto -e inject=sendto:signal=$sig:when=3")
	points+=("-e trace=sendto -e inject=sendto:signal=$sig:when=40")
	for point in "${points[@]}"; do
		rc=0
		# shellcheck disable=SC2086
		strace -f -qq -o /dev/null $point "$NSNET" up "$DIR/big.yaml" >/dev/null 2>"$DIR/err" || rc=$?
		assert_eq "$rc" 1 "up with SIG$sig at ($point): exit code ($(cat "$DIR/err"))"
		assert_eq "$(cat "$DIR/err")" "nsnet: up $DIR/big.yaml: interrupted" "SIG$sig at ($point): the message"
		state_settles_to "$before" "after SIG$sig at ($point)"
	done
done
# Other changing commands finish their change when a signal comes half-way (all or
# none): ns add of three namespaces, SIGTERM at its second mount.
rc=0
strace -f -qq -o /dev/null -e trace=mount -e inject=mount:signal=TERM:when=2 "$NSNET" ns add sig-a sig-b sig-c || rc=$?
assert_eq "$rc" 0 "ns add with SIGTERM half-way"
assert_eq "$(ls /run/netns | tr '\n' ' ')" "sig-a sig-b sig-c " "ns add finished its change"
nsnet ns del sig-a sig-b sig-c
state_settles_to "$before" "after ns del"
