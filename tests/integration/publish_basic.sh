#!/bin/bash
# Published ports, TCP and UDP, answer (a) from outside (namespace 'wan' behind the
# host) on the host's address, with the client's own address kept; (b) from the
# host itself on 127.0.0.1, its outside address and a gateway address; (c) from a
# neighbour on the same network, from the published namespace itself, and from
# another network. Only the published port is exposed. HOST_IP limits a publish to
# one address. Duplicates are refused; bad input changes nothing; route_localnet and
# hairpin mode are set while needed and given back. Witnesses: socat servers that
# print the peer address, /sys, /proc/sys, nft list ruleset.
source "$(dirname "$0")/../lib.sh"

A1=pub-a1 A2=pub-a2 B1=pub-b1 W=pub-wan
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in pub-a pub-b; do "$NSNET" net rm $n --force 2>/dev/null || true; done
	for n in $A1 $A2 $B1 $W; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT

# ask NS|host tcp|udp ADDR PORT: what the server answers (its view of the client).
ask() {
	local pre=(ip netns exec "$1")
	[ "$1" = host ] && pre=()
	if [ "$2" = tcp ]; then
		echo hi | "${pre[@]}" timeout 5 socat -T2 - "TCP:$3:$4,connect-timeout=2" 2>/dev/null || true
	else
		echo hi | "${pre[@]}" timeout 5 socat -T1 - "UDP:$3:$4" 2>/dev/null || true
	fi
}
# A match without a pipe (grep -q may close it early, and pipefail would count that).
has() { grep -qE -- "$2" <<<"$1" || fail "$3: '$1' does not match '$2'"; }
serve() { ip netns exec "$1" socat "$2,fork,reuseaddr" SYSTEM:"read l; echo \"$3 peer=\$SOCAT_PEERADDR\"" & PIDS+=($!); }

nsnet ns add $A1 $A2 $B1 $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0
nsnet net create pub-a --subnet 10.41.0.0/24 --nat
nsnet net create pub-b --subnet 10.42.0.0/24
nsnet net attach pub-a $A1 $A2
nsnet net attach pub-b $B1
serve $A1 TCP4-LISTEN:80 tcp80
serve $A1 UDP4-RECVFROM:5353 udp5353
serve $A1 TCP4-LISTEN:81 tcp81
sleep 0.3
port_if=$("$NSNET" net show pub-a --json | jq -r ".members[] | select(.ns == \"$A1\") | .host_ifname")
hairpin() { cat /sys/class/net/$port_if/brport/hairpin_mode; }
localnet() { cat /proc/sys/net/ipv4/conf/pub-a/route_localnet; }
assert_eq "$(hairpin) $(localnet)" "0 0" "hairpin and route_localnet before any publish"

nsnet publish 8080 $A1:80
nsnet publish 8053 $A1:5353 --proto udp
assert_eq "$(hairpin) $(localnet)" "1 1" "hairpin on $A1's port, route_localnet on pub-a, while published"
has "$(nft list map inet nsnet pubany4)" "tcp \. 8080 : 10\.41\.0\.2 \. 80" "the TCP publish is a map element"
has "$(nft list map inet nsnet pubany4)" "udp \. 8053 : 10\.41\.0\.2 \. 5353" "the UDP publish is a map element"

for proto in tcp udp; do
	port=8080 tag=tcp80
	[ $proto = udp ] && port=8053 tag=udp5353
	# (a) from outside, the client's address kept.
	assert_eq "$(ask $W $proto 203.0.113.1 $port)" "$tag peer=203.0.113.2" "$proto from wan"
	# (b) from the host: loopback, own outside address, a gateway address.
	assert_eq "$(ask host $proto 127.0.0.1 $port)" "$tag peer=10.41.0.1" "$proto from the host to 127.0.0.1"
	assert_match "$(ask host $proto 203.0.113.1 $port)" "^$tag peer=" "$proto from the host to 203.0.113.1"
	assert_match "$(ask host $proto 10.42.0.1 $port)" "^$tag peer=" "$proto from the host to pub-b's gateway"
	# (c) hairpin: a neighbour, the namespace itself, another network.
	assert_eq "$(ask $A2 $proto 203.0.113.1 $port)" "$tag peer=10.41.0.1" "$proto hairpin from $A2"
	assert_eq "$(ask $A2 $proto 10.41.0.1 $port)" "$tag peer=10.41.0.1" "$proto hairpin from $A2 via its gateway"
	assert_eq "$(ask $A1 $proto 203.0.113.1 $port)" "$tag peer=10.41.0.1" "$proto from $A1 to its own published port"
	assert_eq "$(ask $B1 $proto 203.0.113.1 $port)" "$tag peer=10.41.0.1" "$proto from $B1 (other network)"
	assert_eq "$(ask $B1 $proto 10.42.0.1 $port)" "$tag peer=10.41.0.1" "$proto from $B1 via its own gateway"
done

# Only the published port: not another port of the namespace, not the namespace directly.
assert_eq "$(ask $W tcp 203.0.113.1 8081)" "" "an unpublished host port"
assert_eq "$(ask $B1 tcp 10.41.0.2 81)" "" "$B1 to an unpublished port of $A1"
assert_eq "$(ask $B1 tcp 10.41.0.2 80)" "" "$B1 to $A1 directly (not through the published port)"
assert_eq "$(ask $A2 tcp 10.41.0.2 81)" "tcp81 peer=10.41.0.3" "the same network is not filtered"

# HOST_IP: one address only.
nsnet publish 203.0.113.1:9090 $A1:80
assert_eq "$(ask $W tcp 203.0.113.1 9090)" "tcp80 peer=203.0.113.2" "publish on 203.0.113.1 from wan"
assert_eq "$(ask host tcp 127.0.0.1 9090)" "" "publish on 203.0.113.1 does not answer on 127.0.0.1"
assert_eq "$(ask $A2 tcp 10.41.0.1 9090)" "" "publish on 203.0.113.1 does not answer on a gateway address"
has "$(nft list map inet nsnet pub4)" "tcp \. 203\.0\.113\.1 \. 9090 : 10\.41\.0\.2 \. 80" "pub4 element"

# Same port, other protocol: allowed. Same port and protocol: refused.
nsnet publish 8080 $A2:80 --proto udp
rules=$(nft list ruleset)
list=$("$NSNET" publish ls --json)
expect_err 1 "tcp port 8080 is already published to $A1:80" "$NSNET" publish 8080 $A2:80
expect_err 1 "tcp port 9090 is already published" "$NSNET" publish 127.0.0.1:9090 $A2:80
expect_err 2 "must be 1\.\.65535" "$NSNET" publish 70000 $A1:80
expect_err 2 "must be 1\.\.65535" "$NSNET" publish 8081 $A1:0
expect_err 2 "expected NS:PORT" "$NSNET" publish 8081 $A1
expect_err 2 "--proto must be tcp or udp" "$NSNET" publish 8081 $A1:80 --proto sctp
expect_err 2 "IPv4 only" "$NSNET" publish ::1:8081 $A1:80
expect_err 2 "publish: expected" "$NSNET" publish 8081
expect_err 1 "198\.51\.100\.7 is not an address of this host" "$NSNET" publish 198.51.100.7:8081 $A1:80
expect_err 1 "namespace 'pub-nobody' is not attached to any nsnet network" "$NSNET" publish 8081 pub-nobody:80
expect_err 1 "namespace '$A1' is not attached to network 'pub-b'" "$NSNET" publish 8081 $A1:80 --net pub-b
expect_err 1 "8081/tcp: not published" "$NSNET" unpublish 8081
expect_err 1 "is published on every host address, not on 127\.0\.0\.1" "$NSNET" unpublish 127.0.0.1:8080
expect_err 2 "--proto must be tcp or udp" "$NSNET" unpublish 8080 --proto icmp
assert_eq "$(nft list ruleset)" "$rules" "ruleset after refused commands"
assert_eq "$("$NSNET" publish ls --json)" "$list" "publish ls after refused commands"

assert_eq "$("$NSNET" publish ls --json | jq -c '[.[] | [.proto, .host_ip, .host_port, .ns, .port, .net, .ip, .state]]')" \
	"[[\"tcp\",null,8080,\"$A1\",80,\"pub-a\",\"10.41.0.2\",\"ok\"],[\"tcp\",\"203.0.113.1\",9090,\"$A1\",80,\"pub-a\",\"10.41.0.2\",\"ok\"],[\"udp\",null,8053,\"$A1\",5353,\"pub-a\",\"10.41.0.2\",\"ok\"],[\"udp\",null,8080,\"$A2\",80,\"pub-a\",\"10.41.0.3\",\"ok\"]]" \
	"publish ls --json"
assert_match "$("$NSNET" publish ls)" "tcp +203\.0\.113\.1:9090 +$A1:80 \(10\.41\.0\.2\) +pub-a +ok" "publish ls"

# Unpublish: the port closes; the host settings go with the last publish.
nsnet unpublish 8080
assert_eq "$(ask $W tcp 203.0.113.1 8080)" "" "8080/tcp after unpublish"
assert_eq "$(ask $W udp 203.0.113.1 8053)" "udp5353 peer=203.0.113.2" "8053/udp still published"
nsnet unpublish 203.0.113.1:9090
nsnet unpublish 8053 --proto udp
assert_eq "$(hairpin) $(localnet)" "0 1" "hairpin off when $A1 has no publish left; route_localnet still on ($A2 has one)"
nsnet unpublish 8080 --proto udp
assert_eq "$(hairpin) $(localnet)" "0 0" "hairpin and route_localnet after the last unpublish"
assert_eq "$("$NSNET" publish ls --json)" "[]" "publish ls when empty"

# A namespace detached from its network takes its published ports with it, before
# its address can go to another namespace.
nsnet publish 8080 $A2:80
nsnet net detach pub-a $A2
assert_eq "$("$NSNET" publish ls --json)" "[]" "publish ls after its namespace was detached"
assert_eq "$(nft list map inet nsnet pubany4 | grep -c 8080)" "0" "its map element is gone"
assert_eq "$(localnet)" "0" "route_localnet after the detached namespace's publish went"
nsnet net attach pub-a $A2

# Removing a network removes its publishes.
nsnet publish 8080 $A1:80
nsnet net rm pub-a --force
assert_eq "$("$NSNET" publish ls --json)" "[]" "publishes of a removed network"
nsnet net rm pub-b --force
assert_eq "$(nft list ruleset)" "" "ruleset after removing every network"
[ -z "$(ls -A /run/nsnet/publish 2>/dev/null)" ] || fail "publish state left behind"
note "ok"
