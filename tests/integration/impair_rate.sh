#!/bin/bash
# Link impairments, rate: a link whose ends send at most 8 and 4 Mbit/s (a TBF root
# qdisc on each end, each direction on its own). Witnesses: tc sees the tbf with its
# rate; iperf3, a real TCP transfer in each direction, measures within 10% of the
# limit (on the wire: TBF counts frames, iperf3 payload). The limit is a ceiling, not a target, so a busy machine cannot push a
# measurement above it; 10% below allows for TCP's start and ACK timing over 4 s.
source "$(dirname "$0")/../lib.sh"
command -v iperf3 >/dev/null || skip "iperf3 is not installed (scripts/deps)"

dir=$(mktemp -d)
cleanup() {
	kill ${SRV_A:-} ${SRV_B:-} 2>/dev/null || true
	wait 2>/dev/null || true
	"$NSNET" down "$dir/imp.yaml" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/imp.yaml" <<'Y'
name: imp
nodes:
  ia: {}
  ib: {}
links:
  - endpoints: [ia:p0, ib:p0]
    ips: [10.77.0.1/24, 10.77.0.2/24]
    impair:
      - {rate: 8mbit}
      - {rate: 4mbit}
Y
nsnet up "$dir/imp.yaml" >/dev/null

# The witness: tc sees each end's tbf.
assert_match "$(ip netns exec ia tc qdisc show dev p0)" "qdisc tbf 4e53: root .*rate 8Mbit" "tbf on ia:p0"
assert_match "$(ip netns exec ib tc qdisc show dev p0)" "qdisc tbf 4e53: root .*rate 4Mbit" "tbf on ib:p0"

# measure CLIENT SERVER_IP: bits/s the receiver saw of a 4 s TCP transfer sent by CLIENT.
ip netns exec ia iperf3 -s -1 -p 5201 >/dev/null 2>&1 & SRV_A=$!
ip netns exec ib iperf3 -s -1 -p 5202 >/dev/null 2>&1 & SRV_B=$!
wait_port() { for _ in $(seq 50); do ip netns exec "$1" ss -ltn | grep -q ":$2 " && return 0; sleep 0.1; done; fail "iperf3 server on $1:$2 did not start"; }
wait_port ia 5201
wait_port ib 5202
measure() { ip netns exec "$1" iperf3 -c "$2" -p "$3" -t 4 -O 1 -J | jq '.end.sum_received.bits_per_second'; }
a_to_b=$(measure ia 10.77.0.2 5202)
b_to_a=$(measure ib 10.77.0.1 5201)
note "ia -> ib: $a_to_b bit/s (limit 8 Mbit/s); ib -> ia: $b_to_a bit/s (limit 4 Mbit/s)"
# TBF counts whole frames, iperf3 reports TCP payload: a full segment is 1448 bytes
# of payload in a 1514-byte frame (Ethernet, IP and TCP headers with timestamps), so
# the rate on the wire is the payload's times 1514/1448; that is what must be within
# 10% of the limit.
within() { awk -v v="$1" -v lim="$2" 'BEGIN { w = v * 1514 / 1448; exit !(w >= lim * 0.9 && w <= lim * 1.1) }'; }
within "$a_to_b" 8000000 || fail "ia -> ib measured $a_to_b bit/s, not within 10% of 8 Mbit/s"
within "$b_to_a" 4000000 || fail "ib -> ia measured $b_to_a bit/s, not within 10% of 4 Mbit/s"

# down takes it all (the runner checks for leftovers).
nsnet down "$dir/imp.yaml" >/dev/null
note "ok"
