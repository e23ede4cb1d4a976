#!/bin/bash
# nsnet doctor and firewalls, and the listening socket behind --port: on network n1
# (10.1.0.0/24, NAT: red .2, blue .3) with an outside world (`wan`, 203.0.113.0/24).
# Each case in a fresh setup, broken the way a user (or Docker) would: iptables
# FORWARD policy DROP (bridged traffic through br_netfilter, and routed traffic), a
# DROP rule in DST's INPUT (iptables, and nft), nothing listening on --port, a server
# bound to 127.0.0.1 only, UDP with nothing listening, rules doctor cannot read
# (iptables-legacy in DST; the host's legacy FORWARD policy is read). The printed fix,
# run as printed, must work.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="red blue wan"
PIDS=""
setup() {
	for n in $NSS; do ip netns add $n; done
	nsnet net create n1 --subnet 10.1.0.0/24 --nat >/dev/null
	nsnet net attach n1 red blue
	nsnet connect host wan --ip 203.0.113.1/24,203.0.113.2/24
}
teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	PIDS=""
	"$NSNET" net rm --force n1 >/dev/null 2>&1 || true
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
	ip link del to-wan 2>/dev/null || true
	iptables -P FORWARD ACCEPT 2>/dev/null || true
	iptables -F FORWARD 2>/dev/null || true
	nft delete table ip filter 2>/dev/null || true
}
trap teardown EXIT
for n in $NSS; do [ -e /run/netns/$n ] && skip "a namespace named $n exists already"; done
# serve NS ARGS...: a socat server in NS, stopped by teardown.
serve() {
	local ns=$1; shift
	ip netns exec "$ns" socat "$@" &
	LAST_PID=$!
	PIDS="$PIDS $!"
	sleep 0.3
}
tcp_echo() { echo hello | ip netns exec "$1" socat -T2 - "TCP:$2,connect-timeout=2" 2>/dev/null; }

# ---- Docker's FORWARD policy DROP: bridged traffic between two namespaces of one
# network goes through it too, because br_netfilter hands it to the IP hooks.
setup
iptables -P FORWARD DROP
assert_no_ping red 10.1.0.3
expect_broken "host: the iptables FORWARD policy DROP \(as Docker sets it\) drops traffic bridged on n1, which net.bridge.bridge-nf-call-iptables=1 hands to the IP forward hook" \
	"iptables -I FORWARD -i n1 -o n1 -j ACCEPT" red blue
assert_match "$(docq '.checks[-1].evidence')" "dropped by table ip filter chain FORWARD: policy drop" "failed check"
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
# ... and the routed way out, which needs its replies let back in too.
assert_no_ping red 203.0.113.2
expect_broken "host: the iptables FORWARD policy DROP \(as Docker sets it\) drops icmp echo 10.1.0.2 -> 203.0.113.2" \
	"iptables -I FORWARD -i n1 -o to-wan -j ACCEPT && iptables -I FORWARD -i to-wan -o n1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
	red wan
apply_fix
ping_after_fix red 203.0.113.2
expect_reachable red wan
teardown

# ---- a DROP rule in DST's INPUT (iptables), after a rule that lets ssh in: its
# number in the chain is what `iptables -D` needs.
setup
ip netns exec blue iptables -A INPUT -p tcp --dport 22 -j ACCEPT
ip netns exec blue iptables -A INPUT -s 10.1.0.2 -j DROP
assert_no_ping red 10.1.0.3
expect_broken "blue: an iptables rule drops icmp echo 10.1.0.2 -> 10.1.0.3" "ip netns exec blue iptables -D INPUT 2" red blue
assert_match "$(docq '.checks[-1].evidence')" "blue: firewall input: .* dropped by table ip filter chain INPUT: rule 2 'ip saddr 10.1.0.2 counter drop'" \
	"the rule quoted"
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
assert_eq "$(ip netns exec blue iptables -S INPUT | grep -c -- '-j')" 1 "blue's INPUT rules after the fix"
teardown

# ---- the same with nft: the fix deletes the rule by its handle.
setup
ip netns exec blue nft add table inet filter
ip netns exec blue nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'
ip netns exec blue nft add rule inet filter input icmp type echo-request drop
handle=$(ip netns exec blue nft -a list chain inet filter input | sed -n 's/.*echo-request drop # handle \([0-9]*\)$/\1/p')
assert_no_ping red 10.1.0.3
expect_broken "blue: an nftables rule drops icmp echo" "ip netns exec blue nft delete rule inet filter input handle $handle" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
# The rule only drops ICMP echo: TCP to a listening port gets through.
serve blue TCP-LISTEN:8080,fork,reuseaddr EXEC:cat
ip netns exec blue nft add rule inet filter input icmp type echo-request drop
expect_reachable red blue --port 8080
assert_eq "$(docq .proto)" tcp "--port alone means tcp"
teardown

# ---- nothing listens on --port: the connection is refused.
setup
expect_broken "nothing listens on tcp port 8080 in blue" \
	"start the service in blue on tcp port 8080 (to test the path: nsnet exec blue -- socat TCP-LISTEN:8080,fork,reuseaddr EXEC:cat)" \
	red blue --port 8080
assert_match "$(docq .probe.detail)" "connection refused" "probe detail"
assert_eq "$(tcp_echo red 10.1.0.3:8080)" "" "a TCP client gets nothing"
# A server bound to loopback only is not enough.
serve blue TCP-LISTEN:8080,bind=127.0.0.1,fork,reuseaddr EXEC:cat
expect_broken "the service on tcp port 8080 in blue listens on 127.0.0.1:8080 only" \
	"make the service in blue listen on 10.1.0.3:8080 or on every address (0.0.0.0:8080)" red blue --port 8080
# The fix: the server the fix line suggests, on every address.
kill "$LAST_PID"
wait "$LAST_PID" 2>/dev/null || true
"$NSNET" exec blue -- socat TCP-LISTEN:8080,fork,reuseaddr EXEC:cat &
PIDS="$PIDS $!"
sleep 0.3
assert_eq "$(tcp_echo red 10.1.0.3:8080)" hello "TCP echo through the path"
expect_reachable red blue --port 8080
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "blue: listening on tcp port 8080: [^|]*0.0.0.0:8080" "listener evidence"
teardown

# ---- UDP: nothing listening answers with an ICMP port unreachable.
setup
expect_broken "nothing listens on udp port 5353 in blue" \
	"start the service in blue on udp port 5353 (to test the path: nsnet exec blue -- socat UDP-LISTEN:5353,fork,reuseaddr EXEC:cat)" \
	red blue --port 5353 --proto udp
assert_match "$(docq .probe.detail)" "ICMP port unreachable from 10.1.0.3" "probe detail"
serve blue UDP-RECVFROM:5353,fork EXEC:cat
expect_reachable red blue --port 5353 --proto udp
assert_eq "$(docq .proto)" udp "protocol"
teardown

# ---- rules doctor cannot read: iptables-legacy's, in DST. Doctor says so.
setup
if ! ip netns exec blue iptables-legacy -A INPUT -s 10.1.0.2 -j DROP 2>/dev/null; then
	teardown
	skip "iptables-legacy does not work in this kernel"
fi
assert_no_ping red 10.1.0.3
doc red blue
assert_eq "$DOC_RC" 1 "exit status"
assert_match "$(docq .cause)" "the probe failed but every step doctor can check looks right; iptables-legacy rules doctor cannot read are loaded in blue" "cause"
assert_match "$(docq '[.checks[] | select(.mark == "warn")][0].evidence')" "blue: iptables-legacy tables are loaded \(filter\)" "warning"
teardown

# ---- Docker's policy again, set with iptables-legacy: the host's legacy FORWARD
# chain is read too (x_tables, which nftables does not show). Last: x_tables' built-in
# tables stay once made, so later cases would see them.
setup
if ! iptables-legacy -P FORWARD DROP 2>/dev/null; then
	teardown
	skip "iptables-legacy does not work in this kernel"
fi
assert_no_ping red 10.1.0.3
expect_broken "host: the iptables-legacy FORWARD policy DROP \(as Docker sets it\) drops traffic bridged on n1" \
	"iptables-legacy -I FORWARD -i n1 -o n1 -j ACCEPT" red blue
apply_fix
ping_after_fix red 10.1.0.3
expect_reachable red blue
iptables-legacy -F FORWARD
iptables-legacy -P FORWARD ACCEPT
teardown
note "ok"
