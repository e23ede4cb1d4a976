#!/bin/bash
# `nsnet fw watch` puts nsnet's table back by itself after something else wipes it:
# `nft flush ruleset` (a firewall reload), `nft delete table inet nsnet`, `nft flush
# table inet nsnet` (the rules gone, the elements left), a deleted element. One line
# a restore; a foreign table coming and going, nsnet's own commands and the
# watcher's own rebuild restore nothing; SIGTERM ends it with exit 0; --once exits
# after the first restore; with no network it only listens; idle, it sleeps in poll()
# with no timeout and uses no CPU. Witnesses: nft list, /proc/PID/syscall,
# `fw status`, socat through the published port from an "outside" namespace.
source "$(dirname "$0")/../lib.sh"

A1=fww-a1 W=fww-wan
PIDS=()
DIR=$(mktemp -d)
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$NSNET" net rm fww-a --force 2>/dev/null || true
	for n in $A1 $W; do ip netns del $n 2>/dev/null || true; done
	nft delete table ip fww-foreign 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
ask() { echo hi | ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" 2>/dev/null || true; }

# "Within a second of nft flush ruleset" (issue 18): the table is looked for every
# 20 ms for up to 1 s on the normal build. Under ASan every libnftables call is
# several times slower and this 2-core machine is shared, so there it may take up to
# 5 s; either way the time measured is printed.
LIMIT_MS=1000
[[ "$NSNET" == *build-asan* ]] && LIMIT_MS=5000
back_within() {  # back_within WHAT: nsnet's table as it was, within LIMIT_MS of now
	local t0 t1 ms
	t0=$(date +%s%N)
	while :; do
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ "$(nft list table inet nsnet 2>/dev/null)" = "$table" ] && break
		[ "$ms" -lt "$LIMIT_MS" ] || fail "nsnet's table not back ${LIMIT_MS} ms after $1"
		sleep 0.02
	done
	note "table back ${ms} ms after $1 (limit ${LIMIT_MS} ms)"
}
lines() { grep -c . "$DIR/log" || true; }
# wait_lines N: the watcher's log has N lines (a restore is logged once it is done).
wait_lines() {
	for _ in $(seq 250); do
		[ "$(lines)" -ge "$1" ] && break
		sleep 0.02
	done
	assert_eq "$(lines)" "$1" "restores logged"
}
last() { tail -n1 "$DIR/log" | jq -r "$1"; }
# start_watch ARGS...: in the background, its stdout in $DIR/log; returns once it is
# subscribed and has had its first look.
start_watch() {
	: >"$DIR/log"
	: >"$DIR/err"
	"$NSNET" fw watch "$@" >"$DIR/log" 2>"$DIR/err" &
	WP=$!
	PIDS+=("$WP")
	for _ in $(seq 500); do
		grep -q "watching" "$DIR/err" && return 0
		kill -0 "$WP" 2>/dev/null || fail "fw watch exited early: $(cat "$DIR/err")"
		sleep 0.02
	done
	fail "fw watch did not start: $(cat "$DIR/err")"
}
stop_watch() {  # SIGTERM: exit 0
	local rc=0
	kill -TERM "$WP"
	wait "$WP" || rc=$?
	assert_eq "$rc" 0 "fw watch's exit code after SIGTERM"
}

expect_err 2 "takes no arguments" "$NSNET" fw watch extra
expect_err 2 "unknown option" "$NSNET" fw watch --bogus
assert_match "$("$NSNET" fw --help)" "watch" "fw --help lists watch"

# With no network, it only listens: a flush restores nothing, creates nothing.
start_watch --json
nft add table ip fww-foreign
nft flush ruleset
stop_watch
assert_eq "$(lines)" 0 "restores with no network"
assert_eq "$(nft list tables)" "" "tables after a watch with no network"

nsnet ns add $A1 $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0
ip netns exec $A1 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:'read l; echo "a1 peer=$SOCAT_PEERADDR"' & PIDS+=($!)
nsnet net create fww-a --subnet 10.62.0.0/24 --nat
nsnet net attach fww-a $A1
nsnet publish 8080 $A1:80
sleep 0.2
table=$(nft list table inet nsnet)
assert_match "$table" "dnat ip to" "nsnet's table has the DNAT rules"
assert_match "$table" "masquerade" "nsnet's table has the NAT rules"
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port before the flush"

start_watch --json
assert_eq "$(lines)" 0 "restores at start, the table in sync"
# Idle, it sleeps in poll() with no timeout (x86-64: poll = 7 with timeout -1, or
# ppoll = 271 with no timespec), and uses no CPU time meanwhile.
cpu() { awk '{print $14 + $15}' "/proc/$WP/stat"; }
c0=$(cpu)
sleep 1
assert_match "$(cat "/proc/$WP/syscall")" "^(7 0x[0-9a-f]+ 0x2 0x(ffffffff)?ffffffff|271 0x[0-9a-f]+ 0x2 0x0) " \
	"the idle watcher's system call"
assert_eq "$(cpu)" "$c0" "CPU ticks of the idle watcher over 1 s"

# A firewall reload.
nft flush ruleset
back_within "nft flush ruleset"
wait_lines 1
assert_eq "$(last .action) $(last .reason) $(last .networks) $(last .in_sync)" "restored table deleted 1 true" \
	"the restore's log line"
expect_rc 0 "$NSNET" fw status
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port after the watcher's restore"

# Its own rebuild's events come back to it: no second restore (2 s of quiet).
sleep 2
assert_eq "$(lines)" 1 "restores 2 s after the first (no loop on its own events)"

# A foreign table coming and going, and nsnet's own changes, restore nothing.
nft add table ip fww-foreign
nft add chain ip fww-foreign input '{ type filter hook input priority 0; policy accept; }'
nft delete table ip fww-foreign
nsnet publish 8081 $A1:80
nsnet unpublish 8081
sleep 1
assert_eq "$(lines)" 1 "restores after a foreign table and nsnet's own publish"

nft delete table inet nsnet
back_within "nft delete table inet nsnet"
wait_lines 2
assert_eq "$(last .reason)" "table deleted" "reason after delete table"

# The rules gone, the sets and elements left: the elements alone look in sync.
nft flush table inet nsnet
back_within "nft flush table inet nsnet"
wait_lines 3
assert_eq "$(last .reason) $(last .in_sync)" "chains or rules deleted true" "reason after flush table"

nft delete element inet nsnet pubany4 '{ tcp . 8080 }'
back_within "a deleted element"
wait_lines 4
assert_eq "$(last .reason)" "sets or elements deleted" "reason after a deleted element"
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port after the last restore"

# A reload as `systemctl restart nftables` makes it: one file, `flush ruleset` and
# then the host's own tables, in one transaction. nsnet's table is back beside theirs.
nft -f - <<-'EOF'
	flush ruleset
	table ip fww-foreign {
		chain input {
			type filter hook input priority filter; policy accept;
		}
	}
	EOF
back_within "a reload of an nftables.conf"
wait_lines 5
assert_eq "$(last .reason)" "table deleted" "reason after an nftables.conf reload"
assert_match "$(nft list tables)" "table ip fww-foreign" "the reloaded foreign table"
nft delete table ip fww-foreign
sleep 0.5
assert_eq "$(lines)" 5 "restores after the foreign table's removal"
stop_watch
assert_eq "$(cat "$DIR/err")" "nsnet: watching table inet nsnet for firewall reloads" "fw watch's stderr"

# --once: the first restore, as a text line, then exit 0.
start_watch --once
nft flush ruleset
rc=0
wait_exit "$WP" || rc=$?
assert_eq "$rc" 0 "fw watch --once ended"
wait "$WP" || fail "fw watch --once exited $?: $(cat "$DIR/err")"
assert_eq "$(nft list table inet nsnet)" "$table" "nsnet's table after fw watch --once"
assert_match "$(cat "$DIR/log")" \
	"^[0-9-]{10}T[0-9:.]{12}Z restored table inet nsnet \(table deleted; 1 network\) in [0-9]+ ms, in sync$" \
	"fw watch --once's line"
assert_eq "$(lines)" 1 "lines of fw watch --once"
