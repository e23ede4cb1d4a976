#!/bin/bash
# Names in labs (issue 14.3): the nodes of a lab reach each other by name through
# their own /etc/netns/NODE/hosts, honoured by `ip netns exec` and `nsnet exec`; the
# host's gateway on each network is NET-gateway; a node on two networks sees the
# members of both, one on one network only its own. `up` of the file with a node
# added makes the others' files list it, without it drops it; a readdressed node is
# listed at its new address; `down` removes every file and the directories nsnet
# made; each file is written once per command. Witnesses: getent and ping inside
# `ip netns exec` and `nsnet exec`, strace (renames over a hosts file), cat and
# stat of the files.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { "$NSNET" down nm >/dev/null 2>&1 || true; lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
[ -z "$(ls -A /etc/netns)" ] || fail "/etc/netns is not empty to start with"

# lab [EXTRA_NODE_LINES] [A_IP]: lan (dual stack) with a and b, back with b and c.
lab() {
	cat >"$DIR/nm.yaml" <<EOF
name: nm
networks:
  lan: {subnet: [10.61.0.0/24, fd61::/64], gateway: [10.61.0.254, fd61::fe]}
  back: {subnet: 10.62.0.0/24}
nodes:
  a: {interfaces: [{network: lan, ip: ${2:-10.61.0.10}}]}
  b: {interfaces: [lan, back]}
  c: {interfaces: [back]}
${1:-}
EOF
}
# in NS NAME: the IPv4 address NAME resolves to inside NS, through ip netns exec.
in4() { ip netns exec "$1" getent ahostsv4 "$2" | awk 'NR == 1 { print $1 }'; }
in6() { ip netns exec "$1" getent ahostsv6 "$2" | awk 'NR == 1 { print $1 }'; }
addr_of() { ip -n "$1" -j -4 addr show dev "$2" | jq -r '.[0].addr_info[0].local'; }

lab
# Each file is written once per command, whatever the number of networks (b is on
# two, attached network by network): three renames over a hosts file, one per node.
# (LeakSanitizer cannot run under ptrace: leaks are checked on the other runs.)
out=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=rename,renameat,renameat2 -o "$DIR/trace" "$NSNET" up "$DIR/nm.yaml" 2>&1)
assert_no_match "$out" "warning" "up has nothing to warn about"
assert_eq "$(grep -c '"hosts.nsnet-tmp", [^,]*, "hosts"' "$DIR/trace")" 3 "hosts files written by up"
assert_eq "$(ls /etc/netns | paste -sd' ')" "a b c" "one directory per node on a network"
for n in a b c; do
	assert_eq "$(head -1 /etc/netns/$n/hosts)" "# nsnet: generated, rewritten on every change; do not edit" "$n's marker line"
	assert_eq "$(stat -c '%a %U' /etc/netns/$n/hosts)" "644 root" "$n's hosts mode"
	assert_eq "$(stat -c '%a' /etc/netns/$n)" "755" "$n's directory mode"
done
[ ! -e /etc/netns/a/hosts.nsnet-tmp ] || fail "a temporary file was left"

# By name, from inside: ip netns exec binds the file over /etc/hosts.
b_lan=$(addr_of b eth0)
b_back=$(addr_of b eth1)
assert_eq "$(in4 a b)" "$b_lan" "a resolves b (lan)"
assert_eq "$(in4 c b)" "$b_back" "c resolves b (back)"
assert_eq "$(in4 b a)" 10.61.0.10 "b resolves a"
assert_eq "$(in4 b c)" "$(addr_of c eth0)" "b resolves c"
assert_eq "$(in6 a b)" "$(ip -n b -j -6 addr show dev eth0 scope global | jq -r '.[0].addr_info[0].local')" "a resolves b over IPv6"
assert_eq "$(in4 a a)" 10.61.0.10 "a resolves itself"
assert_eq "$(in4 a localhost)" 127.0.0.1 "localhost stays"
ip netns exec a ping -c1 -W2 b >/dev/null || fail "ip netns exec a ping b"
ip netns exec a ping -4 -c1 -W2 b >/dev/null || fail "ip netns exec a ping -4 b"
ip netns exec c ping -c1 -W2 b >/dev/null || fail "ip netns exec c ping b"
nsnet exec b -- ping -c1 -W2 c >/dev/null || fail "nsnet exec b -- ping c"
nsnet exec b -- ping -c1 -W2 a >/dev/null || fail "nsnet exec b -- ping a"
assert_eq "$(nsnet exec a -- getent ahostsv4 b | awk 'NR == 1 { print $1 }')" "$b_lan" "nsnet exec: a resolves b"
# The gateways, by the network's name.
assert_eq "$(in4 a lan-gateway)" 10.61.0.254 "lan-gateway from a"
assert_eq "$(in6 a lan-gateway)" fd61::fe "lan-gateway over IPv6"
assert_eq "$(in4 c back-gateway)" 10.62.0.1 "back-gateway from c"
ip netns exec a ping -c1 -W2 lan-gateway >/dev/null || fail "a cannot ping lan-gateway"
ip netns exec c ping -c1 -W2 back-gateway >/dev/null || fail "c cannot ping back-gateway"
# Only the networks one is on: a does not know c or back, c not a or lan.
! ip netns exec a getent -s files hosts c >/dev/null || fail "a resolves c, with whom it shares no network"
! ip netns exec a getent -s files hosts back-gateway >/dev/null || fail "a resolves back-gateway"
! ip netns exec c getent -s files hosts a >/dev/null || fail "c resolves a"
# b's own addresses come first: its name is its own on both networks.
assert_eq "$(grep -v '^#' /etc/netns/b/hosts | grep -v '^$' | awk '$2 == "b" { print $1 }' | paste -sd' ')" \
	"$b_back $b_lan $(in6 a b)" "b's own lines"

# A node added: the others list it. The file is replaced, not edited in place.
ino_a=$(stat -c %i /etc/netns/a/hosts)
ino_c=$(stat -c %i /etc/netns/c/hosts)
lab "  d: {interfaces: [lan]}"
nsnet up "$DIR/nm.yaml" >/dev/null
d_ip=$(addr_of d eth0)
assert_eq "$(in4 a d)" "$d_ip" "a resolves the new node d"
assert_eq "$(in4 b d)" "$d_ip" "b resolves d"
assert_eq "$(in4 d a)" 10.61.0.10 "d resolves a"
ip netns exec d ping -c1 -W2 b >/dev/null || fail "d cannot ping b"
[ "$(stat -c %i /etc/netns/a/hosts)" != "$ino_a" ] || fail "a's file was edited in place, not replaced"
# c is on back only: its file did not change, and was not rewritten.
assert_eq "$(stat -c %i /etc/netns/c/hosts)" "$ino_c" "c's file, unchanged, is not rewritten"
! ip netns exec c getent -s files hosts d >/dev/null || fail "c resolves d"

# An unchanged up writes nothing.
sum=$(cat /etc/netns/*/hosts | md5sum)
inos=$(stat -c %i /etc/netns/*/hosts)
nsnet up "$DIR/nm.yaml" >/dev/null
assert_eq "$(stat -c %i /etc/netns/*/hosts)" "$inos" "an unchanged up rewrites no file"

# a readdressed in place: the others follow.
lab "  d: {interfaces: [lan]}" 10.61.0.11
assert_match "$(nsnet up "$DIR/nm.yaml" --dry-run)" "^update node:a" "a is readdressed in place"
nsnet up "$DIR/nm.yaml" >/dev/null
assert_eq "$(in4 b a)" 10.61.0.11 "b resolves a at its new address"
assert_eq "$(in4 d a)" 10.61.0.11 "d resolves a at its new address"
assert_eq "$(in4 a a)" 10.61.0.11 "a resolves itself at its new address"

# The node removed again: gone from every file, its own file and directory gone.
lab "" 10.61.0.11
nsnet up "$DIR/nm.yaml" >/dev/null
[ ! -e /etc/netns/d ] || fail "d's directory stayed after d was removed"
! ip netns exec a getent -s files hosts d >/dev/null || fail "a still resolves d"
! ip netns exec b getent -s files hosts d >/dev/null || fail "b still resolves d"
[ -z "$(awk -v ip="$d_ip" '$1 == ip' /etc/netns/*/hosts)" ] || fail "d's address ($d_ip) is still in a file"

# A file nsnet made is nsnet's: one edited by hand (marker kept) is put back by the
# next command that changes the networks, here gc.
echo "10.9.9.9 intruder" >>/etc/netns/a/hosts
rm /etc/netns/c/hosts
nsnet gc >/dev/null
! grep -q intruder /etc/netns/a/hosts || fail "gc did not rewrite a's edited file"
assert_eq "$(in4 c b)" "$b_back" "gc wrote c's removed file again"

# down: every file and directory nsnet made goes.
nsnet down nm
assert_eq "$(ls -A /etc/netns)" "" "/etc/netns after down"
state_settles_to "$before" "after down"
