#!/bin/bash
# nsnet as a CNI plugin, through the exec protocol a runtime speaks (tests/cni.sh):
# VERSION; ADD, CHECK and DEL with configurations of every supported version and the
# result in that version's format; the container an ordinary member of an nsnet
# network (net show, publish ls, doctor); bad input is the spec's error object with
# its code and changes nothing. Witnesses: ip (addresses, routes, links), ping,
# socat through a published port, jq on every answer.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cni.sh"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	cni_cleanup
	for n in c1 c2 c3 c4 c5 c6; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
ip netns add c1

# ---- bad input first: each is refused with its code, and nothing is made ----------
cni_call VERSION "" dummy "" '{"cniVersion":"1.1.0"}'
assert_eq "$CNI_RC" 0 "VERSION"
assert_eq "$(jq -c .supportedVersions <<<"$CNI_OUT")" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]' "supported versions"
cni_call VERSION "" dummy "" ''
assert_eq "$(jq -r .cniVersion <<<"$CNI_OUT")" 1.1.0 "VERSION with nothing on stdin"

cni_err 6 'expected' ADD c1 /run/netns/c1 eth0 'not json'
cni_err 1 'cniVersion' ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 'del(.cniVersion)')"
cni_err 1 'incompatible CNI version 0.2.0' ADD c1 /run/netns/c1 eth0 "$(cni_conf 0.2.0)"
cni_err 7 "'name'" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 'del(.name)')"
cni_err 7 "'name'.*only letters" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.name = "a b"')"
cni_err 2 "isGateway.*false" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.isGateway = false')"
cni_err 2 "'vlan': 5" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.vlan = 5')"
cni_err 2 "promiscMode" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.promiscMode = true')"
cni_err 7 "range 10.88.7.100-10.88.7.99 is not a range" ADD c1 /run/netns/c1 eth0 \
	"$(cni_conf 1.0.0 '.ipam.ranges[0][0] += {rangeStart: "10.88.7.100", rangeEnd: "10.88.7.99"}')"
cni_err 7 "range 10.88.7.100-10.88.8.5 is not a range" ADD c1 /run/netns/c1 eth0 \
	"$(cni_conf 1.0.0 '.ipam.ranges[0][0] += {rangeStart: "10.88.7.100", rangeEnd: "10.88.8.5"}')"
cni_err 7 "mtu" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.mtu = "big"')"
cni_err 7 "gateway 10.99.0.1 is not in subnet" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.ipam.ranges[0][0].gateway = "10.99.0.1"')"
cni_err 7 "no subnet" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.ipam = {}')"
cni_err 2 "protocol: sctp" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0 '.runtimeConfig.portMappings = [{hostPort: 80, containerPort: 80, protocol: "sctp"}]')"
cni_err 4 'CNI_COMMAND' "" c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0)"
cni_err 4 "unknown CNI_COMMAND 'FOO'" FOO c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0)"
cni_err 4 'ADD needs CNI_NETNS' ADD c1 "" eth0 "$(cni_conf 1.0.0)"
cni_err 4 'ADD needs CNI_CONTAINERID' ADD "" /run/netns/c1 eth0 "$(cni_conf 1.0.0)"
cni_err 4 'not a container id' ADD '-x' /run/netns/c1 eth0 "$(cni_conf 1.0.0)"
cni_err 4 'CNI_IFNAME.*longer than 15' ADD c1 /run/netns/c1 eth0123456789abcdef "$(cni_conf 1.0.0)"
cni_err 4 'not a network namespace' ADD c1 /proc/self/ns/uts eth0 "$(cni_conf 1.0.0)"
cni_err 4 'not a network namespace' ADD c1 /etc/hostname eth0 "$(cni_conf 1.0.0)"
cni_err 4 'No such file' ADD c1 /run/netns/nope eth0 "$(cni_conf 1.0.0)"
cni_err 1 'CHECK needs cniVersion 0.4.0' CHECK c1 /run/netns/c1 eth0 "$(cni_conf 0.3.1)"
cni_err 1 'GC needs cniVersion 1.1.0' GC c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0)"
cni_err 2 "CNI_ARGS 'FOO': bar" ADD c1 /run/netns/c1 eth0 "$(cni_conf 1.0.0)" "FOO=bar"
assert_eq "$("$NSNET" net ls --json)" "[]" "bad input made a network"
[ ! -e /sys/class/net/cni-t0 ] || fail "bad input made the bridge"
[ -z "$(ip netns exec c1 ip -o link show | grep -v ' lo:')" ] || fail "bad input touched the container"

# ---- ADD, in each version's format ------------------------------------------------
n=0
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	n=$((n + 1))
	ip netns add c$n 2>/dev/null || true
	cni_ok ADD "ctr$n" /run/netns/c$n eth0 "$(cni_conf $v)" "IgnoreUnknown=1;K8S_POD_NAME=p$n;K8S_POD_NAMESPACE=default"
	assert_eq "$(jq -r .cniVersion <<<"$CNI_OUT")" $v "result version"
	addr=$(jq -r '.ips[0].address' <<<"$CNI_OUT")
	assert_match "$addr" '^10\.88\.7\.[0-9]+/24$' "address of ctr$n"
	assert_eq "$(jq -r '.ips[0].gateway' <<<"$CNI_OUT")" 10.88.7.1 "gateway"
	if [ "$v" = 1.0.0 ] || [ "$v" = 1.1.0 ]; then
		assert_eq "$(jq -r '.ips[0] | has("version")' <<<"$CNI_OUT")" false "$v ips without version"
	else
		assert_eq "$(jq -r '.ips[0].version' <<<"$CNI_OUT")" 4 "$v ips with version"
	fi
	# The ip's interface is the container end, with its sandbox.
	idx=$(jq -r '.ips[0].interface' <<<"$CNI_OUT")
	assert_eq "$(jq -r ".interfaces[$idx].name" <<<"$CNI_OUT")" eth0 "ips[0].interface"
	assert_eq "$(jq -r ".interfaces[$idx].sandbox" <<<"$CNI_OUT")" /run/netns/c$n "sandbox"
	assert_eq "$(jq -r ".interfaces[$idx].mac" <<<"$CNI_OUT")" \
		"$(ip netns exec c$n cat /sys/class/net/eth0/address)" "the container end's MAC"
	assert_eq "$(jq -r '.interfaces[0].name' <<<"$CNI_OUT")" cni-t0 "the bridge is interfaces[0]"
	host_if=$(jq -r '.interfaces[1].name' <<<"$CNI_OUT")
	assert_eq "$(basename "$(readlink /sys/class/net/"$host_if"/master)")" cni-t0 "host end is a bridge port"
	assert_eq "$(jq -c '[.routes[].dst]' <<<"$CNI_OUT")" '["0.0.0.0/0"]' "routes"
	# The kernel agrees.
	assert_match "$(ip netns exec c$n ip -4 -o addr show dev eth0)" "inet ${addr%/*}/24" "address in the container"
	assert_match "$(ip netns exec c$n ip route show default)" "default via 10.88.7.1 dev eth0" "default route"
	assert_ping c$n 10.88.7.1
	# The same ADD again (a runtime retrying): the same answer.
	first=$CNI_OUT
	cni_ok ADD "ctr$n" /run/netns/c$n eth0 "$(cni_conf $v)"
	assert_eq "$(jq -c .ips <<<"$CNI_OUT")" "$(jq -c .ips <<<"$first")" "repeated ADD"
	if [ "$v" != 0.3.0 ] && [ "$v" != 0.3.1 ]; then
		cni_ok CHECK "ctr$n" /run/netns/c$n eth0 "$(cni_conf $v ".prevResult = $first")"
	fi
done
assert_ping c1 "$(ip netns exec c5 ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)"

# ---- one engine: net show, publish ls and doctor see the containers --------------
j=$("$NSNET" net show cnitest --json)
assert_eq "$(jq -r '.members | length' <<<"$j")" 5 "members"
assert_eq "$(jq -r '.members[] | select(.ns == "c2") | .cni.container' <<<"$j")" ctr2 "container id in net show"
assert_eq "$(jq -r '.members[] | select(.ns == "c2") | .cni.ifname' <<<"$j")" eth0 "ifname in net show"
assert_eq "$(jq -r '.nat' <<<"$j")" true "ipMasq is the network's NAT"
assert_match "$("$NSNET" net show cnitest)" 'c2 +eth0 .*\(container ctr2\)' "net show text"
"$NSNET" doctor c1 c2 >/dev/null || fail "doctor c1 -> c2 says unreachable"

# A published port (containerd's capitalised keys), answering from the host's
# 127.0.0.1; hostIP limits another to one address.
ip netns add c6
ip netns exec c6 ip link set lo up
cni_ok ADD ctr6 /run/netns/c6 eth0 "$(cni_conf 1.0.0 '.runtimeConfig.portMappings = [{HostPort: 18080, ContainerPort: 80, Protocol: "tcp"}, {hostPort: 18081, containerPort: 81, protocol: "tcp", hostIP: "127.0.0.1"}]')"
ip netns exec c6 socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo web80' & PIDS+=($!)
ip netns exec c6 socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:'echo web81' & PIDS+=($!)
sleep 0.3
assert_eq "$(timeout 5 socat -T2 - TCP:127.0.0.1:18080,connect-timeout=2 </dev/null)" web80 "127.0.0.1:18080"
assert_eq "$(timeout 5 socat -T2 - TCP:127.0.0.1:18081,connect-timeout=2 </dev/null)" web81 "127.0.0.1:18081"
pl=$("$NSNET" publish ls --json)
assert_eq "$(jq -r '.[] | select(.host_port == 18080) | .ns' <<<"$pl")" c6 "publish ls: 18080"
assert_eq "$(jq -r '.[] | select(.host_port == 18081) | .host_ip' <<<"$pl")" 127.0.0.1 "publish ls: hostIP"
# hairpin: the container reaches its own published port through the gateway.
assert_eq "$(ip netns exec c6 timeout 5 socat -T2 - TCP:10.88.7.1:18080,connect-timeout=2 </dev/null)" web80 "hairpin"
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()

# CHECK sees what changed behind the runtime's back.
ip netns exec c3 ip addr flush dev eth0
cni_err 100 'lacks its address' CHECK ctr3 /run/netns/c3 eth0 "$(cni_conf 1.0.0)"
cni_err 100 'has no eth1' CHECK ctr3 /run/netns/c3 eth1 "$(cni_conf 1.0.0)"
cni_err 100 'another namespace' CHECK ctr3 /run/netns/c4 eth0 "$(cni_conf 1.0.0)"

# An existing network must be the configuration's: a different subnet is refused.
cni_err 7 "exists without subnet 10.99.0.0/24" ADD ctrx /run/netns/c1 eth1 \
	"$(cni_conf 1.0.0 '.ipam.ranges[0][0] = {subnet: "10.99.0.0/24"}')"
cni_err 7 "exists with NAT on" ADD ctrx /run/netns/c1 eth1 "$(cni_conf 1.0.0 '.ipMasq = false')"

# ---- DEL: every attachment goes, with its port; DEL again is fine ---------------------
for n in 1 2 3 4 5 6; do
	cni_ok DEL "ctr$n" /run/netns/c$n eth0 "$(cni_conf 1.0.0)"
	[ -z "$(ip netns exec c$n ip -o link show eth0 2>/dev/null)" ] || fail "DEL left eth0 in c$n"
	cni_ok DEL "ctr$n" "" eth0 "$(cni_conf 1.0.0)"
done
assert_eq "$("$NSNET" net show cnitest --json | jq '.members | length')" 0 "members after DEL"
assert_eq "$("$NSNET" publish ls --json)" "[]" "publishes after DEL"
ip netns list | grep -q . || fail "DEL removed the runtime's own namespaces"
