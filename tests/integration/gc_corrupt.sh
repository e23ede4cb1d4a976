#!/bin/bash
# A corrupt state file (issue 10, defect 5): `down` and `net rm` fail naming the file
# instead of reporting success and leaving the nft table, publish files and fw.json
# behind; `nsnet gc` sets the file aside (FILE.corrupt) and cleans up from the
# kernel's side: the bridge that says it is the network's (its alias), its ports,
# nsnet's nft elements no state backs, stale publishes, forwarding.
# Witnesses: ip link, nft, /proc/sys, the files under /run/nsnet.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() {
	"$NSNET" down gcc >/dev/null 2>&1 || true
	"$NSNET" net rm --force gcc-solo >/dev/null 2>&1 || true
	"$NSNET" gc >/dev/null 2>&1 || true
	rm -f /run/nsnet/networks/*.corrupt /run/nsnet/fw.json.corrupt
	ip netns del gcc-x 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)

cat >"$DIR/lab.yaml" <<'EOF'
name: gcc
networks:
  gcc-net:
    subnet: 10.93.0.0/24
    nat: true
nodes:
  gcc-a:
    interfaces:
      - network: gcc-net
    publish:
      - host_port: 8080
        port: 80
  gcc-b:
    interfaces:
      - network: gcc-net
EOF
nsnet up "$DIR/lab.yaml" >/dev/null
assert_eq "$(ip -j -d link show gcc-net | jq -r '.[0].ifalias')" "nsnet:net:gcc-net" "the bridge says whose it is"

# 1. The lab's network file is corrupt: down fails, naming it, and keeps the lab.
echo '{"name": "gcc-net", "members": [' >/run/nsnet/networks/gcc-net.json
expect_err 1 "/run/nsnet/networks/gcc-net.json:.*corrupt state" "$NSNET" down gcc
[ -e /run/nsnet/labs/gcc.json ] || fail "down forgot the lab although it failed"

# 2. gc sets the file aside and removes the network from the kernel's side.
out=$(nsnet gc)
assert_match "$out" "set aside corrupt state file /run/nsnet/networks/gcc-net.json" "gc names the corrupt file"
[ -e /run/nsnet/networks/gcc-net.json.corrupt ] || fail "corrupt file not kept for inspection"
! ip link show gcc-net >/dev/null 2>&1 || fail "bridge gcc-net left after gc"
[ -z "$(ip -o link show type veth)" ] || fail "veths left after gc: $(ip -o link show type veth)"
! nft list table inet nsnet >/dev/null 2>&1 || fail "nsnet's table left: $(nft list table inet nsnet)"
[ -z "$(ls -A /run/nsnet/publish 2>/dev/null)" ] || fail "publish files left: $(ls /run/nsnet/publish)"
[ ! -e /run/nsnet/fw.json ] || fail "fw.json left: $(cat /run/nsnet/fw.json)"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd_before" "ip_forward given back"
# 3. down now removes the rest (the nodes).
nsnet down gcc >/dev/null
rm -f /run/nsnet/networks/gcc-net.json.corrupt
state_settles_to "$before" "after gc and down"

# 4. A standalone network: net rm fails naming the file; gc cleans up.
ip netns add gcc-x
nsnet net create gcc-solo --subnet 10.94.0.0/24 --nat >/dev/null
nsnet net attach gcc-solo gcc-x >/dev/null
nsnet publish 8081 gcc-x:80 >/dev/null
echo 'not json' >/run/nsnet/networks/gcc-solo.json
expect_err 1 "/run/nsnet/networks/gcc-solo.json:.*corrupt state" "$NSNET" net rm --force gcc-solo
ip link show gcc-solo >/dev/null 2>&1 || fail "a failed net rm removed the bridge"
out=$(nsnet gc)
assert_match "$out" "removed bridge gcc-solo" "gc removes the orphaned bridge"
! ip link show gcc-solo >/dev/null 2>&1 || fail "bridge gcc-solo left after gc"
[ -z "$(ip -n gcc-x -o link show type veth)" ] || fail "gcc-x still has its veth"
! nft list table inet nsnet >/dev/null 2>&1 || fail "nsnet's table left after gc"
[ ! -e /run/nsnet/fw.json ] || fail "fw.json left: $(cat /run/nsnet/fw.json)"

# 5. A corrupt fw.json: gc sets it aside (the forwarding it recorded is said lost).
nsnet net create gcc-solo --subnet 10.94.0.0/24 >/dev/null
echo '[' >/run/nsnet/fw.json
expect_err 1 "/run/nsnet/fw.json" "$NSNET" net rm gcc-solo
out=$(nsnet gc)
assert_match "$out" "set aside corrupt state file /run/nsnet/fw.json" "gc sets fw.json aside"
# The rm had begun (its journal entry says so): gc finished it.
assert_match "$out" "finished the interrupted 'net-rm'" "gc finishes the rm"
expect_err 1 "network 'gcc-solo' not found" "$NSNET" net rm gcc-solo
ip netns del gcc-x
rm -f /run/nsnet/fw.json.corrupt /run/nsnet/networks/*.corrupt
state_settles_to "$before" "at the end"
