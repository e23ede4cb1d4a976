#!/bin/bash
# `nsnet capture`: packets of a namespace's interfaces, seen from outside it. Two
# namespaces cabled to a third (a has two interfaces: to-cap-b and to-cap-c), real
# pings and UDP datagrams (socat) from inside, and tcpdump as the witness of every
# pcap written: to a file, filtered (BPF), streamed to stdout (-w - | tcpdump -r -),
# ended by SIGINT; the one-line summaries and their --json form; every interface of
# a namespace at once (lo left out); NODE:lo, and a namespace name with ':' in it.
source "$(dirname "$0")/../lib.sh"

A=cap-a B=cap-b C=cap-c X=cap:x
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in $A $B $C $X; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
command -v tcpdump >/dev/null || skip "tcpdump (the witness) is not installed"
command -v socat >/dev/null || skip "socat is not installed"

nsnet ns add $A $B $C
nsnet connect $A $B --ip 10.1.0.1/24,10.1.0.2/24
nsnet connect $A $C --ip 10.2.0.1/24,10.2.0.2/24

# wait_ready STDERR_FILE PID: until the capture says it listens (it prints
# "capturing on ..." once every handle is active and filtered). The bound only
# keeps a broken capture from hanging the test.
wait_ready() {
	local i
	for i in $(seq 2400); do
		grep -q '^capturing on ' "$1" && return 0
		kill -0 "$2" 2>/dev/null || fail "capture ended before it was ready: $(cat "$1")"
		sleep 0.05
	done
	fail "capture not ready: $(cat "$1")"
}
# A capture waits for its --count; should packets go missing, `timeout` ends it with
# SIGTERM (a normal end: the file is closed) and the witness below says what is missing.
capture_bg() {
	local err=$1; shift
	timeout 120 "$NSNET" capture "$@" 2>"$err" &
	PIDS+=($!)
}
ping_from() { nsnet exec "$1" -- ping -c "$3" -i 0.2 -W 2 "$2" >/dev/null; }

# ---- to a file, with a filter: the pings' 2 requests and 2 replies -------------------
capture_bg $T/e1 $A:to-$B -w $T/x.pcap --count 4 icmp
wait_ready $T/e1 $!
assert_match "$(cat $T/e1)" "^capturing on $A: to-$B, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes$"
ping_from $A 10.1.0.2 2
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e1)"
assert_match "$(tail -n1 $T/e1)" '^4 packets captured, [0-9]+ received by filter, 0 dropped by kernel$'
out=$(tcpdump -nr $T/x.pcap 2>/dev/null)
note "$out"
assert_eq "$(grep -c 'IP 10.1.0.1 > 10.1.0.2: ICMP echo request' <<<"$out")" 2 "echo requests in the pcap"
assert_eq "$(grep -c 'IP 10.1.0.2 > 10.1.0.1: ICMP echo reply' <<<"$out")" 2 "echo replies in the pcap"
assert_eq "$(grep -c . <<<"$out")" 4 "packets in the pcap"
assert_match "$(tcpdump -nr $T/x.pcap 2>&1 >/dev/null)" 'link-type EN10MB'
assert_eq "$(stat -c %a $T/x.pcap)" 600 "the pcap file's mode"

# ---- the filter keeps what it says: UDP port 7777 only, not the pings around it ------------
capture_bg $T/e2 $A:to-$B -w $T/udp.pcap --count 2 udp port 7777
wait_ready $T/e2 $!
ping_from $A 10.1.0.2 1
for i in 1 2; do
	ip netns exec $A socat -u - UDP-SENDTO:10.1.0.2:7777 <<<"hello $i"
done
ping_from $A 10.1.0.2 1
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e2)"
out=$(tcpdump -nr $T/udp.pcap 2>/dev/null)
note "$out"
assert_eq "$(grep -c 'IP 10.1.0.1.[0-9]* > 10.1.0.2.7777: UDP' <<<"$out")" 2 "UDP datagrams in the pcap"
assert_eq "$(grep -c . <<<"$out")" 2 "packets in the filtered pcap"
assert_no_match "$out" ICMP "the filter let ICMP through"

# ---- every interface of a, lo left out: the summary lines name the interface ---------
# The pings to lo come first: were lo captured, they would fill the count.
capture_bg $T/e3 $A --count 4 icmp >$T/o3
wait_ready $T/e3 $!
assert_match "$(cat $T/e3)" "^capturing on $A: to-$B, to-$C, link-type EN10MB"
ping_from $A 127.0.0.1 1
ping_from $A 10.1.0.2 1
ping_from $A 10.2.0.2 1
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e3)"
out=$(cat $T/o3)
note "$out"
ts='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'
assert_match "$out" "^$ts to-$B IP 10.1.0.1 > 10.1.0.2: ICMP echo request, id [0-9]+, seq 1, length 64$"
assert_match "$out" "^$ts to-$B IP 10.1.0.2 > 10.1.0.1: ICMP echo reply, id [0-9]+, seq 1, length 64$"
assert_match "$out" "^$ts to-$C IP 10.2.0.1 > 10.2.0.2: ICMP echo request, id [0-9]+, seq 1, length 64$"
assert_match "$out" "^$ts to-$C IP 10.2.0.2 > 10.2.0.1: ICMP echo reply, id [0-9]+, seq 1, length 64$"
assert_no_match "$out" "127.0.0.1| lo " "lo was captured"
assert_eq "$(grep -c . <<<"$out")" 4 "summary lines"

# ---- --json: the same packets, one object a line ------------------------------------
capture_bg $T/e4 $A:to-$C --json --count 2 icmp >$T/o4
wait_ready $T/e4 $!
ping_from $A 10.2.0.2 1
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e4)"
assert_eq "$(wc -l <$T/o4)" 2 "NDJSON lines"
assert_eq "$(jq -c '[.interface, .protocol, .src, .dst, .icmp_type, .seq, .length]' $T/o4 | tr '\n' ' ')" \
	"[\"to-$C\",\"icmp\",\"10.2.0.1\",\"10.2.0.2\",8,1,98] [\"to-$C\",\"icmp\",\"10.2.0.2\",\"10.2.0.1\",0,1,98] " \
	"--json packets"
jq -e 'select(.summary | test("^IP 10.2.0.[12] > 10.2.0.[12]: ICMP echo (request|reply)")) | .timestamp | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$")' \
	$T/o4 >/dev/null || fail "--json summary or timestamp: $(cat $T/o4)"

# ---- -w -: pcap streamed into tcpdump -r - --------------------------------------------
{ timeout 120 "$NSNET" capture $A:to-$B -w - --count 2 icmp 2>$T/e5 | tcpdump -nr - >$T/o5 2>/dev/null; } &
PIDS+=($!)
wait_ready $T/e5 $!
ping_from $A 10.1.0.2 1
wait "${PIDS[-1]}" || fail "capture | tcpdump exited $?: $(cat $T/e5)"
out=$(cat $T/o5)
note "$out"
assert_match "$out" 'IP 10.1.0.1 > 10.1.0.2: ICMP echo request'
assert_match "$out" 'IP 10.1.0.2 > 10.1.0.1: ICMP echo reply'
assert_eq "$(grep -c . <<<"$out")" 2 "packets through the pipe"

# ---- SIGINT ends a capture without --count, its file whole -----------------------------
# Streamed (flushed at each packet) into a file, so the test sees when both are in.
"$NSNET" capture $A:to-$B -w - icmp >$T/int.pcap 2>$T/e6 &
PIDS+=($!)
P=$!
wait_ready $T/e6 $P
ping_from $A 10.1.0.2 1
for i in $(seq 2400); do
	[ "$(tcpdump -nr $T/int.pcap 2>/dev/null | grep -c ICMP)" = 2 ] && break
	sleep 0.05
done
kill -INT $P
rc=0
wait $P || rc=$?
assert_eq "$rc" 0 "exit status after SIGINT"
assert_match "$(tail -n1 $T/e6)" '^2 packets captured, '
assert_eq "$(tcpdump -nr $T/int.pcap 2>/dev/null | grep -c 'ICMP echo')" 2 "packets in the file after SIGINT"

# ---- NODE:lo, and a namespace whose name holds ':' -------------------------------------
ip netns add $X
ip -n $X link set lo up
capture_bg $T/e7 $X:lo --count 2 icmp
wait_ready $T/e7 $!
nsnet exec $X -- ping -c1 -W 2 127.0.0.1 >/dev/null
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e7)"
assert_match "$(cat $T/e7)" "^capturing on $X: lo, link-type EN10MB"
assert_match "$(tail -n1 $T/e7)" '^2 packets captured'
# The whole argument is a namespace: every interface but lo, and lo is all there is.
expect_err 1 "namespace '$X' has no interface that is up besides lo \(capture $X:lo for it\)" "$NSNET" capture $X
