#!/bin/bash
# Names for the CNI plugin's containers (issue 14.3): containers on one network
# resolve each other by their namespace's name and the host as cnitest-gateway
# (a container given as /proc/PID/ns/net by the name nsnet binds it at, cni-ID);
# DEL takes a container's name out of the others' files and removes its own; GC
# too. Witnesses: getent and ping through `ip netns exec`, ls /etc/netns.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cni.sh"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	cni_cleanup
	for n in k1 k2; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
C=$(cni_conf 1.1.0)
knows() { ip netns exec "$1" getent -s files hosts "$2" >/dev/null; }
in4() { ip netns exec "$1" getent -s files ahostsv4 "$2" | awk 'NR == 1 { print $1 }'; }

ip netns add k1
ip netns add k2
cni_ok ADD k1 /run/netns/k1 eth0 "$C"
k1=$(jq -r '.ips[0].address' <<<"$CNI_OUT")
cni_ok ADD k2 /run/netns/k2 eth0 "$C"
k2=$(jq -r '.ips[0].address' <<<"$CNI_OUT")
assert_eq "$(in4 k1 k2)" "${k2%/*}" "k1 resolves k2"
assert_eq "$(in4 k2 k1)" "${k1%/*}" "k2 resolves k1"
assert_eq "$(in4 k1 cnitest-gateway)" 10.88.7.1 "the gateway's name"
ip netns exec k2 ping -c1 -W2 k1 >/dev/null || fail "k2 cannot ping k1 by name"

# ctr's way: /proc/PID/ns/net, bound as cni-ID.
unshare --net sleep 300 & P=$!; PIDS+=($P)
sleep 0.2
cni_ok ADD 0123456789abcdef0123 /proc/$P/ns/net eth0 "$C"
knows k1 cni-0123456789ab || fail "k1 does not resolve the bound container"
knows cni-0123456789ab k1 || fail "the bound container does not resolve k1"

cni_ok DEL k2 /run/netns/k2 eth0 "$C"
! knows k1 k2 || fail "k1 still resolves k2 after its DEL"
[ ! -e /etc/netns/k2 ] || fail "k2's file stayed after its DEL"
# GC with only k1 still valid: the bound container goes, names and all.
cni_ok GC "" "" "" "$(cni_conf 1.1.0 '.["cni.dev/valid-attachments"] = [{containerID: "k1", ifname: "eth0"}]')"
[ ! -e /etc/netns/cni-0123456789ab ] || fail "the bound container's file stayed after GC"
! knows k1 cni-0123456789ab || fail "k1 still resolves the container GC removed"
cni_ok DEL k1 /run/netns/k1 eth0 "$C"
assert_eq "$(ls -A /etc/netns)" "" "/etc/netns after the last DEL"
