#!/bin/bash
# Names and the size of a network (issue 14.3): every member of a network of N
# members would hold an N-line file rewritten on every change, so names are on by
# default up to 256 members only. A lab network of 257 gets no files; `names: true`
# forces them (changed in place: the nodes stay), `names: false` turns them off on a
# small one; a network that grows past 256 loses them. Witnesses: ls /etc/netns,
# getent inside `ip netns exec`, the namespaces' inodes, up --dry-run.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { "$NSNET" down big >/dev/null 2>&1 || true; "$NSNET" down sm >/dev/null 2>&1 || true; lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
knows() { ip netns exec "$1" getent -s files hosts "$2" >/dev/null; }

# big NAMES_LINE: 257 nodes on one network.
big() {
	big_yaml big 257 bnet 10.66.0.0/16 >"$DIR/big.yaml"
	[ -z "${1:-}" ] || sed -i "s|^    subnet: 10.66.0.0/16$|    subnet: 10.66.0.0/16\n    names: $1|" "$DIR/big.yaml"
}
big
nsnet up "$DIR/big.yaml" >/dev/null
assert_eq "$(ls -A /etc/netns | wc -l)" 0 "257 members, names auto: no file"
ino=$(netns_inode big-001)

big true
assert_eq "$(nsnet up "$DIR/big.yaml" --dry-run)" "update net:bnet: names auto -> on" "names: true is an update in place"
nsnet up "$DIR/big.yaml" >/dev/null
assert_eq "$(netns_inode big-001)" "$ino" "the nodes stay"
assert_eq "$(ls -A /etc/netns | wc -l)" 257 "names: true: a file per node"
knows big-001 big-257 && knows big-257 big-001 && knows big-100 bnet-gateway || fail "names: true: the nodes do not know each other"
# one marker, two loopback lines, a blank and a comment for its own section and
# for the network's, its own line, the gateway's and 256 others'.
assert_eq "$(grep -c '' /etc/netns/big-042/hosts)" $((1 + 1 + 2 + 2 + 1 + 2 + 1 + 256)) "lines of a file"

big false
nsnet up "$DIR/big.yaml" >/dev/null
assert_eq "$(ls -A /etc/netns | wc -l)" 0 "names: false: no file"
nsnet down big

# A small network: names by default, none with names: false; growing past the
# threshold (by hand: net attach --force) takes them away.
big_yaml sm 3 snet 10.67.0.0/16 >"$DIR/sm.yaml"
nsnet up "$DIR/sm.yaml" >/dev/null
knows sm-001 sm-003 || fail "a 3-node network has names"
nsnet ns add $(seq -f 'x%g' 1 254)
nsnet net attach snet --force $(seq -f 'x%g' 1 253) >/dev/null
knows sm-001 x253 || fail "256 members: names still on"
nsnet net attach snet --force x254 >/dev/null
assert_eq "$(ls -A /etc/netns | wc -l)" 0 "257 members: names gone"
nsnet net detach snet x254
knows sm-001 x253 || fail "256 members again: names back"
nsnet net detach snet $(seq -f 'x%g' 1 253)
nsnet ns del $(seq -f 'x%g' 1 254)
sed -i "s|^    subnet: 10.67.0.0/16$|    subnet: 10.67.0.0/16\n    names: false|" "$DIR/sm.yaml"
nsnet up "$DIR/sm.yaml" >/dev/null
assert_eq "$(ls -A /etc/netns | wc -l)" 0 "names: false on a small network: no file"
nsnet down sm
state_settles_to "$before" "after down"
