#!/bin/bash
# `nsnet capture` refusing and ending: nothing is written before everything is
# checked (a bad filter neither creates nor truncates the -w file), a down interface
# is refused by name and skipped (and said so) among all, interfaces of different
# link types are refused for one pcap but decoded side by side in summary mode, and
# an interface deleted while captured on, or the namespace, ends the capture with a
# clear error and the file whole (tcpdump reads it). The other refusals are in tests/bad_input.tsv.
source "$(dirname "$0")/../lib.sh"

A=cae-a B=cae-b C=cae-c
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in $A $B $C; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
command -v tcpdump >/dev/null || skip "tcpdump (the witness) is not installed"

nsnet ns add $A $B $C
nsnet connect $A $B --ip 10.3.0.1/24,10.3.0.2/24
nsnet connect $A $C --ip 10.4.0.1/24,10.4.0.2/24

wait_ready() {
	local i
	for i in $(seq 2400); do
		grep -q '^capturing on ' "$1" && return 0
		kill -0 "$2" 2>/dev/null || fail "capture ended before it was ready: $(cat "$1")"
		sleep 0.05
	done
	fail "capture not ready: $(cat "$1")"
}

# ---- nothing is written before the filter compiles --------------------------------------
expect_err 2 "^nsnet: capture: bad filter 'icmp and and': " "$NSNET" capture $A -w $T/new.pcap icmp and and
[ ! -e $T/new.pcap ] || fail "a refused capture created its -w file"
echo "keep me" >$T/old.pcap
expect_err 2 "bad filter 'tcp port http-nope'" "$NSNET" capture $A:to-$B -w $T/old.pcap tcp port http-nope
assert_eq "$(cat $T/old.pcap)" "keep me" "a refused capture touched an existing -w file"
expect_err 1 "^nsnet: capture: cannot write '$T': Is a directory$" "$NSNET" capture $A -w $T
expect_err 1 "interface 'to-x' not found in namespace '$A'" "$NSNET" capture $A:to-x -w $T/new.pcap
[ ! -e $T/new.pcap ] || fail "a refused capture created its -w file"

# ---- a down interface: refused by name, skipped among all --------------------------------
ip -n $A link set to-$C down
expect_err 1 "^nsnet: capture: interface 'to-$C' in namespace '$A' is down$" "$NSNET" capture $A:to-$C
timeout 120 "$NSNET" capture $A --count 1 icmp >$T/o1 2>$T/e1 &
PIDS+=($!)
wait_ready $T/e1 $!
assert_match "$(head -n1 $T/e1)" "^capturing on $A: to-$B, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes; skipped to-$C \(down\)$"
nsnet exec $A -- ping -c1 -W 2 10.3.0.2 >/dev/null
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e1)"
assert_match "$(cat $T/o1)" " to-$B IP 10.3.0.1 > 10.3.0.2: ICMP echo request"
ip -n $A link set to-$C up

# ---- link types: one per pcap file; a summary decodes each -------------------------------
# A tun device whose other end socat holds (so it has a carrier): raw IP, no Ethernet.
ip netns exec $A socat -u TUN:10.9.0.1/24,tun-name=tun0,tun-type=tun,iff-up /dev/null 2>$T/socat &
PIDS+=($!)
for i in $(seq 2400); do
	ip -n $A link show tun0 2>/dev/null | grep -q LOWER_UP && break
	kill -0 "${PIDS[-1]}" 2>/dev/null || skip "socat cannot make a tun device here: $(cat $T/socat)"
	sleep 0.05
done
expect_err 1 "'to-$B' \(EN10MB\) and 'tun0' \(RAW\) in '$A' differ in link type and a pcap file holds one" \
	"$NSNET" capture $A -w $T/mixed.pcap
[ ! -e $T/mixed.pcap ] || fail "a refused capture created its -w file"
timeout 120 "$NSNET" capture $A --count 2 icmp >$T/o2 2>$T/e2 &
PIDS+=($!)
wait_ready $T/e2 $!
assert_match "$(head -n1 $T/e2)" "^capturing on $A: to-$B \(EN10MB\), to-$C \(EN10MB\), tun0 \(RAW\)"
# Nobody answers on the tun's far side: the request is all there is of that ping.
nsnet exec $A -- ping -c1 -W 1 10.9.0.2 >/dev/null || true
nsnet exec $A -- ping -c1 -W 2 10.3.0.2 >/dev/null
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e2)"
note "$(cat $T/o2)"
assert_match "$(cat $T/o2)" " tun0 IP 10.9.0.1 > 10.9.0.2: ICMP echo request"
assert_match "$(cat $T/o2)" " to-$B IP 10.3.0.1 > 10.3.0.2: ICMP echo request"
# And one tun interface alone is a pcap of its own link type.
timeout 120 "$NSNET" capture $A:tun0 -w $T/raw.pcap --count 1 2>$T/e4 &
PIDS+=($!)
wait_ready $T/e4 $!
nsnet exec $A -- ping -c1 -W 1 10.9.0.2 >/dev/null || true
wait "${PIDS[-1]}" || fail "capture exited $?: $(cat $T/e4)"
assert_match "$(tcpdump -nr $T/raw.pcap 2>&1)" "link-type RAW"
assert_match "$(tcpdump -nr $T/raw.pcap 2>/dev/null)" "IP 10.9.0.1 > 10.9.0.2: ICMP echo request"

# ---- the interface goes away: the capture ends, its file whole ---------------------------
"$NSNET" capture $A:to-$C -w - icmp >$T/gone.pcap 2>$T/e3 &
PIDS+=($!)
P=$!
wait_ready $T/e3 $P
nsnet exec $A -- ping -c1 -W 2 10.4.0.2 >/dev/null
for i in $(seq 2400); do
	[ "$(tcpdump -nr $T/gone.pcap 2>/dev/null | grep -c ICMP)" = 2 ] && break
	sleep 0.05
done
nsnet disconnect $A $C
rc=0
wait $P || rc=$?
assert_eq "$rc" 1 "exit status when the interface went away"
assert_match "$(tail -n1 $T/e3)" "^nsnet: capture on 'to-$C' in '$A': "
assert_eq "$(tcpdump -nr $T/gone.pcap 2>/dev/null | grep -c 'ICMP echo')" 2 "packets in the file of a capture whose interface went"

# ---- the namespace is deleted: the capture ends and lets it go --------------------------
# Its sockets would keep the namespace (and so to-$B, the far end of its veth in $A)
# alive for as long as it ran.
"$NSNET" capture $B -w - icmp >$T/del.pcap 2>$T/e5 &
PIDS+=($!)
P=$!
wait_ready $T/e5 $P
nsnet exec $A -- ping -c1 -W 2 10.3.0.2 >/dev/null
for i in $(seq 2400); do
	[ "$(tcpdump -nr $T/del.pcap 2>/dev/null | grep -c ICMP)" = 2 ] && break
	sleep 0.05
done
nsnet ns del $B
rc=0
wait $P || rc=$?
assert_eq "$rc" 1 "exit status when the namespace was deleted"
assert_eq "$(tail -n1 $T/e5)" "nsnet: capture in '$B': the namespace was deleted"
assert_eq "$(tcpdump -nr $T/del.pcap 2>/dev/null | grep -c 'ICMP echo')" 2 "packets in the file of a capture whose namespace went"
for i in $(seq 2400); do
	ip -n $A link show to-$B >/dev/null 2>&1 || break
	sleep 0.05
done
! ip -n $A link show to-$B >/dev/null 2>&1 || fail "the deleted namespace's veth lives on after the capture ended"
