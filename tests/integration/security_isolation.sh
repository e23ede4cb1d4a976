#!/bin/bash
# Isolation (issue 10, deliver 4), with real traffic and documentation addresses only:
#  - a namespace cannot reach another network's namespaces (two labs, one network
#    each: ping and TCP refused both ways, while each lab's own nodes reach each other);
#  - nor a port nobody published: only the published host port reaches the published
#    node port; the node's other ports, other host ports, and the host's loopback
#    services (even with the route_localnet trick of CVE-2020-8558: a node that routes
#    127.0.0.1 to its gateway, while publish has route_localnet on the bridge) stay shut;
#    the host's own addresses are reachable by design (docs/firewall.md, rule 5);
#  - nor another lab's objects: a lab file naming another lab's node or network is
#    refused, and `down` of one lab leaves the other exactly as it was;
#  - the ruleset outside nsnet's table is byte-identical before and after every step:
#    foreign tables added here stay as they were through up, down, net create, attach,
#    detach, rm, publish, unpublish and fw restore.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	lab_cleanup_all
	rm -rf "$DIR"
}
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

# Foreign tables: what another firewall manager would hold.
nft -f - <<'N'
table inet foreign {
	set blocked {
		type ipv4_addr
		elements = { 198.51.100.9, 203.0.113.7 }
	}
	chain watch_forward {
		type filter hook forward priority 10; policy accept;
		ip saddr @blocked drop
	}
	chain watch_input {
		type filter hook input priority 10; policy accept;
		tcp dport 9 reject
	}
}
table ip foreignnat {
	chain watch_post {
		type nat hook postrouting priority 200; policy accept;
		ip daddr 192.0.2.99 return
	}
}
N
# Every table but nsnet's, listed one by one: the foreign ruleset.
foreign() {
	nft list tables | grep -v '^table inet nsnet$' | while read -r _ fam name; do nft list table "$fam" "$name"; done
}
foreign >"$DIR/foreign"
[ -s "$DIR/foreign" ] || fail "no foreign table to watch"
same_foreign() { foreign | cmp -s - "$DIR/foreign" || fail "the foreign ruleset changed after $1: $(foreign | diff "$DIR/foreign" - | head -5 | paste -sd';')"; }

lab() {
	cat <<Y
name: $1
networks:
  $1-net:
    subnet: $2
nodes:
  ${1}1:
    interfaces:
      - network: $1-net
        ip: $3
  ${1}2:
    interfaces:
      - network: $1-net
        ip: $4
Y
}
lab sa 10.91.0.0/24 10.91.0.11 10.91.0.12 >"$DIR/sa.yaml"
lab sb 10.92.0.0/24 10.92.0.11 10.92.0.12 >"$DIR/sb.yaml"
nsnet up "$DIR/sa.yaml" >/dev/null; same_foreign "up sa"
nsnet up "$DIR/sb.yaml" >/dev/null; same_foreign "up sb"
lab_settle

# Servers that say who they are.
serve() {
	ip netns exec "$1" socat "TCP4-LISTEN:$2,fork,reuseaddr" SYSTEM:"echo $1-$2" 2>/dev/null &
	PIDS+=($!)
}
ask() { ip netns exec "$1" timeout 5 socat -T2 - "TCP:$2:$3,connect-timeout=2" </dev/null 2>/dev/null || true; }
for n in sa1 sa2 sb1 sb2; do serve $n 80; serve $n 81; done
socat TCP4-LISTEN:9999,bind=127.0.0.1,fork,reuseaddr SYSTEM:'echo host-loopback' 2>/dev/null &
PIDS+=($!)
socat TCP4-LISTEN:9998,fork,reuseaddr SYSTEM:'echo host-any' 2>/dev/null &
PIDS+=($!)
for _ in $(seq 50); do [ "$(ask sa2 10.91.0.11 80)" = sa1-80 ] && break; sleep 0.1; done

# 1. Each lab's own nodes reach each other; the other network is out of reach.
assert_ping sa1 10.91.0.12
assert_ping sb1 10.92.0.12
assert_eq "$(ask sa1 10.91.0.12 81)" sa2-81 "sa1 -> sa2 inside one network"
for pair in "sa1 10.92.0.11" "sa2 10.92.0.12" "sb1 10.91.0.11" "sb2 10.91.0.12"; do
	set -- $pair
	assert_no_ping "$1" "$2"
	assert_eq "$(ask "$1" "$2" 80)" "" "$1 -> $2:80 across networks"
done

# 2. Publish sb1:80 as host port 8080 (10.92.0.1 is sb's gateway, a host address).
nsnet publish 8080 sb1:80 >/dev/null; same_foreign "publish"
assert_eq "$(ask sa1 10.92.0.1 8080)" sb1-80 "the published port, from the other lab"
assert_eq "$(ask sa1 10.91.0.1 8080)" sb1-80 "the published port, through sa's gateway"
assert_eq "$(ask sa1 10.92.0.11 81)" "" "sb1's unpublished port 81, directly"
assert_eq "$(ask sa1 10.92.0.11 80)" "" "sb1's published port 80, directly (only through the host)"
assert_eq "$(ask sa1 10.92.0.1 8081)" "" "an unpublished host port"
# The host's loopback services: route_localnet is on for the bridge now (publish
# needs it for 127.0.0.1:8080), so a node that sends to 127.0.0.1 through its
# gateway gets its packets accepted by routing; they must still reach nothing (nsnet's
# table drops them, and on this kernel the host's reply from 127.0.0.1 could not
# leave through the bridge either: both stay in place as belt and braces).
# (sb2 is on the published node's network, whose bridge has it.)
assert_eq "$(cat /proc/sys/net/ipv4/conf/sb-net/route_localnet)" 1 "route_localnet on sb-net while a port is published"
ip netns exec sb2 sysctl -qw net.ipv4.conf.eth0.route_localnet=1
ip -n sb2 route del local 127.0.0.0/8 dev lo table local 2>/dev/null || true
ip -n sb2 route del local 127.0.0.1 dev lo table local 2>/dev/null || true
ip -n sb2 route add 127.0.0.1/32 via 10.92.0.1 dev eth0
assert_eq "$(ask sb2 127.0.0.1 9999)" "" "the host's 127.0.0.1:9999 from sb2 through its gateway"
assert_eq "$(ask sb2 127.0.0.1 8080)" "" "127.0.0.1:8080 from sb2 through its gateway"
# The host itself reaches its loopback service and the published port (sanity).
assert_eq "$(timeout 5 socat -T2 - TCP:127.0.0.1:9999,connect-timeout=2 </dev/null)" host-loopback "host -> its own loopback"
assert_eq "$(timeout 5 socat -T2 - TCP:127.0.0.1:8080,connect-timeout=2 </dev/null)" sb1-80 "host -> 127.0.0.1:8080"

# 3. Another lab's objects: naming them is refused, nothing of sb changes.
snap_sb() { lab_snapshot sb1 sb2 | grep -v '^nft: '; sha256sum /run/nsnet/labs/sb.json /run/nsnet/networks/sb-net.json; }
snap_sb >"$DIR/sb.before"
sed 's/sa2:/sb2:/; s/10.91.0.12/10.91.0.13/' "$DIR/sa.yaml" >"$DIR/steal-node.yaml"
expect_err 1 "node 'sb2'.* belongs to lab 'sb'" "$NSNET" up "$DIR/steal-node.yaml"
sed 's/sa-net/sb-net/g' "$DIR/sa.yaml" >"$DIR/steal-net.yaml"
expect_err 1 "network 'sb-net' belongs to lab 'sb'" "$NSNET" up "$DIR/steal-net.yaml"
expect_err 1 "network 'sb-net' belongs to lab 'sb'" "$NSNET" net rm sb-net --force
same_foreign "refused commands"

# Plain networks next to the labs.
nsnet net create sc-net --subnet 10.93.0.0/24 >/dev/null; same_foreign "net create"
nsnet ns add sc1
nsnet net attach sc-net sc1 >/dev/null; same_foreign "net attach"
assert_no_ping sc1 10.91.0.11
assert_no_ping sc1 10.92.0.11
nsnet fw restore >/dev/null; same_foreign "fw restore"
nsnet net detach sc-net sc1 >/dev/null; same_foreign "net detach"
nsnet ns del sc1
nsnet net rm sc-net >/dev/null; same_foreign "net rm"
nsnet unpublish 8080 >/dev/null; same_foreign "unpublish"

nsnet down sa >/dev/null; same_foreign "down sa"
lab_settle
snap_sb | diff "$DIR/sb.before" - >&2 || fail "lab sb changed while other commands ran"
assert_ping sb1 10.92.0.12
nsnet down sb >/dev/null; same_foreign "down sb"

for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()
nft delete table inet foreign
nft delete table ip foreignnat
state_settles_to "$before" "after down"
