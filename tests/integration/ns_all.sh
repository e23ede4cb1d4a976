#!/bin/bash
# Every network namespace on the machine, whoever made it: `ns list --all` lists a
# namespace held only by a background process (with its pid and command), one made
# with `unshare --net=FILE` and bind-mounted under another directory, named ones with
# what nsnet knows of them (network member, lab node), each once; and show, exec,
# ns pids and doctor reach a namespace by pid:N and by its file. Bad references are
# refused clearly. Witnesses: unshare, ip, /proc.
source "$(dirname "$0")/../lib.sh"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	umount /tmp/nsall/held 2>/dev/null || true
	"$NSNET" net rm lan --force 2>/dev/null || true
	"$NSNET" ns del red 2>/dev/null || true
}
trap cleanup EXIT

# A namespace only a process holds, one only a bind mount elsewhere holds, a named one.
unshare --net sleep 300 &
P=$!
PIDS+=("$P")
mkdir -p /tmp/nsall
touch /tmp/nsall/held
unshare --net=/tmp/nsall/held true
nsnet ns add red
nsnet net create lan --subnet 10.61.0.0/24
nsnet net attach lan red >/dev/null
# Wait until the background process really is in its own namespace (unshare then exec).
for _ in $(seq 100); do
	[ "$(readlink /proc/$P/ns/net)" != "$(readlink /proc/self/ns/net)" ] && [ "$(cat /proc/$P/comm)" = sleep ] && break
	sleep 0.05
done
ino_p=$(stat -L -c %i /proc/$P/ns/net)
ino_held=$(stat -L -c %i /tmp/nsall/held)
ino_red=$(stat -L -c %i /run/netns/red)
ino_host=$(stat -L -c %i /proc/self/ns/net)

all=$(nsnet ns list --all --json)
one() { jq -c --argjson i "$1" '[.[] | select(.inode == $i)]' <<<"$all"; }
assert_eq "$(jq '[.[].inode] | length == (unique | length)' <<<"$all")" true "each namespace once"
p=$(one "$ino_p")
assert_eq "$(jq length <<<"$p")" 1 "the process-held namespace is listed"
assert_eq "$(jq -c '.[0].pids | map(.pid)' <<<"$p")" "[$P]" "its pid"
assert_eq "$(jq -r '.[0].pids[0].command' <<<"$p")" "sleep 300" "its command"
assert_eq "$(jq -c '.[0] | [.names, .mounts, .host, .nsnet]' <<<"$p")" '[[],[],false,null]' "nothing else holds it"
h=$(one "$ino_held")
assert_eq "$(jq -c '.[0].mounts' <<<"$h")" '["/tmp/nsall/held"]' "the bind-mounted namespace, by its mount"
assert_eq "$(jq -c '.[0].pids' <<<"$h")" '[]' "no process in it"
r=$(one "$ino_red")
assert_eq "$(jq -c '.[0].names' <<<"$r")" '["red"]' "the named one"
assert_eq "$(jq -c '.[0].nsnet.networks | map([.network, .ifname, .ips[0]])' <<<"$r")" '[["lan","eth0","10.61.0.2/24"]]' "what nsnet knows of red"
assert_eq "$(jq -c '.[0].host' <<<"$(one "$ino_host")")" true "ours is marked host"
# The same as lsns sees it (util-linux, an independent witness), where it is installed.
if command -v lsns >/dev/null; then
	lsns_pids=$(lsns -t net -n -o NS,PID | awk -v i="$ino_p" '$1 == i { print $2 }')
	assert_eq "$lsns_pids" "$P" "lsns agrees on the process-held namespace"
fi
text=$(nsnet ns list --all)
assert_match "$text" "^$ino_p +1 +$P +- +- +sleep 300$" "text row of the process-held namespace"
assert_match "$text" "^$ino_red +0 +- +red +net lan eth0 10.61.0.2/24" "text row of red"
assert_match "$text" "^$ino_held .* /tmp/nsall/held " "text row of the bind mount"

# ---- reach a namespace by pid:N and by its file ----------------------------------------
ip link add va type veth peer name vb netns "$P"
ip link set va netns red
ip -n red addr add 192.0.2.1/24 dev va
ip -n red link set va up
nsenter -t "$P" -n ip addr add 192.0.2.2/24 dev vb
nsenter -t "$P" -n ip link set vb up
nsenter -t "$P" -n ip link set lo up
show=$(nsnet show "pid:$P" --json)
assert_eq "$(jq -r '.[0].interfaces | map(.name) | sort | join(",")' <<<"$show")" "lo,vb" "show pid:N lists its interfaces"
assert_match "$(nsnet show "pid:$P")" "192.0.2.2/24" "show pid:N in text"
assert_eq "$(nsnet show /proc/$P/ns/net --json | jq -r '.[0].interfaces | map(.name) | sort | join(",")')" "lo,vb" "show by the namespace file"
assert_eq "$(nsnet show /tmp/nsall/held --json | jq -r '.[0].interfaces | map(.name) | join(",")')" "lo" "show by a bind mount"
out=$(nsnet exec "pid:$P" ip -o -4 addr show dev vb)
assert_match "$out" "192.0.2.2/24" "exec pid:N runs in its namespace"
out=$(nsnet exec "pid:$P" cat /sys/class/net/vb/address)
assert_eq "$out" "$(nsenter -t "$P" -n ip -j link show vb | jq -r ".[0].address")" "exec pid:N sees its /sys"
out=$(nsnet exec /proc/$P/ns/net -- ping -c1 -W2 192.0.2.1)
assert_match "$out" "1 received" "exec by the namespace file: ping red"
assert_eq "$(nsnet ns pids "pid:$P")" "$P" "ns pids pid:N"
d=$(nsnet doctor "pid:$P" 192.0.2.1 --json) || fail "doctor pid:N: $d"
assert_eq "$(jq -r .reachable <<<"$d")" true "doctor pid:N reaches red"

# wait_line FILE PATTERN: until a line of FILE matches, at most ~30 s.
wait_line() {
	for _ in $(seq 600); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no line matching '$2' in $1: $(cat "$1" 2>/dev/null)"
}
T=$(mktemp -d)
# capture pid:N:IF: a pcap of a ping that tcpdump reads back.
"$NSNET" capture "pid:$P:vb" -w "$T/p.pcap" --count 2 icmp 2>"$T/cap.err" &
CAP=$!
PIDS+=("$CAP")
wait_line "$T/cap.err" "^capturing on pid:$P: vb"
nsnet exec red -- ping -c1 -W2 192.0.2.2 >/dev/null
wait "$CAP" || fail "capture pid:N: $(cat "$T/cap.err")"
read_back=$(tcpdump -nr "$T/p.pcap" 2>/dev/null)
assert_match "$read_back" "192.0.2.1 > 192.0.2.2: ICMP echo request" "capture pid:N saw the request"
assert_match "$read_back" "192.0.2.2 > 192.0.2.1: ICMP echo reply" "capture pid:N saw the reply"
# monitor pid:N and a namespace file: an address added in each is reported.
"$NSNET" monitor "pid:$P" /tmp/nsall/held --json >"$T/mon" 2>"$T/mon.err" &
MON=$!
PIDS+=("$MON")
wait_line "$T/mon.err" "^nsnet: monitoring 2 namespaces$"
nsenter -t "$P" -n ip addr add 198.51.100.7/32 dev lo
nsenter --net=/tmp/nsall/held ip addr add 198.51.100.8/32 dev lo
wait_line "$T/mon" '"ns":"pid:'"$P"'","object":"addr"'
wait_line "$T/mon" '"ns":"/tmp/nsall/held","object":"addr"'
kill -INT "$MON"
wait "$MON" || fail "monitor pid:N: $(cat "$T/mon.err")"
# Only the two addresses this test added: the namespaces' own IPv6 addresses may
# finish duplicate address detection meanwhile (an addr "change" of their own).
assert_eq "$(jq -r 'select(.object == "addr" and ((.address // "") | startswith("198.51.100."))) | "\(.ns) \(.action)"' "$T/mon" | sort | tr '\n' ' ')" \
	"/tmp/nsall/held add pid:$P add " "monitor pid:N and a namespace file"
assert_match "$(cat "$T/mon")" "198.51.100.7" "the address of pid:N"

# ---- bad references: clear errors, exit 2 for a malformed one -------------------------
expect_err 2 "pid:N needs a process id" "$NSNET" show pid:abc
expect_err 2 "pid:N needs a process id" "$NSNET" show pid:0
expect_err 1 "namespace 'pid:999999' not found" "$NSNET" show pid:999999
expect_err 2 "is not a network namespace" "$NSNET" show /proc/$P/ns/pid
expect_err 2 "is not a namespace file" "$NSNET" show /etc/hostname
expect_err 2 "not a network namespace" "$NSNET" exec /proc/$P/ns/mnt -- true
expect_err 1 "not found" "$NSNET" exec /nonexistent/ns -- true
