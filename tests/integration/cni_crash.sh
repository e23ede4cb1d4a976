#!/bin/bash
# Concurrency and crashes of the CNI plugin (tests/cni.sh): 32 ADDs at once on one
# network get 32 distinct addresses, with no "file exists" race on the bridge (the
# network is created by whichever comes first); kill -9 at each state write, at the
# namespace binding and at points of the kernel conversation of an ADD with a
# published port leaves nothing that the next DEL, GC or ADD does not clean: no
# member, veth, binding, published port or journal entry. Witnesses: ip, nft,
# /proc/mounts, jq; strace injects the kills.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cni.sh"
command -v strace >/dev/null || skip "strace is not installed (scripts/deps installs it)"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	cni_cleanup
	for i in $(seq 1 32); do ip netns del p$i 2>/dev/null || true; done
}
trap cleanup EXIT
C=$(cni_conf 1.1.0)

# ---- 32 parallel ADDs, the first of which makes the network ------------------------
out=$(mktemp -d)
for i in $(seq 1 32); do ip netns add p$i; done
for i in $(seq 1 32); do
	(cni_call ADD p$i /run/netns/p$i eth0 "$C"; echo "$CNI_RC $CNI_OUT" >"$out/$i") &
done
wait
for i in $(seq 1 32); do
	read -r rc res <"$out/$i"
	[ "$rc" = 0 ] || fail "parallel ADD p$i failed: $res"
	jq -r '.ips[0].address' <<<"$res" >>"$out/addrs"
done
assert_eq "$(sort -u "$out/addrs" | wc -l)" 32 "distinct addresses of 32 parallel ADDs"
assert_eq "$(ip -o link show master cni-t0 | wc -l)" 32 "bridge ports"
assert_ping p1 "$(sed -n 32p "$out/addrs" | cut -d/ -f1)"
for i in $(seq 1 32); do
	(cni_call DEL p$i /run/netns/p$i eth0 "$C"; echo "$CNI_RC $CNI_OUT" >"$out/$i") &
done
wait
for i in $(seq 1 32); do
	read -r rc res <"$out/$i"
	[ "$rc" = 0 ] || fail "parallel DEL p$i failed: $res"
done
assert_eq "$(ip -o link show master cni-t0 | wc -l)" 0 "bridge ports after 32 DELs"
for i in $(seq 1 32); do ip netns del p$i; done
rm -rf "$out"

# ---- kill -9 inside an ADD -----------------------------------------------------------
unshare --net sleep 600 & P=$!; PIDS+=($P)
sleep 0.2
ip netns add p1
K=$(cni_conf 1.1.0 '.runtimeConfig.portMappings = [{hostPort: 18080, containerPort: 80}]')
nothing_left() {
	local what=$1
	local members
	members=$("$NSNET" net show cnitest --json | jq -r '[.members[].cni.container] | join(" ")')
	assert_eq "$members" "" "members after $what"
	assert_eq "$(ip -o link show master cni-t0 | wc -l)" 0 "bridge ports after $what"
	assert_eq "$("$NSNET" publish ls --json)" "[]" "published ports after $what"
	! ls /run/netns | grep -q '^cni-' || fail "a binding is left after $what: $(ls /run/netns)"
	! grep -q ' /run/netns/cni-' /proc/mounts || fail "a bind mount is left after $what"
	[ -z "$(ls /run/nsnet/journal 2>/dev/null)" ] || fail "journal entries left after $what: $(ls /run/nsnet/journal)"
	! nft list table inet nsnet 2>/dev/null | grep -q 18080 || fail "the DNAT of 18080 is left after $what"
}
# How many sendto calls a whole ADD makes in its busiest thread (strace counts an
# injection's occurrences per thread), so that the kill points below are spread over
# the conversation as it is, not as it was when the test was written.
sends=$(mktemp)
# (No leak check here: LeakSanitizer cannot ptrace a process strace traces, and
# says so by failing the exit of an ADD that went well.)
printf '%s' "$K" | env -i PATH="$PATH" ASAN_OPTIONS=detect_leaks=0 CNI_COMMAND=ADD CNI_CONTAINERID=counted CNI_NETNS=/proc/$P/ns/net \
	CNI_IFNAME=eth0 CNI_PATH="$CNI_PATH_LIST" strace -f -o "$sends" -e trace=sendto "$CNI_DIR/nsnet" >/dev/null 2>&1 ||
	fail "the counted ADD failed"
# The thread (or process) that sends the most: the counts are per tracee.
n_send=$(awk '/sendto\(/ { n[$1]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' "$sends")
rm -f "$sends"
cni_ok DEL counted "" eth0 "$K"
[ "$n_send" -ge 8 ] || fail "a whole ADD made only $n_send sendto calls in its busiest thread"
round=0
# syscall:occurrence points: every state write (rename), the binding (the 2nd
# mount), and points of the netlink and nftables conversation (sendto): the third,
# the quarters and seven eighths (not the very last: a later ADD may send a little less).
for point in rename:1 rename:2 rename:3 rename:4 rename:5 rename:6 rename:7 rename:8 mount:2 \
	sendto:3 sendto:$((n_send / 4)) sendto:$((n_send / 2)) sendto:$((3 * n_send / 4)) sendto:$((7 * n_send / 8)); do
	round=$((round + 1))
	sc=${point%:*} n=${point#*:}
	rc=0
	printf '%s' "$K" | env -i PATH="$PATH" CNI_COMMAND=ADD CNI_CONTAINERID=killed$round CNI_NETNS=/proc/$P/ns/net \
		CNI_IFNAME=eth0 CNI_PATH="$CNI_PATH_LIST" strace -f -o /dev/null -e trace="$sc" \
		-e inject="$sc":signal=KILL:when="$n" "$CNI_DIR/nsnet" >/dev/null 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "ADD was not killed at $point"
	# The next command cleans: DEL, GC and ADD in turn.
	case $((round % 3)) in
	0) cni_ok DEL killed$round "" eth0 "$K" ;;
	1) cni_ok GC "" "" "" "$(cni_conf 1.1.0 '."cni.dev/valid-attachments" = []')" ;;
	2) cni_ok ADD other /run/netns/p1 eth0 "$C"
	   # A killed ADD is undone, unless it had finished (killed while printing its
	   # result): then it is whole, and the runtime's DEL after the failure removes it.
	   members=$("$NSNET" net show cnitest --json | jq -r '[.members[].cni.container] | sort | join(" ")')
	   if [ "$members" = "killed$round other" ]; then
		cni_ok CHECK killed$round /proc/$P/ns/net eth0 "$K"
		cni_ok DEL killed$round "" eth0 "$K"
	   else
		assert_eq "$members" other "members after an ADD following a kill at $point"
	   fi
	   cni_ok DEL other /run/netns/p1 eth0 "$C" ;;
	esac
	nothing_left "a kill at $point"
done
# After all that, the same container is added cleanly and answers.
cni_ok ADD again /proc/$P/ns/net eth0 "$K"
assert_match "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" '^10\.88\.7\.' "ADD after the kills"
cni_ok DEL again "" eth0 "$K"
nothing_left "the last DEL"
