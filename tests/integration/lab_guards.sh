#!/bin/bash
# Labs, second round (issue 12): a lab file with only a name is recorded (status
# and ls know it, down removes it); `up LAB` re-applies the lab's recorded file
# (its edits included), or its recorded source when the file is gone; graph of a
# running lab shows the address the pool gave; exit codes follow one rule (0
# healthy, 1 failed or degraded, 2 bad arguments or an unreadable file) and every
# error says its command; `ns del` of a lab's node and `net attach` into a lab's
# network are refused unless forced, and nothing changes when they are.
# Witnesses: ls /run/netns, ip addr in the nodes, the lab's records, nft.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; "$NSNET" ns del --force intruder >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

# 1. A lab with only a name.
printf 'name: bare\n' >"$DIR/bare.yaml"
nsnet up "$DIR/bare.yaml" >/dev/null
assert_eq "$(nsnet status bare --json | jq -r .status)" up "status of a lab with no elements"
assert_match "$(nsnet ls)" "^bare +up +0 +0 +0 +$DIR/bare.yaml$" "ls lists it"
nsnet down bare
expect_err 1 "^nsnet: status: lab 'bare' not found$" "$NSNET" status bare

# 2. up LAB: the recorded file, with its edits; the recorded source once it is gone.
cat >"$DIR/g.yaml" <<'EOF2'
name: g
networks:
  gnet: {subnet: 10.63.0.0/24}
nodes:
  g1: {interfaces: [{network: gnet}]}
  g2: {interfaces: [{network: gnet}]}
EOF2
nsnet up "$DIR/g.yaml" >/dev/null
g1_ip=$(ip -n g1 -4 -j addr show eth0 | jq -r '.[0].addr_info[0].local')
assert_match "$(nsnet up g)" "is up to date" "up LAB of an unchanged lab"
printf '  g3: {interfaces: [{network: gnet}]}\n' >>"$DIR/g.yaml"
assert_match "$(nsnet up g --dry-run)" "create node:g3" "up LAB reads the edited file"
nsnet up g >/dev/null
[ -e /run/netns/g3 ] || fail "up LAB did not apply the edit"
rm "$DIR/g.yaml"
ip netns del g3
assert_match "$(nsnet up g)" "is up \\(" "up LAB without its file repairs from the recorded source"
[ -e /run/netns/g3 ] || fail "up LAB from the recorded source did not make g3 again"
expect_err 1 "^nsnet: up: 'nolab' is neither a lab file nor a lab that is up$" "$NSNET" up nolab

# 3. graph of a running lab: the addresses the pool gave.
dot=$(nsnet graph g)
echo "$dot" | grep -qF "\"node/g1\" -- \"net/gnet\" [label=\"eth0\\n$g1_ip\"]" || fail "graph does not show g1's address $g1_ip: $dot"
assert_no_match "$dot" "from the pool" "graph of a running lab"

# 4. Exit codes, and every error line says its command.
expect_err 2 "^nsnet: up: open $DIR/none.yaml: No such file or directory$" "$NSNET" up "$DIR/none.yaml"
expect_err 2 "^nsnet: status: open $DIR/none.yaml: " "$NSNET" status "$DIR/none.yaml"
expect_err 2 "^nsnet: down: " "$NSNET" down "$DIR/none.yaml"
expect_err 2 "^nsnet: net create: " "$NSNET" net create bad --subnet 10.0.0.0/33
expect_err 2 "^nsnet: connect: invalid MTU '70000': must be 68..65535" "$NSNET" connect g1 g2 --mtu 70000
expect_err 2 "^nsnet: ls: unknown option" "$NSNET" ls --bogus
assert_eq "$(nsnet --json ls | jq -r '.[].name')" g "global --json before the verb"
fw=$(nsnet fw status --json)
assert_eq "$(echo "$fw" | jq -c '[.present, .in_sync, (.ip_forward|type)]')" '[true,true,"boolean"]' "fw status --json booleans"
nft delete table inet nsnet
expect_rc 1 "$NSNET" fw status
nsnet fw restore >/dev/null
expect_rc 0 "$NSNET" fw status

# A lab left half-applied by a killed up is not healthy: status exits 1 and says so.
if command -v strace >/dev/null; then
	printf 'name: half\nnodes:\n  h1: {}\n  h2: {}\nlinks:\n  - endpoints: [h1:e0, h2:e0]\n' >"$DIR/half.yaml"
	strace -f -qq -o /dev/null -e trace=mount -e inject=mount:signal=KILL:when=2 "$NSNET" up "$DIR/half.yaml" \
		>/dev/null 2>&1 || true
	expect_rc 1 "$NSNET" status half
	assert_eq "$("$NSNET" status half --json | jq -c '[.status, .interrupted]')" '["applying",true]' "status of a killed up"
	assert_match "$("$NSNET" status half || true)" "^lab half: applying \(the up applying it was killed; 'nsnet gc' undoes it\)" "status text"
	nsnet gc >/dev/null
	expect_err 1 "not found" "$NSNET" status half
fi

# 5. Guard rails.
before=$(ls /run/netns | paste -sd' ')
expect_err 1 "^nsnet: ns del: namespace 'g1' is a node of lab 'g': 'nsnet down g' removes the lab" "$NSNET" ns del g1
assert_eq "$(ls /run/netns | paste -sd' ')" "$before" "a refused ns del deletes nothing"
nsnet ns add intruder
expect_err 1 "^nsnet: net attach: network 'gnet' belongs to lab 'g'" "$NSNET" net attach gnet intruder
assert_eq "$(ip -n intruder -o link show | wc -l)" 1 "a refused attach made no interface"
assert_eq "$(nsnet net show gnet --json | jq '.members | length')" 3 "a refused attach added no member"
nsnet net attach gnet intruder --force
assert_eq "$(nsnet net show gnet --json | jq '.members | length')" 4 "attach --force into a lab's network"
nsnet net detach gnet intruder
nsnet ns del intruder
nsnet ns del --force g2
expect_rc 1 "$NSNET" status g
nsnet up g >/dev/null
expect_rc 0 "$NSNET" status g
nsnet down g
assert_eq "$(ls /run/netns)" "" "down leaves no namespace"
