#!/bin/bash
# A foreign firewall that drops forwarded traffic (Docker's `iptables -P FORWARD
# DROP`, through iptables-nft and through iptables-legacy): creating a network whose
# traffic it would drop fails with a message naming the rule and the exact fix, and
# changes nothing; running the fix it names makes the same command work, with real
# traffic. Publishing checks the same for the published traffic. The check can be
# skipped (NSNET_IGNORE_FOREIGN_FIREWALL=1), and then the drop is real: the proof
# the check is not imaginary. `fw status` reports the problem. nsnet never edits
# the foreign table. Witnesses: ping, socat, nft list ruleset, iptables-legacy -S.
source "$(dirname "$0")/../lib.sh"

A1=fo-a1 A2=fo-a2 W=fo-wan
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in fo-a fo-b; do "$NSNET" net rm $n --force 2>/dev/null || true; done
	for n in $A1 $A2 $W; do ip netns del $n 2>/dev/null || true; done
	iptables-nft -F 2>/dev/null; iptables-nft -X 2>/dev/null; iptables-nft -P FORWARD ACCEPT 2>/dev/null
	nft delete table ip filter 2>/dev/null || true
	ip link del docker0 2>/dev/null || true
	iptables-legacy -F 2>/dev/null; iptables-legacy -X 2>/dev/null; iptables-legacy -P FORWARD ACCEPT 2>/dev/null
	true
}
trap cleanup EXIT
ask() { echo hi | ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" 2>/dev/null || true; }
# The commands between backquotes in the last error message.
fixes() { grep -o '`[^`]*`' <<<"$ERR" | tr -d '`'; }
run_fixes() { local c; while read -r c; do note "running the fix: $c"; $c; done < <(fixes); }

command -v iptables-nft >/dev/null || skip "iptables-nft is not installed"
nsnet ns add $A1 $A2 $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0
ip netns exec $W socat TCP4-LISTEN:9000,fork,reuseaddr SYSTEM:'read l; echo "wan peer=$SOCAT_PEERADDR"' & PIDS+=($!)
ip netns exec $A1 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:'read l; echo "a1 peer=$SOCAT_PEERADDR"' & PIDS+=($!)
sleep 0.3
bridged=$([ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] && echo yes || echo no)

# ---- iptables-nft, as Docker leaves it: policy DROP, a DOCKER-USER chain -----------
iptables-nft -P FORWARD DROP
iptables-nft -N DOCKER-USER
iptables-nft -A FORWARD -j DOCKER-USER
before=$(nft list ruleset)
expect_err 1 "its traffic out of the host \(NAT\) would be dropped by the policy drop of chain FORWARD in table ip filter" \
	"$NSNET" net create fo-a --subnet 10.71.0.0/24 --nat
assert_match "$ERR" 'iptables -I DOCKER-USER -i fo-a -j ACCEPT' "the fix names DOCKER-USER and the bridge"
assert_match "$ERR" 'NSNET_IGNORE_FOREIGN_FIREWALL=1' "the message names the way to skip the check"
assert_eq "$(nft list ruleset)" "$before" "ruleset after the refused create"
ip link show fo-a >/dev/null 2>&1 && fail "the bridge of a refused network exists"
[ ! -e /run/nsnet/networks/fo-a.json ] || fail "state of a refused network exists"

run_fixes
nsnet net create fo-a --subnet 10.71.0.0/24 --nat
nsnet net attach fo-a $A1 $A2
assert_ping $A1 10.71.0.3
assert_eq "$(ask $A1 203.0.113.2 9000)" "wan peer=203.0.113.1" "NAT through the foreign firewall, after its fix"
assert_eq "$("$NSNET" fw status --json | jq -c .foreign)" "[]" "fw status: nothing in the way"
nsnet publish 8080 $A1:80
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port through the foreign firewall"
nsnet net rm fo-a --force

# A network without NAT needs only its bridged traffic (br_netfilter); a publish to
# it needs the way in too.
if [ $bridged = yes ]; then
	expect_err 1 "traffic between its namespaces .* would be dropped by the policy drop of chain FORWARD" \
		"$NSNET" net create fo-b --subnet 10.72.0.0/24
	assert_eq "$(fixes)" "iptables -I DOCKER-USER -i fo-b -o fo-b -j ACCEPT" "the fix for bridged traffic"
	run_fixes
fi
nsnet net create fo-b --subnet 10.72.0.0/24
nsnet net attach fo-b $A1 $A2
assert_ping $A1 10.72.0.3
expect_err 1 "connections to its published ports would be dropped by the policy drop of chain FORWARD in table ip filter" \
	"$NSNET" publish 8080 $A1:80
assert_eq "$(fixes | tr '\n' ';')" "iptables -I DOCKER-USER -o fo-b -j ACCEPT;iptables -I DOCKER-USER -i fo-b -j ACCEPT;" \
	"the fix for published ports (and their replies)"
assert_eq "$("$NSNET" publish ls --json)" "[]" "nothing published after the refusal"
run_fixes
nsnet publish 8080 $A1:80
assert_eq "$(ask $W 203.0.113.1 8080)" "a1 peer=203.0.113.2" "published port after its fix"
nsnet net rm fo-b --force

# A fix that only "maybe" lets traffic through (a match nsnet cannot judge) is not
# refused, but fw status says so.
iptables-nft -F DOCKER-USER
iptables-nft -A DOCKER-USER -i fo-a -j ACCEPT
iptables-nft -A DOCKER-USER -i fo-a -o fo-a -j ACCEPT
iptables-nft -A DOCKER-USER -o fo-a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
nsnet net create fo-a --subnet 10.71.0.0/24 --nat
assert_eq "$("$NSNET" fw status --json | jq -r '.foreign[] | [.network, .verdict] | join(" ")' | sort -u)" "fo-a maybe" \
	"fw status: replies may be dropped"
assert_match "$("$NSNET" fw status)" "replies coming back to it may be dropped by the policy drop of chain FORWARD in table ip filter" \
	"fw status text"
nsnet net rm fo-a

# Skipping the check: the network is made, and the drop is real.
if [ $bridged = yes ]; then
	iptables-nft -F DOCKER-USER
	NSNET_IGNORE_FOREIGN_FIREWALL=1 "$NSNET" net create fo-b --subnet 10.72.0.0/24
	nsnet net attach fo-b $A1 $A2
	assert_no_ping $A1 10.72.0.3
	assert_eq "$("$NSNET" fw status --json | jq -r '.foreign[0].verdict')" "drop" "fw status names the drop"
	nsnet net rm fo-b --force
fi
iptables-nft -F; iptables-nft -X; iptables-nft -P FORWARD ACCEPT
nft delete table ip filter

# ---- Docker's whole FORWARD chain, with its docker0 and a default route ------------
# Its docker0 rules could match traffic leaving through docker0; the default route
# says "out" is wan0, so the drop is certain, and the fix makes it work.
ip link add docker0 type bridge
ip route add default via 203.0.113.2
iptables-nft -P FORWARD DROP
for c in DOCKER-USER DOCKER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do iptables-nft -N $c; done
iptables-nft -A FORWARD -j DOCKER-USER
iptables-nft -A FORWARD -j DOCKER-ISOLATION-STAGE-1
iptables-nft -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-nft -A FORWARD -o docker0 -j DOCKER
iptables-nft -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
iptables-nft -A FORWARD -i docker0 -o docker0 -j ACCEPT
iptables-nft -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
iptables-nft -A DOCKER-ISOLATION-STAGE-1 -j RETURN
iptables-nft -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
iptables-nft -A DOCKER-ISOLATION-STAGE-2 -j RETURN
iptables-nft -A DOCKER-USER -j RETURN
expect_err 1 "its traffic out of the host \(NAT\) would be dropped by the policy drop of chain FORWARD in table ip filter" \
	"$NSNET" net create fo-a --subnet 10.71.0.0/24 --nat
run_fixes
nsnet net create fo-a --subnet 10.71.0.0/24 --nat
nsnet net attach fo-a $A1 $A2
assert_ping $A1 10.71.0.3
assert_eq "$(ask $A1 203.0.113.2 9000)" "wan peer=203.0.113.1" "NAT through Docker's FORWARD chain, after the fix"
nsnet net rm fo-a --force
iptables-nft -F; iptables-nft -X; iptables-nft -P FORWARD ACCEPT
nft delete table ip filter
ip route del default via 203.0.113.2
ip link del docker0

# ---- iptables-legacy: rules nftables cannot see ---------------------------------
if command -v iptables-legacy >/dev/null && iptables-legacy -P FORWARD DROP 2>/dev/null; then
	legacy_before=$(iptables-legacy -S)
	expect_err 1 "would be dropped by the policy DROP of chain FORWARD in iptables-legacy table filter" \
		"$NSNET" net create fo-a --subnet 10.71.0.0/24 --nat
	assert_match "$ERR" 'iptables-legacy -I FORWARD -i fo-a -j ACCEPT' "the legacy fix"
	assert_eq "$(iptables-legacy -S)" "$legacy_before" "legacy rules after the refused create"
	run_fixes
	nsnet net create fo-a --subnet 10.71.0.0/24 --nat
	nsnet net attach fo-a $A1 $A2
	assert_ping $A1 10.71.0.3
	assert_eq "$(ask $A1 203.0.113.2 9000)" "wan peer=203.0.113.1" "NAT through iptables-legacy, after its fix"
	nsnet net rm fo-a --force
	iptables-legacy -F; iptables-legacy -P FORWARD ACCEPT
else
	note "iptables-legacy is not usable here: its part is not run"
fi
assert_eq "$(nft list ruleset)" "" "ruleset at the end"
note "ok"
