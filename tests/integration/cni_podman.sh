#!/bin/bash
# podman 4 (CNI backend) drives the CNI plugin under test (CNI_TYPE: nsnet, the default,
# or bridge, the reference bridge + host-local + portmap) on network cnitest
# (10.88.7.0/24, gateway 10.88.7.1): a busybox container gets an address there and
# pings the gateway; its published port (-p 8080:80) answers from the host's
# 127.0.0.1:8080, from another container on the gateway address and from itself
# (hairpin); after `podman rm -f` nothing of it remains (veth, namespace, address,
# port). With nsnet, `nsnet net show` lists the container (id, ifname, netns) and
# `nsnet publish ls` its port. Witnesses: podman inspect, ip, nft, socat, busybox nc.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../engines.sh"

cni_test_config 0.4.0
cleanup() { podman_cleanup; cni_test_cleanup; }
trap cleanup EXIT
podman_setup "$CNI_PLUGIN_DIR" "$CNI_CONFLIST"
note "plugin under test: $CNI_TYPE"

# ask ADDR PORT: what the TCP server there answers, from the host ("" when nothing).
ask() { timeout 5 socat -T2 - "TCP:$1:$2,connect-timeout=2" </dev/null 2>/dev/null || true; }
# in_subnet ADDR: ADDR is a host address of 10.88.7.0/24 other than the gateway.
in_subnet() { [[ $1 =~ ^10\.88\.7\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] && [ "${BASH_REMATCH[1]}" -le 254 ]; }

# A server container: busybox nc answers "hello" to each connection on port 80.
podman run -d --name web --network cnitest -p 8080:80 localhost/bb nc -ll -p 80 -e echo hello >/dev/null ||
	fail "podman run on network cnitest failed (podman's error is above; note that podman ignores a network whose plugin fails VERSION or lacks its cniVersion)"
info=$(podman inspect web)
cid=$(jq -r '.[0].Id' <<<"$info")
ip=$(jq -r '.[0].NetworkSettings.Networks.cnitest.IPAddress' <<<"$info")
netns=$(jq -r '.[0].NetworkSettings.SandboxKey' <<<"$info")
in_subnet "$ip" || fail "podman says the container's address is '$ip', not one of 10.88.7.0/24"
assert_match "$(podman exec web ip -4 -o addr show dev eth0)" "inet $ip/24 " "eth0 inside the container"
assert_match "$(podman exec web ip route show default)" "^default via 10\.88\.7\.1 dev eth0" "default route"
podman exec web ping -c1 -W2 10.88.7.1 >/dev/null || fail "the container cannot ping its gateway 10.88.7.1"
[ -e "$netns" ] || fail "podman's network namespace '$netns' does not exist"

# The published port, once the server listens.
for _ in $(seq 50); do
	[ "$(ask 127.0.0.1 8080)" = hello ] && break
	sleep 0.1
done
assert_eq "$(ask 127.0.0.1 8080)" hello "host to 127.0.0.1:8080"
assert_eq "$(podman run --rm --network cnitest localhost/bb nc -w 3 10.88.7.1 8080 </dev/null)" hello \
	"another container to the gateway's 10.88.7.1:8080"
assert_eq "$(podman exec web nc -w 3 10.88.7.1 8080 </dev/null)" hello "hairpin: the container to its own published port"
assert_eq "$(ip -o link show type veth | wc -l)" 1 "one veth on the host: web's (the client's went with it)"

if [ "$CNI_TYPE" = nsnet ]; then
	show=$("$NSNET" --json net show cnitest)
	assert_eq "$("$NSNET" net show cnitest --json)" "$show" "--json before or after the verb"
	member=$(jq -c --arg id "$cid" '[.members[] | select(.cni.container == $id)]' <<<"$show")
	assert_eq "$(jq length <<<"$member")" 1 "members of cnitest with the container's id"
	assert_eq "$(jq -r '.[0].cni.ifname' <<<"$member")" eth0 "its CNI ifname"
	assert_eq "$(jq -r '.[0].cni.netns' <<<"$member")" "$netns" "its CNI netns"
	assert_match "$(jq -r '.[0].ips[]' <<<"$member")" "^$ip/24$" "its address"
	text=$("$NSNET" net show cnitest)
	assert_match "$text" "${cid:0:12}" "net show names the container"
	assert_match "$text" "eth0" "net show names its ifname"
	assert_match "$("$NSNET" publish ls)" "8080" "publish ls"
	assert_eq "$("$NSNET" publish ls --json | jq -c '[.[] | select(.host_port == 8080) | [.proto, .port, .ip]]')" \
		"[[\"tcp\",80,\"$ip\"]]" "publish ls --json"
fi

# Removal: the plugin's DEL takes the veth, the namespace, the port and the address.
podman rm -f -t 0 web >/dev/null
assert_eq "$(podman ps -aq)" "" "containers after rm"
assert_eq "$(ls -A /run/netns)" "" "named namespaces after rm"
assert_eq "$(ask 127.0.0.1 8080)" "" "127.0.0.1:8080 after rm"
assert_no_match "$(nft list ruleset)" "8080" "nft rules for port 8080 after rm"
cni_test_assert_released
if [ "$CNI_TYPE" = nsnet ]; then
	assert_eq "$("$NSNET" publish ls --json | jq -c '[.[] | select(.host_port == 8080)]')" "[]" "publish ls after rm"
fi
note "ok"
