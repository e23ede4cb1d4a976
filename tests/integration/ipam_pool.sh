#!/bin/bash
# The address pool's rules on small subnets, where every address counts: never the
# network, broadcast or gateway address, nor one in use (static ones included); freed
# addresses come back (the cursor wraps around); a full pool refuses with nothing
# changed; on a dual-stack network the smaller pool decides, all or nothing.
# Witnesses: ip -j addr in the namespaces, the state file, `net show` counts.
source "$(dirname "$0")/../lib.sh"

NS=$(seq -f 'ip-%g' 1 9)
cleanup() {
	"$NSNET" ns del $NS >/dev/null 2>&1 || true
	for _ in $(seq 30); do ip -o link | grep -q ' nvip' || break; sleep 0.1; done
	for _n in ipp-29 ipp-28 ipp-ds; do "$NSNET" net rm --force "$_n" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
nsnet ns add $NS
v4() { ip -n "$1" -j addr show dev "${2:-eth0}" | jq -r '.[0].addr_info[] | select(.family == "inet") | .local'; }
v6() { ip -n "$1" -j addr show dev "${2:-eth0}" | jq -r '.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local'; }
# The IPv4 address a namespace has inside a /24 prefix ("10.97.1."), whatever the interface.
v4in() { ip -n "$1" -j addr | jq -r --arg p "$2" '.[].addr_info[] | select(.family == "inet" and (.local | startswith($p))) | .local'; }
counts() { nsnet net show "$1" --json | jq -r '[.subnets[] | "\(.used)/\(.free)"] | join(" ")'; }

# ---- a /29: .0 network, .7 broadcast, .1 gateway: five addresses to hand out.
nsnet net create ipp-29 --subnet 10.97.0.0/29
assert_eq "$(counts ipp-29)" "1/5" "empty /29"
nsnet net attach ipp-29 ip-1 ip-2 ip-3 ip-4 ip-5
assert_eq "$(for n in ip-1 ip-2 ip-3 ip-4 ip-5; do v4 $n; done | paste -sd' ')" \
	"10.97.0.2 10.97.0.3 10.97.0.4 10.97.0.5 10.97.0.6" "the five addresses"
assert_eq "$(counts ipp-29)" "6/0" "full /29"
# Full: refused, nothing changed.
before=$(cat /run/nsnet/networks/ipp-29.json; ip -n ip-6 -j link)
expect_err 1 "no free address left in 10.97.0.0/29" "$NSNET" net attach ipp-29 ip-6
assert_eq "$(cat /run/nsnet/networks/ipp-29.json; ip -n ip-6 -j link)" "$before" "state and ip-6 after the refusal"
# Two freed addresses come back, though the cursor is past them.
nsnet net detach ipp-29 ip-2 ip-4
assert_eq "$(counts ipp-29)" "4/2" "after two detaches"
nsnet net attach ipp-29 ip-6 ip-7
assert_eq "$(v4 ip-6) $(v4 ip-7)" "10.97.0.3 10.97.0.5" "freed addresses handed out again"
assert_ping ip-6 10.97.0.6
expect_err 1 "no free address left" "$NSNET" net attach ipp-29 ip-8

# ---- static addresses and the pool share one set of used addresses.
nsnet net create ipp-28 --subnet 10.97.1.0/28 --gateway 10.97.1.9
nsnet net attach ipp-28 ip-1 --ip 10.97.1.2
nsnet net attach ipp-28 ip-2 --ip 10.97.1.4
nsnet net attach ipp-28 ip-3 ip-4 ip-5
# .1 is free (the gateway is .9), .2 and .4 are static: the pool gives .1, .3, .5.
assert_eq "$(v4in ip-3 10.97.1.) $(v4in ip-4 10.97.1.) $(v4in ip-5 10.97.1.)" "10.97.1.1 10.97.1.3 10.97.1.5" "pool around static addresses"
# A static address the pool already gave out, and the gateway, are in use.
expect_err 1 "address 10.97.1.3 is already in use on network 'ipp-28'" "$NSNET" net attach ipp-28 ip-6 --ip 10.97.1.3
expect_err 1 "address 10.97.1.9 is already in use" "$NSNET" net attach ipp-28 ip-6 --ip 10.97.1.9
expect_err 2 "address 10.97.1.15 is outside the usable range" "$NSNET" net attach ipp-28 ip-6 --ip 10.97.1.15
# The pool skips the gateway in the middle of the range.
nsnet net attach ipp-28 ip-6 ip-7 ip-8 ip-9
assert_eq "$(for n in ip-6 ip-7 ip-8 ip-9; do v4in $n 10.97.1.; done | paste -sd' ')" \
	"10.97.1.6 10.97.1.7 10.97.1.8 10.97.1.10" "pool past the gateway"
# Everything the state file says is what the namespaces have.
state=$(jq -r '.members[] | "\(.ns) \(.ips[0])"' /run/nsnet/networks/ipp-28.json | sort)
kernel=$(for n in $NS; do echo "$n $(v4in $n 10.97.1.)/28"; done | sort)
assert_eq "$state" "$kernel" "state of ipp-28 vs ip -j addr"
nsnet net rm --force ipp-28 ipp-29

# ---- dual stack: a /29 (5 free) and a /126 (::1 gateway, ::2 and ::3 free).
nsnet net create ipp-ds --subnet 10.97.2.0/29 --subnet fd00:97::/126
nsnet net attach ipp-ds ip-1 ip-2
assert_eq "$(v4 ip-1) $(v6 ip-1) $(v4 ip-2) $(v6 ip-2)" "10.97.2.2 fd00:97::2 10.97.2.3 fd00:97::3" "dual-stack addresses"
assert_eq "$(counts ipp-ds)" "3/3 3/0" "dual-stack counts"
# IPv4 addresses are left but IPv6 ones are not: refused whole, for all namespaces.
before=$(cat /run/nsnet/networks/ipp-ds.json; for n in ip-3 ip-4; do ip -n $n -j link; done)
expect_err 1 "no free address left in fd00:97::/126" "$NSNET" net attach ipp-ds ip-3 ip-4
assert_eq "$(cat /run/nsnet/networks/ipp-ds.json; for n in ip-3 ip-4; do ip -n $n -j link; done)" "$before" "after the refusal"
ip netns exec ip-2 ping -6 -c1 -W2 fd00:97::2 >/dev/null || fail "ip-2 cannot ping -6 ip-1"
nsnet net rm --force ipp-ds
nsnet ns del $NS
note "ok"
