#!/bin/bash
# nsnet doctor's command line and promises: usage errors (exit 2) and failures
# (exit 1) with one clear line on stderr and nothing on stdout; the JSON report's
# keys; doctor changes nothing (links, addresses, routes, sysctls, rulesets, nsnet's
# state: all the same after it ran on a healthy and on a broken setup); IPv6; a lab's
# nodes as SRC and DST.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="red blue empty"
LAB_UP=0
cleanup() {
	[ "$LAB_UP" = 0 ] || "$NSNET" down >/dev/null 2>&1 || true
	"$NSNET" net rm --force n1 >/dev/null 2>&1 || true
	for n in $NSS; do ip netns del $n 2>/dev/null || true; done
	nft delete table ip filter 2>/dev/null || true
}
trap cleanup EXIT
for n in $NSS; do [ -e /run/netns/$n ] && skip "a namespace named $n exists already"; done
for n in $NSS; do ip netns add $n; done
nsnet net create n1 --subnet 10.1.0.0/24 --subnet fd00:1::/64 >/dev/null
nsnet net attach n1 red blue

# ---- usage errors: exit 2, one line, nothing on stdout.
usage() {
	local pat=$1; shift
	local out rc=0
	out=$("$NSNET" doctor "$@" 2>/tmp/doctor_cli_err.$$) || rc=$?
	local err
	err=$(cat /tmp/doctor_cli_err.$$)
	rm -f /tmp/doctor_cli_err.$$
	assert_eq "$rc" 2 "exit status of 'doctor $*'"
	assert_eq "$out" "" "stdout of 'doctor $*'"
	assert_eq "$(echo "$err" | wc -l)" 1 "one line on stderr for 'doctor $*'"
	assert_match "$err" "^nsnet: $pat" "stderr of 'doctor $*'"
}
usage "doctor: exactly SRC and DST are needed"
usage "doctor: exactly SRC and DST are needed" red
usage "doctor: exactly SRC and DST are needed" red blue green
usage "doctor: --proto must be icmp, tcp or udp, not 'sctp'" red blue --proto sctp
usage "doctor: --proto tcp needs --port N" red blue --proto tcp
usage "doctor: --port goes with --proto tcp or udp, not icmp" red blue --proto icmp --port 80
usage "doctor: invalid port" red blue --port 0
usage "doctor: invalid port" red blue --port 65536
usage "doctor: invalid port" red blue --port x
usage "doctor: " red blue --port
usage "doctor: unknown option" red blue --verbose
usage "doctor: --size goes with an ICMP probe, not --port" red blue --port 80 --size 1400
usage "doctor: invalid size" red blue --size 20
usage "doctor red nosuch: DST 'nosuch' is neither an address nor a namespace" red nosuch
usage "doctor: 'a/b' is neither a namespace nor an address" red a/b
usage "doctor red 10.1.0.300: DST '10.1.0.300' is neither an address nor a namespace" red 10.1.0.300

# ---- failures: exit 1.
expect_err 1 "^nsnet: doctor nosuch blue: source namespace 'nosuch' not found$" "$NSNET" doctor nosuch blue
expect_err 1 "^nsnet: doctor red empty: namespace 'empty' has no global address to aim at; give DST as an address$" \
	"$NSNET" doctor red empty
out=$("$NSNET" doctor red empty 2>/dev/null) || true
assert_eq "$out" "" "no report when DST has no address"
"$NSNET" doctor --help | grep -q -- "--port N" || fail "doctor --help does not mention --port"

# ---- the report's keys.
expect_reachable red blue
assert_eq "$(docq 'keys | join(",")')" "address,address_note,cause,checks,dst,dst_namespace,fix,path,port,probe,proto,reachable,size,src" \
	"report keys"
assert_eq "$(docq '.probe | keys | join(",")')" "detail,result" "probe keys"
assert_eq "$(docq '[.checks[] | keys | join(",")] | unique | join(" ")')" "evidence,mark" "check keys"
assert_eq "$(docq '[.checks[].mark] | unique | join(",")')" ok "marks of a healthy path"
assert_eq "$(docq .port)" null "port without --port"
assert_eq "$(docq .src),$(docq .dst)" "red,blue" "src and dst as given"

# ---- IPv6: the same walk; an interface that goes down takes its IPv6 addresses along.
expect_reachable red fd00:1::3
assert_eq "$DOC_PATH" "red eth0 fd00:1::2 -> bridge n1 (host) -> blue eth0 fd00:1::3" "IPv6 path"
ip -n blue link set eth0 down
expect_broken "fd00:1::3 is on no interface of network n1 \(bridge n1\); blue's eth0 there is down" \
	"ip -n blue link set eth0 up && ip -n blue addr add fd00:1::3/64 dev eth0" red fd00:1::3
apply_fix
for _ in $(seq 30); do   # the address is tentative (DAD) for a moment
	ip -n blue -j addr show dev eth0 | jq -e '.[0].addr_info[] | select(.local == "fd00:1::3" and (.tentative | not))' >/dev/null && break
	sleep 0.1
done
ping_after_fix red fd00:1::3
expect_reachable red fd00:1::3

# ---- doctor changes nothing, healthy or broken.
# IPv6 link-local addresses finish DAD on their own (tentative, then a local route):
# wait for that before each snapshot, it is not doctor's doing.
settle_dad() {
	for _ in $(seq 50); do
		local busy=0 n
		for n in red blue; do ip -n $n -6 addr | grep -q tentative && busy=1; done
		ip -6 addr | grep -q tentative && busy=1
		[ $busy = 0 ] && return
		sleep 0.1
	done
}
snapshot() {
	settle_dad
	for n in host red blue; do
		local ipn=""
		[ $n = host ] || ipn="-n $n"
		ip $ipn -j link show | jq -c 'map(del(.stats64, .stats))'
		ip $ipn -j addr show | jq -c 'map(del(.addr_info[]?.valid_life_time, .addr_info[]?.preferred_life_time))'
		ip $ipn -j route show table all
		if [ $n = host ]; then
			sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.bridge.bridge-nf-call-iptables
		else
			ip netns exec $n sysctl net.ipv4.ip_forward net.ipv4.ping_group_range
		fi
	done
	nft -s list ruleset
	find /run/nsnet -type f ! -name '*.lock' | sort | xargs md5sum
}
# IPv6 duplicate address detection changes addresses and routes by itself for a
# second or two after a link comes up: let it finish first.
settle() {
	for _ in $(seq 50); do
		local busy=0 n
		for n in red blue; do
			ip -n $n -j addr show | jq -e '[.[].addr_info[] | select(.tentative)] | length > 0' >/dev/null && busy=1
		done
		ip -j addr show | jq -e '[.[].addr_info[] | select(.tentative)] | length > 0' >/dev/null && busy=1
		[ $busy = 0 ] && return 0
		sleep 0.1
	done
}
settle
before=$(snapshot)
"$NSNET" doctor red blue >/dev/null
"$NSNET" doctor host blue --json >/dev/null
"$NSNET" doctor red blue --port 8080 --timeout 300 >/dev/null || true
"$NSNET" doctor red blue --port 53 --proto udp --timeout 300 >/dev/null || true
after=$(snapshot)
[ "$after" = "$before" ] || fail "state after doctor on a healthy setup: $(diff <(echo "$before") <(echo "$after"))"
ip -n red route del default
iptables -P FORWARD DROP
ip -n blue link set eth0 down
before=$(snapshot)
"$NSNET" doctor red blue --timeout 300 >/dev/null && fail "doctor found a broken path reachable"
"$NSNET" doctor red 203.0.113.9 --timeout 300 >/dev/null && fail "doctor found an unroutable address reachable"
"$NSNET" doctor host red --timeout 300 >/dev/null || fail "the host reaches red: its own traffic does not pass FORWARD"
after=$(snapshot)
[ "$after" = "$before" ] || fail "state after doctor on a broken setup: $(diff <(echo "$before") <(echo "$after"))"
iptables -P FORWARD ACCEPT
nft delete table ip filter

# ---- a lab's nodes are namespaces: the embedded default lab (red .1 and blue .2 on
# v-net-0, the host .5).
"$NSNET" net rm --force n1 >/dev/null
for n in $NSS; do ip netns del $n; done
LAB_UP=1
nsnet up >/dev/null
expect_reachable red blue
assert_eq "$DOC_PATH" "red eth0 192.168.15.1 -> bridge v-net-0 (host) -> blue eth0 192.168.15.2" "path between lab nodes"
ip -n blue link set eth0 down
expect_broken "blue's interface holding 192.168.15.2 \(eth0 in blue\) is down" "ip -n blue link set eth0 up" red blue
nsnet down >/dev/null
LAB_UP=0
note "ok"
