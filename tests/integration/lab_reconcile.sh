#!/bin/bash
# Reconcile: `up` on a running lab changes only the difference.
#  - an unchanged file: "no change made", and the kernel is exactly as it was;
#  - a node added: only it is created (every other namespace keeps its inode, every
#    interface its ifindex, address and routes; the host only gains the new veth);
#  - a node's static address changed: that node alone is replaced (new namespace),
#    and with it the links it is an end of;
#  - a node removed: only it goes.
# --dry-run predicts each plan exactly. Witnesses: stat -L /run/netns/X (namespace
# inode), ip -j link/addr/route in every namespace and the host, nft list ruleset, ping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

# lab RC5_IP RC4_IP WITH_RC3: the lab file (rc5 absent when RC5_IP is "-"); $L12 (the
# rc1-rc2 link's addresses) and $RCB (rc-b's subnet) change it further.
lab() {
	local rc5=$1 rc4=$2 rc3=$3
	cat <<EOF
name: rc
networks:
  rc-a:
    subnet: 10.61.0.0/24
  rc-b:
    subnet: ${RCB:-10.62.0.0/24}
nodes:
  rc1:
    interfaces:
      - network: rc-a
        ip: 10.61.0.11
  rc2:
    interfaces:
      - network: rc-a
EOF
	[ "$rc3" = yes ] && cat <<EOF
  rc3:
    interfaces:
      - network: rc-a
      - network: rc-b
EOF
	cat <<EOF
  rc4:
    interfaces:
      - network: rc-b
        ip: $rc4
EOF
	[ "$rc5" != - ] && cat <<EOF
  rc5:
    interfaces:
      - network: rc-b
        ip: $rc5
EOF
	cat <<EOF
links:
  - endpoints: [rc1:l1, rc2:l2]
    ips: [${L12:-10.63.0.1/30, 10.63.0.2/30}]
  - endpoints: [host:rc-h, rc4:h]
    ips: [10.64.0.1/30, 10.64.0.2/30]
EOF
}

# snap TAG NS...: each namespace's snapshot into $DIR/TAG.NS.
snap() {
	local tag=$1 ns
	shift
	# The bridges' MACs are left out here: lab_bridge_mac checks them (an unpinned
	# bridge's MAC follows its ports, so it could move at random in this test).
	for ns in "$@"; do ns_snapshot "$ns" | sed -E 's/^(link [0-9]+ rc-[ab]) [0-9a-f:]+ /\1 (MAC) /' >"$DIR/$tag.$ns"; done
	nft list ruleset >"$DIR/$tag.nft"
}
# same A B NS...: the namespaces, and nftables, are identical in snapshots A and B.
same() {
	local a=$1 b=$2 ns
	shift 2
	for ns in "$@"; do
		diff "$DIR/$a.$ns" "$DIR/$b.$ns" >"$DIR/diff" || fail "$ns changed between '$a' and '$b': $(grep '^[<>]' "$DIR/diff" | paste -sd';')"
	done
	[ "${SAME_NFT:-yes}" = no ] || cmp -s "$DIR/$a.nft" "$DIR/$b.nft" || fail "nft ruleset changed between '$a' and '$b'"
}
# host_only A B ALLOWED: the host's snapshot lines that differ between A and B all
# match ALLOWED (an ERE: the interfaces of the nodes being added/removed/replaced).
host_only() {
	local changed
	changed=$(diff "$DIR/$1.host" "$DIR/$2.host" | grep '^[<>]' | grep -Ev -- "$3" || true)
	[ -z "$changed" ] || fail "the host changed beyond '$3' between '$1' and '$2': $(echo "$changed" | paste -sd';')"
}
plan() { nsnet up --dry-run "$DIR/lab.yaml" | paste -sd,; }
settle() {
	# Carrier reaches a veth's flags through the kernel's linkwatch, up to a second
	# late, and IPv6 link-local addresses (where IPv6 is on) follow the carrier: let
	# both finish before a snapshot, so snapshots compare what nsnet did.
	lab_settle
}

# 1. The lab.
lab - 10.62.0.14 yes >"$DIR/lab.yaml"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v1 host rc1 rc2 rc3 rc4
assert_ping rc1 10.63.0.2
assert_ping rc3 10.62.0.14
ping -c1 -W2 10.64.0.2 >/dev/null || fail "host cannot ping rc4 over rc-h"

# 2. Unchanged: no change, said and done.
assert_eq "$(plan)" "lab 'rc' is up to date: nothing to change" "dry-run of an unchanged file"
assert_eq "$(nsnet up "$DIR/lab.yaml")" "lab 'rc' is up to date: no change made" "up of an unchanged file"
assert_eq "$(nsnet up "$DIR/lab.yaml" --json | jq -c '[.changed, .steps]')" '[false,[]]' "up --json of an unchanged file"
settle
snap v1b host rc1 rc2 rc3 rc4
same v1 v1b host rc1 rc2 rc3 rc4

# 3. A node added: only it.
lab 10.62.0.15 10.62.0.14 yes >"$DIR/lab.yaml"
assert_eq "$(plan)" "create node:rc5" "plan of an added node"
assert_match "$(nsnet up "$DIR/lab.yaml")" "lab 'rc' is up \(1 change\)" "up of an added node"
settle
snap v2 host rc1 rc2 rc3 rc4 rc5
same v1 v2 rc1 rc2 rc3 rc4
host_only v1 v2 '^> link [0-9]+ nvrc5-'
assert_eq "$(diff "$DIR/v1.host" "$DIR/v2.host" | grep -c '^>')" 1 "the host gained one interface"
assert_ping rc5 10.62.0.14
assert_ping rc4 10.62.0.15
rc5_inode=$(netns_inode rc5)

# 4. rc5's static address changed: rc5 alone is readdressed, in place.
lab 10.62.0.25 10.62.0.14 yes >"$DIR/lab.yaml"
assert_eq "$(plan)" "update node:rc5: ifaces changed in place" "plan of a changed node"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v3 host rc1 rc2 rc3 rc4 rc5
same v2 v3 rc1 rc2 rc3 rc4
host_only v2 v3 '^[<>] link [0-9]+ nvrc5-'
assert_eq "$(netns_inode rc5)" "$rc5_inode" "rc5 keeps its namespace"
assert_eq "$(ip -n rc5 -j -4 addr show eth0 | jq -r '.[0].addr_info[0].local')" 10.62.0.25 "rc5's new address"
assert_ping rc4 10.62.0.25
assert_no_ping rc4 10.62.0.15

# 5. rc4's address changed: readdressed in place, its link to the host untouched;
# nobody else moves.
lab 10.62.0.25 10.62.0.24 yes >"$DIR/lab.yaml"
assert_eq "$(plan)" "update node:rc4: ifaces changed in place" "plan of a node with a link"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v4 host rc1 rc2 rc3 rc4 rc5
same v3 v4 rc1 rc2 rc3 rc5
host_only v3 v4 '^[<>] (link [0-9]+ (nvrc4-|rc-h )|addr rc-h |route[46] [^ ]+ via=- dev=rc-h)'
ping -c1 -W2 10.64.0.2 >/dev/null || fail "host cannot ping the new rc4 over rc-h"
assert_ping rc5 10.62.0.24

# 6. rc3 removed: only it goes.
lab 10.62.0.25 10.62.0.24 no >"$DIR/lab.yaml"
assert_eq "$(plan)" "remove node:rc3" "plan of a removed node"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v5 host rc1 rc2 rc4 rc5
same v4 v5 rc1 rc2 rc4 rc5
host_only v4 v5 '^< link [0-9]+ nvrc3-'
assert_eq "$(diff "$DIR/v4.host" "$DIR/v5.host" | grep -c '^<')" 2 "the host lost rc3's two interfaces"
[ ! -e /run/netns/rc3 ] || fail "rc3's namespace is still there"
assert_eq "$(jq -r '.members | map(.ns) | sort | join(" ")' /run/nsnet/networks/rc-a.json)" "rc1 rc2" "rc-a's members"
assert_eq "$(jq -r '.members | map(.ns) | sort | join(" ")' /run/nsnet/networks/rc-b.json)" "rc4 rc5" "rc-b's members"
nsnet pingall rc >/dev/null || fail "pingall after the changes"

# 7. The rc1-rc2 link's addresses changed: the link is readdressed in place; rc1 and
# rc2 keep their namespaces, their other interfaces, and the link's interfaces.
export L12="10.63.0.5/30, 10.63.0.6/30"
lab 10.62.0.25 10.62.0.24 no >"$DIR/lab.yaml"
assert_eq "$(plan)" "update link:rc1:l1|rc2:l2: rc1:l1 10.63.0.1/30 -> 10.63.0.5/30, rc2:l2 10.63.0.2/30 -> 10.63.0.6/30" "plan of a changed link"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v6 host rc1 rc2 rc4 rc5
same v5 v6 host rc4 rc5
for ns in rc1 rc2; do
	changed=$(diff "$DIR/v5.$ns" "$DIR/v6.$ns" | grep '^[<>]' | grep -Ev '^[<>] (link [0-9]+ l[12] |addr l[12] |route[46] [^ ]+ via=- dev=l[12])' || true)
	[ -z "$changed" ] || fail "$ns changed beyond its link end: $(echo "$changed" | paste -sd';')"
	assert_eq "$(grep -c '^inode' "$DIR/v6.$ns")" 1 "$ns's snapshot has its inode"
done
assert_ping rc1 10.63.0.6
assert_no_ping rc1 10.63.0.2

# 8. rc-b's subnet changed: the network is replaced and takes its nodes (rc4, rc5)
# and rc4's link with it; rc-a, rc1 and rc2 are untouched.
export RCB=10.62.0.0/23
lab 10.62.0.25 10.62.0.24 no >"$DIR/lab.yaml"
assert_eq "$(plan | tr ',' '\n' | sort | paste -sd,)" \
	"create link:host:rc-h|rc4:h,create net:rc-b,create node:rc4,create node:rc5,remove link:host:rc-h|rc4:h,remove net:rc-b,remove node:rc4,remove node:rc5" \
	"plan of a changed network"
assert_match "$(plan | paste -sd,)" '^(remove [^,]+,){4}(create [^,]+,){3}create [^,]+$' "removals before creations"
nsnet up "$DIR/lab.yaml" >/dev/null
settle
snap v7 host rc1 rc2 rc4 rc5
SAME_NFT=no same v6 v7 rc1 rc2
# nsnet's table lists each network's subnet: only that may change.
changed=$(diff "$DIR/v6.nft" "$DIR/v7.nft" | grep '^[<>]' | grep -v '10\.62\.0\.0/2[34]' || true)
[ -z "$changed" ] || fail "nftables changed beyond rc-b's subnet: $(echo "$changed" | paste -sd';')"
host_only v6 v7 '^[<>] (link [0-9]+ (rc-b |nvrc4-|nvrc5-|rc-h )|addr (rc-b|rc-h) |route[46] [^ ]+ via=- dev=(rc-b|rc-h))'
assert_eq "$(ip -j -4 addr show rc-b | jq -r '.[0].addr_info[0] | "\(.local)/\(.prefixlen)"')" 10.62.0.1/23 "rc-b's new gateway address"
assert_eq "$(ip -n rc4 -j -4 addr show eth0 | jq -r '.[0].addr_info[0] | "\(.local)/\(.prefixlen)"')" 10.62.0.24/23 "rc4's address in the new subnet"
assert_ping rc5 10.62.0.24
ping -c1 -W2 10.64.0.2 >/dev/null || fail "host cannot ping rc4 over rc-h after the network changed"

nsnet down rc
state_settles_to "$before" "after down"
