#!/bin/bash
# Crash consistency of the journaled commands (issue 10, defects 2, 3, 7, 8): each
# of `net create`, `net rm --force`, `net detach`, `publish`, `unpublish` is killed (SIGKILL, by
# strace) at every system call that changes something (sendto, sendmsg, write,
# rename, unlink); then `nsnet gc` (or just the next command) must leave no
# published-port forwarding that state does not know, no stale fw.json count, no
# forwarding turned on for nothing, and no half-attached member; and the command
# run again must succeed or say it is already done.
# The attack of defect 2 is replayed after every kill of `net rm --force`: a new
# network on the same subnet gives the freed address to another namespace with a
# listener on the published port; the host's 8080 must not reach it.
# Witnesses: nft (the table's elements), /proc/sys, ip link, socat.
# Dozens of killed commands: minutes on a busy machine; the limit only catches a hang.
# nsnet-test-timeout: 900
source "$(dirname "$0")/../lib.sh"
command -v strace >/dev/null || skip "strace is not installed"

# LeakSanitizer cannot work under ptrace (strace): other tests check leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
SUB=10.90.0.0/24
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
	"$NSNET" net rm --force cj-net >/dev/null 2>&1 || true
	"$NSNET" gc >/dev/null 2>&1 || true
	local ns
	for ns in cj-a cj-b; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT

# kill_at KIND N CMD...: run CMD, SIGKILLed at its Nth system call of KIND.
# Returns 0 when it was killed, 1 when it finished first (N beyond its calls).
kill_at() {
	local kind=$1 n=$2
	shift 2
	local rc
	# In a shell of its own, whose "Killed" notice goes nowhere.
	rc=$(sh -c '"$@" >/dev/null 2>&1; echo $?' sh \
		strace -f -qq -o /dev/null -e trace="$kind" -e inject="$kind":signal=KILL:when="$n" "$@" 2>/dev/null)
	[ "$rc" = 137 ]
}

# Healthy, whatever point the kill came at: gc has nothing to undo afterwards,
# nsnet's table holds exactly what state says, no journal entry is left, and
# forwarding is on only while a NAT network or a publish needs it.
check_settled() {
	local what=$1
	"$NSNET" gc >/dev/null || fail "$what: gc failed"
	"$NSNET" fw status >/dev/null || fail "$what: firewall not in sync with state after gc: $("$NSNET" fw status --json | jq -c '{missing, extra}')"
	[ -z "$(ls -A /run/nsnet/journal 2>/dev/null)" ] || fail "$what: journal entries left after gc"
	if [ ! -e /run/nsnet/networks/cj-net.json ]; then
		assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd_before" "$what: ip_forward given back"
		[ ! -e /run/nsnet/fw.json ] || fail "$what: fw.json left: $(cat /run/nsnet/fw.json)"
		[ -z "$(ls -A /run/nsnet/publish 2>/dev/null)" ] || fail "$what: publish files left"
		! nft list table inet nsnet >/dev/null 2>&1 || fail "$what: nsnet's table left: $(nft list table inet nsnet)"
		! ip link show cj-net >/dev/null 2>&1 || fail "$what: bridge left"
	fi
	# Every member recorded is whole: its veth exists, with its address inside.
	local m
	for m in $(jq -r '.members[]? | "\(.ns),\(.ifname),\(.ips[0])"' /run/nsnet/networks/cj-net.json 2>/dev/null); do
		IFS=, read -r ns ifn ip <<<"$m"
		[ -n "$ifn" ] || fail "$what: member $ns recorded without an interface name"
		[[ "$(ip -n "$ns" -o addr show dev "$ifn" 2>/dev/null)" == *" ${ip%/*}/"* ]] ||
			fail "$what: member $ns recorded with $ip on '$ifn' but the namespace lacks it"
		[[ "$(ip -n "$ns" link show dev "$ifn")" == *,UP* ]] || fail "$what: member $ns's $ifn is down"
	done
}

setup() {
	cleanup
	ip netns add cj-a
	"$NSNET" net create cj-net --subnet $SUB --nat >/dev/null
	"$NSNET" net attach cj-net cj-a >/dev/null
	"$NSNET" publish 8080 cj-a:80 >/dev/null
}

# The forwarding left by a dead `net rm` must not reach whoever gets the address next.
replay_attack() {
	local what=$1
	"$NSNET" net rm --force cj-net >/dev/null 2>&1 || true
	ip netns add cj-b
	"$NSNET" net create cj-net --subnet $SUB >/dev/null
	"$NSNET" net attach cj-net cj-b >/dev/null
	ip netns exec cj-b socat -T2 TCP-LISTEN:80,reuseaddr SYSTEM:'echo LEAKED' &
	local srv=$!
	local gw
	gw=$(jq -r '.subnets[0].gateway' /run/nsnet/networks/cj-net.json)
	sleep 0.3
	local got
	got=$(timeout 3 socat -T1 - TCP:$gw:8080,connect-timeout=1 </dev/null 2>/dev/null || true)
	got+=$(timeout 3 socat -T1 - TCP:127.0.0.1:8080,connect-timeout=1 </dev/null 2>/dev/null || true)
	kill $srv 2>/dev/null || true
	wait $srv 2>/dev/null || true
	assert_no_match "$got" LEAKED "$what: the host's port 8080 reached a namespace that never published it"
	"$NSNET" net rm --force cj-net >/dev/null
	ip netns del cj-b
}

# The default run tries the first calls of each kind (where the state files and the
# nft transaction are: the defects were there); CRASH_JOURNAL_FULL=1 tries every one.
kill_points() {
	if [ -n "${CRASH_JOURNAL_FULL:-}" ]; then
		seq 1 60
	else
		case $1 in
		sendmsg | unlink) echo 1 2 3 ;;
		*) echo 1 2 ;;
		esac
	fi
}

points=0
sweep() {  # sweep NAME SETUP-FN CHECK-FN CMD...
	local name=$1 setupfn=$2 after=$3
	shift 3
	local kind n
	for kind in sendto sendmsg write rename unlink; do
		for n in $(kill_points $kind); do
			$setupfn
			kill_at $kind $n "$NSNET" "$@" || break
			points=$((points + 1))
			check_settled "$name killed at $kind #$n"
			$after "$name killed at $kind #$n"
		done
	done
}

# net create: undone (no state file yet) or finished; creating again works or says so.
setup_none() { cleanup; ip netns add cj-a; }
after_create() {
	local out rc=0
	out=$("$NSNET" net create cj-net --subnet $SUB --nat 2>&1) || rc=$?
	[ $rc = 0 ] || assert_match "$out" "already exists" "$1: create again"
	check_settled "$1, then create again"
	[[ "$(nft list table inet nsnet)" == *cj-net* ]] || fail "$1: the network is not in nsnet's table"
	"$NSNET" net attach cj-net cj-a >/dev/null
	"$NSNET" net rm --force cj-net >/dev/null
	check_settled "$1, then rm"
	[ -z "$(ip -o link show type bridge)" ] || fail "$1: bridges left: $(ip -o link show type bridge)"
}
sweep "net create" setup_none after_create net create cj-net --subnet $SUB --nat

# net rm --force: finished by gc, or not begun; either way run again it completes.
after_rm() {
	"$NSNET" net rm --force cj-net >/dev/null 2>&1 || true
	check_settled "$1, then rm again"
	replay_attack "$1"
}
sweep "net rm --force" setup after_rm net rm --force cj-net

# net detach: the member is gone with its publish, or untouched and whole.
after_detach() {
	local out rc=0
	out=$("$NSNET" net detach cj-net cj-a 2>&1) || rc=$?
	[ $rc = 0 ] || assert_match "$out" "not attached" "$1: detach again"
	check_settled "$1, then detach again"
	[[ "$(nft list table inet nsnet 2>/dev/null)" != *8080* ]] || fail "$1: forwarding of 8080 left after detach"
}
sweep "net detach" setup after_detach net detach cj-net cj-a

# publish: undone (or done whole); publishing again works.
setup_pub() {
	cleanup
	ip netns add cj-a
	"$NSNET" net create cj-net --subnet $SUB >/dev/null
	"$NSNET" net attach cj-net cj-a >/dev/null
}
after_pub() {
	local out rc=0
	out=$("$NSNET" publish 8080 cj-a:80 2>&1) || rc=$?
	[ $rc = 0 ] || assert_match "$out" "already published" "$1: publish again"
	check_settled "$1, then publish again"
	[[ "$(nft list table inet nsnet)" == *"tcp . 8080"* ]] || fail "$1: published but no element"
	assert_eq "$(jq -r '.published["cj-net"]["cj-a"]' /run/nsnet/fw.json)" 1 "$1: publish count"
}
sweep "publish" setup_pub after_pub publish 8080 cj-a:80

# unpublish: finished (or not begun); unpublishing again works or says so.
after_unpub() {
	local out rc=0
	out=$("$NSNET" unpublish 8080 2>&1) || rc=$?
	[ $rc = 0 ] || assert_match "$out" "not published" "$1: unpublish again"
	check_settled "$1, then unpublish again"
	[[ "$(nft list table inet nsnet 2>/dev/null)" != *8080* ]] || fail "$1: forwarding of 8080 left after unpublish"
	[ ! -e /run/nsnet/fw.json ] || [ "$(jq -r '.published // {} | length' /run/nsnet/fw.json)" = 0 ] ||
		fail "$1: stale publish count: $(cat /run/nsnet/fw.json)"
}
sweep "unpublish" setup after_unpub unpublish 8080

note "$points kill points survived"
[ $points -ge 30 ] || fail "only $points kill points: strace did not inject?"
