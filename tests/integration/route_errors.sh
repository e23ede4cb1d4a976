#!/bin/bash
# Bad input to `nsnet route` is refused with one clear line on stderr, exit 2 for
# input that can never work and 1 for what the system refuses, and nothing changes:
# the routing tables of every namespace are compared before and after.
source "$(dirname "$0")/../lib.sh"

A=rte-a B=rte-b
cleanup() { for n in $A $B; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT

for n in $A $B; do ip netns add $n; ip -n $n link set lo up; done
ip -n $A link add eth0 type veth peer name eth0 netns $B
ip -n $A addr add 10.0.0.1/24 dev eth0
ip -n $B addr add 10.0.0.2/24 dev eth0
ip -n $A addr add fd00::1/64 dev eth0 nodad
ip -n $A link set eth0 up; ip -n $B link set eth0 up
nsnet route add $A 192.0.2.0/24 via 10.0.0.2   # one route of ours already there

# The kernel adds IPv6 link-local and multicast routes a moment after a link comes
# up; wait for them so the snapshots only differ by what nsnet does.
for n in $A $B; do
	for _ in $(seq 50); do
		[ -n "$(ip -n $n -6 route show table all fe80::/64)" ] &&
			[ -n "$(ip -n $n -6 route show table all ff00::/8)" ] && break
		sleep 0.1
	done
done
# The local route of an IPv6 link-local address appears when its DAD ends, on the
# kernel's schedule: not something a refused command could have done.
tables() { for n in $A $B; do ip -n $n -j route show table all | jq -c 'map(select((.dst | startswith("fe80::")) and .type == "local" | not))'; done; }
before=$(tables)

# Usage errors (2): malformed or inconsistent input.
expect_err 2 "invalid CIDR '10.0.0.1/33': prefix length must be 0..32" "$NSNET" route add $A 10.0.0.1/33 via 10.0.0.2
expect_err 2 "invalid CIDR '10.0.0.256/24'" "$NSNET" route add $A 10.0.0.256/24 via 10.0.0.2
expect_err 2 "invalid CIDR '1.2.3'" "$NSNET" route add $A 1.2.3 via 10.0.0.2
expect_err 2 "invalid CIDR '10.9.0.0/24junk'" "$NSNET" route add $A 10.9.0.0/24junk via 10.0.0.2
expect_err 2 "invalid CIDR '/'" "$NSNET" route add $A / via 10.0.0.2
expect_err 2 "gateway: invalid address '10.0.0.2/24'" "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2/24
expect_err 2 "gateway: invalid address 'gw'" "$NSNET" route add $A 10.9.0.0/24 via gw
expect_err 2 "gateway fd00::2 is IPv6 but the destination is IPv4" "$NSNET" route add $A 10.9.0.0/24 via fd00::2
expect_err 2 "gateway 10.0.0.2 is IPv4 but the destination is IPv6" "$NSNET" route add $A fd00:9::/64 via 10.0.0.2
expect_err 2 "host bits set in the destination \(the network is 10.9.0.0/16\)" "$NSNET" route add $A 10.9.1.0/16 via 10.0.0.2
expect_err 2 "needs a gateway \(via\) or a device \(dev\)" "$NSNET" route add $A 10.9.0.0/24
expect_err 2 "invalid interface name 'this-name-is-too-long'" "$NSNET" route add $A 10.9.0.0/24 dev this-name-is-too-long
expect_err 2 "invalid namespace name 'a/b'" "$NSNET" route add a/b 10.9.0.0/24 via 10.0.0.2
expect_err 2 "'via' given twice" "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2 via 10.0.0.3
expect_err 2 "'dev' needs a value" "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2 dev
expect_err 2 "unexpected 'gateway'" "$NSNET" route add $A 10.9.0.0/24 gateway 10.0.0.2
expect_err 2 "unknown option '--metric'" "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2 --metric 5
expect_err 2 "NS and DEST are needed" "$NSNET" route add $A
expect_err 2 "unknown command 'flush'" "$NSNET" route flush $A

# Failures (1): well-formed, but the system says no.
expect_err 1 "no device 'nope' in that namespace" "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2 dev nope
expect_err 1 "namespace 'rte-nowhere' not found" "$NSNET" route add rte-nowhere 10.9.0.0/24 via 10.0.0.2
expect_err 1 "namespace 'rte-nowhere' not found" "$NSNET" route del rte-nowhere 10.9.0.0/24
expect_err 1 "Network is unreachable" "$NSNET" route add $A 10.9.0.0/24 via 203.0.113.1
expect_err 1 "a route to that destination already exists" "$NSNET" route add $A 192.0.2.0/24 via 10.0.0.2
expect_err 1 "no such route" "$NSNET" route del $A 10.9.0.0/24
expect_err 1 "no such route" "$NSNET" route del $B 192.0.2.0/24

# Every error is one line, prefixed with "nsnet:".
expect_rc 1 "$NSNET" route add $A 10.9.0.0/24 via 10.0.0.2 dev nope
assert_eq "$(echo "$ERR" | wc -l)" 1 "lines of error output"
assert_match "$ERR" "^nsnet: "

after=$(tables)
assert_eq "$after" "$before" "routing tables after the refused commands"
nsnet route del $A 192.0.2.0/24
note "ok"
