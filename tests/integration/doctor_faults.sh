#!/bin/bash
# nsnet doctor on faults outside the tutorials' checklist (issue 12), each in a fresh
# setup, broken the way a user would with `ip` or `bridge`, then: doctor names the
# cause, prints a fix, the fix is run verbatim, and ping (the independent witness)
# and doctor agree that it works again.
#   - a bridge port set to disabled or learning by hand, with STP off
#   - a plain veth pair with /32 addresses on both ends
#   - a /24 on a network that is a /16 (a mask mismatch)
#   - a route via a next hop nobody holds, with a router on that link
# Setup: network lan 10.64.0.0/16 with a (.0.2), b (.0.3) and r (.0.4, a router);
# r's link to c: 10.65.0.1/24 - 10.65.0.2/24.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="a b r c x1 x2"
setup() {
	nsnet ns add $NSS
	nsnet net create lan --subnet 10.64.0.0/16 >/dev/null
	nsnet net attach lan a b r
	nsnet router r on >/dev/null
	nsnet connect r c --ip 10.65.0.1/24,10.65.0.2/24 >/dev/null
	ip -n c route add 10.64.0.0/16 via 10.65.0.1
}
teardown() {
	"$NSNET" net rm --force lan >/dev/null 2>&1 || true
	"$NSNET" ns del --force $NSS >/dev/null 2>&1 || true
}
trap teardown EXIT
port_of() { nsnet net show lan --json | jq -r --arg ns "$1" '.members[] | select(.ns == $ns) | .host_ifname'; }

# ---- a port disabled by hand (STP off): up, carrier, but it drops every frame.
setup
p=$(port_of b)
bridge link set dev "$p" state 0
assert_no_ping a 10.64.0.3
expect_broken "port $p of bridge lan \(the bridge-side end of b's veth\) is disabled: with STP off nothing moves it to forwarding" \
	"bridge link set dev $p state 3" a b
apply_fix
ping_after_fix a 10.64.0.3
expect_reachable a b
# ... and one left in learning.
bridge link set dev "$p" state 2
assert_no_ping a 10.64.0.3
expect_broken "port $p of bridge lan .* is learning: with STP off" "bridge link set dev $p state 3" a b
apply_fix
ping_after_fix a 10.64.0.3
teardown

# ---- a plain veth pair with /32 on both ends: the fix gives both ends one subnet.
setup
nsnet connect x1 x2 --ip 10.66.0.1/32,10.66.0.2/32 >/dev/null
assert_no_ping x1 10.66.0.2
expect_broken "netmask mismatch: x1's to-x2 is 10.66.0.1/32 and x2's to-x1 is 10.66.0.2/32 \(a host prefix puts no neighbour on-link\); on one link they need one subnet \(/30\)" \
	"ip -n x1 addr del 10.66.0.1/32 dev to-x2 && ip -n x1 addr add 10.66.0.1/30 dev to-x2 && ip -n x2 addr del 10.66.0.2/32 dev to-x1 && ip -n x2 addr add 10.66.0.2/30 dev to-x1" \
	x1 10.66.0.2
apply_fix
ping_after_fix x1 10.66.0.2
expect_reachable x1 x2
teardown

# ---- a /24 where the network is a /16: b is on the link but outside a's subnet.
setup
ip -n b addr del 10.64.0.3/16 dev eth0
ip -n b addr add 10.64.1.3/16 dev eth0
ip -n a addr del 10.64.0.2/16 dev eth0
ip -n a addr add 10.64.0.2/24 dev eth0
assert_no_ping a 10.64.1.3
expect_broken "netmask mismatch: a's eth0 is 10.64.0.2/24 and b's eth0 is 10.64.1.3/16; on one link they need one subnet \(/16\)" \
	"ip -n a addr del 10.64.0.2/24 dev eth0 && ip -n a addr add 10.64.0.2/16 dev eth0" a 10.64.1.3
apply_fix
ping_after_fix a 10.64.1.3
expect_reachable a 10.64.1.3
teardown

# ---- a next hop nobody holds, while the router on that link is r: fix the route.
setup
ip -n a route add 10.65.0.0/24 via 10.64.0.250
assert_no_ping a 10.65.0.2
expect_broken "a's route to 10.65.0.0/24 goes via 10.64.0.250, which nobody on network lan \(bridge lan\) has; the router on that link is 10.64.0.4 \(r's eth0\)" \
	"ip -n a route replace 10.65.0.0/24 via 10.64.0.4 dev eth0" a c
apply_fix
ping_after_fix a 10.65.0.2
expect_reachable a c
teardown
