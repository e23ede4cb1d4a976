#!/bin/bash
# nsnet doctor on faults outside the tutorials' checklist (issue 12), each in a fresh
# setup, broken the way a user would with `ip` or `bridge`, then: doctor names the
# cause, prints a fix, the fix is run verbatim, and ping (the independent witness)
# and doctor agree that it works again.
#   - a bridge port set to disabled or learning by hand, with STP off
#   - a plain veth pair with /32 addresses on both ends
#   - a /24 on a network that is a /16 (a mask mismatch)
#   - a route via a next hop nobody holds, with a router on that link
#   - DST's own output chain dropping its replies (the request gets in)
#   - a smaller MTU on the way (a bridge port, SRC's own interface), with --size
#   - the way back, hop by hop: a router two hops away without a route back, and
#     an asymmetric reply dropped by SRC's reverse-path filter
#   - a foreign `dnat to` rule in a router: followed to the server behind it
#   - from outside to an address behind NAT: publish the port (then the walk follows
#     nsnet's DNAT to the namespace that serves it: a published port that answers
#     is reachable, one whose service is gone is "nothing listens in blue")
# Setup: network lan 10.64.0.0/16 with a (.0.2), b (.0.3) and r (.0.4, a router);
# r's link to c: 10.65.0.1/24 - 10.65.0.2/24.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/doctor.sh"

NSS="a b r c x1 x2 r1 r2 gw srv cl"
setup() {
	nsnet ns add $NSS
	nsnet net create lan --subnet 10.64.0.0/16 >/dev/null
	nsnet net attach lan a b r
	nsnet router r on >/dev/null
	nsnet connect r c --ip 10.65.0.1/24,10.65.0.2/24 >/dev/null
	ip -n c route add 10.64.0.0/16 via 10.65.0.1
}
teardown() {
	if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; fi
	"$NSNET" unpublish 80 >/dev/null 2>&1 || true
	"$NSNET" net rm --force nat >/dev/null 2>&1 || true
	"$NSNET" ns del --force blue wan >/dev/null 2>&1 || true
	"$NSNET" net rm --force lan >/dev/null 2>&1 || true
	for n in $NSS; do "$NSNET" ns del --force "$n" >/dev/null 2>&1 || true; done
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

# ---- DST's output chain drops its replies: the request arrives, nothing comes back.
setup
ip netns exec b nft add table inet f
ip netns exec b nft add chain inet f out '{ type filter hook output priority 0; }'
ip netns exec b nft add rule inet f out ip daddr 10.64.0.2 drop
h=$(ip netns exec b nft -a list chain inet f out | sed -n 's/.*ip daddr 10.64.0.2 drop # handle \([0-9]*\)/\1/p')
assert_no_ping a 10.64.0.3
expect_broken "b: an nftables rule drops its reply to 10.64.0.2 \(table inet f chain out: rule 1 'ip daddr 10.64.0.2 drop'" \
	"ip netns exec b nft delete rule inet f out handle $h" a b
apply_fix
ping_after_fix a 10.64.0.3
expect_reachable a b
teardown

# ---- MTU: b's bridge port at 1400; a small probe passes, a 1450-byte one with DF does not.
setup
p=$(port_of b)
ip link set "$p" mtu 1400
expect_reachable a b
ip netns exec a ping -M do -s 1422 -c1 -W1 10.64.0.3 >/dev/null 2>&1 && fail "a 1450-byte packet got through a 1400 MTU"
expect_broken "the bridge-side end of b's veth \($p in host\) has MTU 1400: a 1450-byte packet that may not be fragmented does not fit through it" \
	"ip link set $p mtu 1500" a b --size 1450
assert_eq "$(docq .size)" 1450 "the size in the report"
apply_fix
ip netns exec a ping -M do -s 1422 -c1 -W1 10.64.0.3 >/dev/null || fail "a 1450-byte packet does not pass after the fix"
expect_reachable a b --size 1450
# SRC's own interface: the kernel refuses to send it at all.
ip -n a link set eth0 mtu 1300
expect_broken "a's interface toward 10.64.0.3 \(eth0 in a\) has MTU 1300" "ip -n a link set eth0 mtu 1500" a b --size 1450
assert_match "$(docq .probe.detail)" "Message too long" "the probe says the kernel refused it"
apply_fix
expect_reachable a b --size 1450
teardown

# ---- the way back: a - r1 - r2 - b, and r2 has no route back to a's subnet.
nsnet ns add a r1 r2 b
nsnet connect a r1 --ip 10.71.1.2/24,10.71.1.1/24 >/dev/null
nsnet connect r1 r2 --ip 10.71.5.1/24,10.71.5.2/24 >/dev/null
nsnet connect r2 b --ip 10.71.2.1/24,10.71.2.2/24 >/dev/null
nsnet router r1 on >/dev/null
nsnet router r2 on >/dev/null
ip -n a route add default via 10.71.1.1
ip -n r1 route add 10.71.2.0/24 via 10.71.5.2
ip -n b route add default via 10.71.2.1
assert_no_ping a 10.71.2.2
expect_broken "the reply is lost on its way back: r2 forwards it, but has no route to 10.71.1.2 \(the request came to it from 10.71.5.1 on to-r1\)" \
	"ip -n r2 route add 10.71.1.0/24 via 10.71.5.1 dev to-r1" a b
apply_fix
ping_after_fix a 10.71.2.2
expect_reachable a b
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "the reply 10.71.2.2 -> 10.71.1.2 comes back to a \(3 hops\)" "the way back is said"
# ... then asymmetric: r2 sends the reply to a over a second link, and a's
# strict reverse-path filter drops it there.
nsnet connect a r2 --ip 10.71.4.2/24,10.71.4.1/24 >/dev/null
ip -n r2 route replace 10.71.1.0/24 via 10.71.4.2
ip netns exec a sysctl -qw net.ipv4.conf.all.rp_filter=1
assert_no_ping a 10.71.2.2
expect_broken "a's rp_filter drops the reply from 10.71.2.2 on to-r2: its route back to 10.71.2.2 goes out another way \(asymmetric routing\)" \
	"ip netns exec a sysctl -w net.ipv4.conf.all.rp_filter=0 net/ipv4/conf/to-r2/rp_filter=0" a b
apply_fix
ping_after_fix a 10.71.2.2
expect_reachable a b
teardown

# ---- a foreign DNAT rule in a router: doctor follows it to the server.
command -v socat >/dev/null || skip "socat is not installed"
nsnet ns add gw srv cl
nsnet connect cl gw --ip 10.90.1.2/24,10.90.1.1/24 >/dev/null
nsnet connect gw srv --ip 10.90.2.1/24,10.90.2.2/24 >/dev/null
nsnet router gw on >/dev/null
ip -n srv route add default via 10.90.2.1
ip netns exec gw nft add table ip nat
ip netns exec gw nft add chain ip nat pre '{ type nat hook prerouting priority -100; }'
ip netns exec gw nft add rule ip nat pre tcp dport 8080 dnat to 10.90.2.2:80
ip netns exec srv socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hi' &
SERVER=$!
for _ in $(seq 50); do ip netns exec srv ss -Hltn 'sport = :80' | grep -q . && break; sleep 0.1; done
assert_eq "$(ip netns exec cl socat -T2 - TCP:10.90.1.1:8080 </dev/null)" hi "the DNAT rule works"
expect_reachable cl 10.90.1.1 --port 8080
assert_eq "$DOC_PATH" "cl to-gw 10.90.1.2 -> gw to-cl -> to-srv (forwards) -> srv to-gw 10.90.2.2" "the walk follows the rule"
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "gw: destination NAT: 10.90.1.1 becomes 10.90.2.2:80 \(table ip nat chain pre: rule 1 'tcp dport 8080 dnat to 10.90.2.2:80'" \
	"the rule is quoted"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
expect_broken "nothing listens on tcp port 80 in srv" "~^start the service in srv on tcp port 80" cl 10.90.1.1 --port 8080
teardown

# ---- outside -> inside through NAT: the way in is a published port.
nsnet ns add blue wan
nsnet net create nat --subnet 192.168.15.0/24 --nat >/dev/null
nsnet net attach nat blue
nsnet connect host wan --ip 203.0.113.1/24,203.0.113.2/24 >/dev/null
ip -n wan route add default via 203.0.113.1
ip netns exec blue socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello' &
SERVER=$!
for _ in $(seq 50); do ip netns exec blue ss -Hltn 'sport = :80' | grep -q . && break; sleep 0.1; done
expect_broken "192.168.15.2 is a private address behind the host's NAT: from outside, nothing reaches network nat but a published port; publish it, then connect to the host \(203.0.113.1\)" \
	"nsnet publish 80 blue:80" wan blue --port 80
expect_broken "nothing reaches network nat but a published port \(nsnet publish HOST_PORT NS:PORT, for TCP or UDP\)" \
	null wan 192.168.15.2
apply_fix_of() { DOC=$("$NSNET" doctor wan blue --port 80 --timeout 700 --json || true); apply_fix; }
apply_fix_of
assert_eq "$(ip netns exec wan socat -T2 - TCP:203.0.113.1:80 </dev/null)" hello "the published port answers from outside"
expect_reachable wan 203.0.113.1 --port 80
assert_eq "$DOC_PATH" "wan to-host 203.0.113.2 -> host to-wan -> nat (forwards) -> bridge nat (host) -> blue eth0 192.168.15.2" \
	"the walk follows nsnet's DNAT to blue"
assert_match "$(docq '.checks[].evidence' | tr '\n' '|')" "host: tcp port 80 of 203.0.113.1 is published by nsnet: DNAT to 192.168.15.2:80 \(blue on network nat\)" \
	"the DNAT step is said"
# The service gone: the cause is in blue, not "nothing listens in host".
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
expect_broken "nothing listens on tcp port 80 in blue" "~^start the service in blue on tcp port 80" wan 203.0.113.1 --port 80
