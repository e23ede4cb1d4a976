#!/bin/bash
# `nsnet router NS on|off` switches IPv4 and IPv6 forwarding inside NS only.
# Witnesses: /proc/sys read from inside the namespace with `ip netns exec`, the
# caller's namespace untouched, and ping through the router working only when on.
source "$(dirname "$0")/../lib.sh"

L=rtr-left M=rtr-mid R=rtr-right
cleanup() { for n in $L $M $R; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT

for n in $L $M $R; do ip netns add $n; ip -n $n link set lo up; done
ip -n $L link add eth0 type veth peer name to-left netns $M
ip -n $R link add eth0 type veth peer name to-right netns $M
ip -n $L addr add 10.0.1.2/24 dev eth0
ip -n $M addr add 10.0.1.1/24 dev to-left
ip -n $M addr add 10.0.2.1/24 dev to-right
ip -n $R addr add 10.0.2.2/24 dev eth0
ip -n $L addr add fd00:1::2/64 dev eth0 nodad
ip -n $M addr add fd00:1::1/64 dev to-left nodad
ip -n $M addr add fd00:2::1/64 dev to-right nodad
ip -n $R addr add fd00:2::2/64 dev eth0 nodad
for x in "$L eth0" "$M to-left" "$M to-right" "$R eth0"; do set -- $x; ip -n $1 link set $2 up; done
ip -n $L route add default via 10.0.1.1
ip -n $R route add default via 10.0.2.1
ip -n $L -6 route add default via fd00:1::1
ip -n $R -6 route add default via fd00:2::1

fwd() { ip netns exec "$1" cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding | tr '\n' ' '; }
ping6() { ip netns exec "$1" ping -6 -c1 -W"${3:-2}" "$2" >/dev/null 2>&1; }
host_before=$(cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding | tr '\n' ' ')

assert_eq "$(fwd $M)" "0 0 " "forwarding in a new namespace"
assert_eq "$("$NSNET" router $M)" "$M: ipv4 forwarding off, ipv6 forwarding off" "router show (off)"
assert_no_ping $L 10.0.2.2
ping6 $L fd00:2::2 1 && fail "$L reaches fd00:2::2 through a non-router"

nsnet router $M on
assert_eq "$(fwd $M)" "1 1 " "forwarding in $M after 'router on'"
for n in $L $R; do assert_eq "$(fwd $n)" "0 0 " "forwarding in $n (not the router)"; done
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding | tr '\n' ' ')" \
	"$host_before" "forwarding in the caller's namespace"
assert_eq "$("$NSNET" router $M)" "$M: ipv4 forwarding on, ipv6 forwarding on" "router show (on)"
assert_eq "$("$NSNET" router $M --json | jq -c .)" \
	"{\"namespace\":\"$M\",\"ipv4_forwarding\":true,\"ipv6_forwarding\":true}" "router show --json"
assert_ping $L 10.0.2.2
ping6 $L fd00:2::2 || fail "$L cannot ping fd00:2::2 through the router"

# Idempotent.
nsnet router $M on
assert_eq "$(fwd $M)" "1 1 " "forwarding after a second 'router on'"

nsnet router $M off
assert_eq "$(fwd $M)" "0 0 " "forwarding in $M after 'router off'"
assert_no_ping $L 10.0.2.2
ping6 $L fd00:2::2 1 && fail "$L still reaches fd00:2::2 after 'router off'"

# Bad input: nothing changes.
expect_err 2 "expected 'on' or 'off', not 'yes'" "$NSNET" router $M yes
expect_err 2 "router: nsnet router NS on\|off" "$NSNET" router
expect_err 2 "router: nsnet router NS on\|off" "$NSNET" router $M on extra
expect_err 2 "invalid namespace name" "$NSNET" router ../etc on
# router NS on|off --json is an answer now (cli_json); with bad input it still refuses.
expect_err 2 "expected 'on' or 'off', not 'yes'" "$NSNET" router $M yes --json
expect_err 1 "namespace 'rtr-nowhere' not found" "$NSNET" router rtr-nowhere on
expect_err 1 "namespace 'rtr-nowhere' not found" "$NSNET" router rtr-nowhere
assert_eq "$(fwd $M)" "0 0 " "forwarding in $M after refused commands"
note "ok"
