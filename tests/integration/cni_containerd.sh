#!/bin/bash
# containerd 1.6's `ctr run --rm --cni` drives the CNI plugin under test (CNI_TYPE:
# nsnet, the default, or bridge, the reference bridge + host-local + portmap) through
# /etc/cni/net.d and /opt/cni/bin (the sandbox's): a busybox container gets an address
# of 10.88.7.0/24 with a default route via 10.88.7.1 and pings it; a running container
# answers the host's ping (and, with nsnet, `nsnet net show` lists it: id
# default-ID, ifname eth0, netns /proc/PID/ns/net); once the containers are gone nothing
# of them remains (veth, address). Witnesses: what the container prints, ip, ping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../engines.sh"

cni_test_config 1.0.0
RUNNING=""
cleanup() {
	[ -z "$RUNNING" ] || kill "$RUNNING" 2>/dev/null || true
	containerd_cleanup
	cni_test_cleanup
}
trap cleanup EXIT
containerd_setup "$CNI_PLUGIN_DIR" "$CNI_CONFLIST"
note "plugin under test: $CNI_TYPE"

# in_subnet ADDR: ADDR is a host address of 10.88.7.0/24 other than the gateway.
in_subnet() { [[ $1 =~ ^10\.88\.7\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] && [ "${BASH_REMATCH[1]}" -le 254 ]; }

# A container that reports its address and route and pings its gateway, then exits.
out=$(ctr_run_cni c1 sh -c 'ip -4 -o addr show dev eth0; ip route show default
	ping -c1 -W2 10.88.7.1 >/dev/null && echo ping-ok') || fail "ctr run --cni c1 failed: $out"
ip=$(sed -n 's/.* inet \([0-9.]*\)\/24 .*/\1/p' <<<"$out")
in_subnet "$ip" || fail "the container's eth0 has no address of 10.88.7.0/24: $out"
assert_match "$out" "default via 10\.88\.7\.1 dev eth0" "the container's default route"
assert_match "$out" "^ping-ok$" "the container pings its gateway"
assert_eq "$(ctr containers ls -q)" "" "containers after ctr run --rm"
cni_test_assert_released

# A container that stays up until killed: the host reaches it.
ctr run --rm --cni --cgroup "$ENG_CGROUP/c2" localhost/bb:latest c2 \
	sh -c 'ip -4 -o addr show dev eth0 >/tmp/addr; while :; do sleep 1; done' >/dev/null 2>&1 &
RUNNING=$!
pid=""
for _ in $(seq 100); do
	pid=$(ctr tasks ls 2>/dev/null | awk '$1 == "c2" && $3 == "RUNNING" { print $2 }')
	[ -n "$pid" ] && ctr tasks exec --exec-id probe c2 cat /tmp/addr >/dev/null 2>&1 && break
	sleep 0.1
done
[ -n "$pid" ] || fail "container c2 did not start"
ip2=$(ctr tasks exec --exec-id addr c2 cat /tmp/addr | sed -n 's/.* inet \([0-9.]*\)\/24 .*/\1/p')
in_subnet "$ip2" || fail "c2's address '$ip2' is not one of 10.88.7.0/24"
ping -c1 -W2 "$ip2" >/dev/null || fail "the host cannot ping c2 at $ip2"
if [ "$CNI_TYPE" = nsnet ]; then
	member=$("$NSNET" --json net show cnitest | jq -c '[.members[] | select(.cni.container == "default-c2")]')
	assert_eq "$(jq length <<<"$member")" 1 "members of cnitest with container id default-c2"
	assert_eq "$(jq -r '.[0].cni.ifname' <<<"$member")" eth0 "its CNI ifname"
	assert_eq "$(jq -r '.[0].cni.netns' <<<"$member")" "/proc/$pid/ns/net" "its CNI netns"
	assert_match "$(jq -r '.[0].ips[]' <<<"$member")" "^$ip2/24$" "its address"
	assert_match "$("$NSNET" net show cnitest)" "default-c2" "net show names the container"
fi
# Killed, the container goes; ctr's --rm runs the plugin's DEL.
ctr tasks kill -s KILL c2
wait "$RUNNING" || true
RUNNING=""
assert_eq "$(ctr containers ls -q)" "" "containers after c2 was killed"
cni_test_assert_released
note "ok"
