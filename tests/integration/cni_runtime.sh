#!/bin/bash
# What real runtimes do, through the exec protocol (tests/cni.sh): a netns path under
# /proc (ctr) is bound as cni-ID so every nsnet command sees it, and unbound on DEL;
# DEL after the namespace is gone, DEL of what was never added; static addresses and
# MACs from runtimeConfig, args.cni and CNI_ARGS; GC with the valid-attachments list
# (and its older name, and an empty one); STATUS says when the pool is exhausted (50).
# Witnesses: ip, /proc/mounts, ping, jq.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cni.sh"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	cni_cleanup
	"$NSNET" net rm tiny --force >/dev/null 2>&1 || true
	"$NSNET" net rm dual --force >/dev/null 2>&1 || true
	"$NSNET" net rm ranged --force >/dev/null 2>&1 || true
	for n in r1 r2 r3 r4 r5; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
C=$(cni_conf 1.1.0)

# ---- ctr's /proc/PID/ns/net: bound at /run/netns/cni-ID while attached ------------
unshare --net sleep 300 & P=$!; PIDS+=($P)
sleep 0.2
cni_ok ADD 0123456789abcdef0123 /proc/$P/ns/net eth0 "$C"
[ -e /run/netns/cni-0123456789ab ] || fail "the container's namespace is not named cni-0123456789ab"
assert_eq "$(stat -L -c %i /run/netns/cni-0123456789ab)" "$(stat -L -c %i /proc/$P/ns/net)" "the binding is the container's"
assert_eq "$(jq -r '.interfaces[2].sandbox' <<<"$CNI_OUT")" /proc/$P/ns/net "sandbox is the runtime's path"
addr=$(jq -r '.ips[0].address' <<<"$CNI_OUT")
assert_match "$(nsenter --net=/proc/$P/ns/net ip -4 -o addr show eth0)" "${addr%/*}" "address, seen by nsenter"
"$NSNET" show cni-0123456789ab --json | jq -e '.[0].interfaces[] | select(.name == "eth0")' >/dev/null ||
	fail "nsnet show does not see the container"
"$NSNET" doctor cni-0123456789ab host >/dev/null || fail "doctor: container -> host"
# ctr's DEL: empty CNI_NETNS. The binding goes with the attachment.
kill $P; wait $P 2>/dev/null || true
cni_ok DEL 0123456789abcdef0123 "" eth0 "$C"
[ ! -e /run/netns/cni-0123456789ab ] || fail "DEL left the binding"
! grep -q cni-0123456789ab /proc/mounts || fail "DEL left the bind mount"

# ---- DEL after the namespace is gone; DEL of a container never added ---------------
ip netns add r1
cni_ok ADD r1 /run/netns/r1 eth0 "$C"
ip netns del r1
cni_ok DEL r1 /run/netns/r1 eth0 "$C"
cni_ok DEL r1 "" eth0 "$C"
cni_ok DEL never-added "" eth0 "$C"
cni_ok DEL never-added "" eth0 "$(cni_conf 1.1.0 '.name = "nonet"')"
assert_eq "$("$NSNET" net show cnitest --json | jq '.members | length')" 0 "members"

# ---- addresses and MACs the runtime asks for -----------------------------------------
ip netns add r2
cni_ok ADD r2 /run/netns/r2 eth0 "$(cni_conf 1.1.0 '.runtimeConfig = {ips: ["10.88.7.50/24"], mac: "02:00:00:00:00:50"}')"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.88.7.50/24 "runtimeConfig ips"
assert_eq "$(ip netns exec r2 cat /sys/class/net/eth0/address)" 02:00:00:00:00:50 "runtimeConfig mac"
ip netns add r3
cni_ok ADD r3 /run/netns/r3 net1 "$(cni_conf 0.4.0 '.args = {cni: {ips: ["10.88.7.51"], mac: "02:00:00:00:00:51"}}')"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.88.7.51/24 "args.cni ips"
assert_eq "$(ip netns exec r3 cat /sys/class/net/net1/address)" 02:00:00:00:00:51 "args.cni mac"
ip netns add r4
cni_ok ADD r4 /run/netns/r4 eth0 "$C" "IgnoreUnknown=1;IP=10.88.7.52;MAC=02:00:00:00:00:52;K8S_POD_NAME=x"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.88.7.52/24 "CNI_ARGS IP"
assert_eq "$(ip netns exec r4 cat /sys/class/net/eth0/address)" 02:00:00:00:00:52 "CNI_ARGS MAC"
ip netns add r5
cni_err 999 'already in use' ADD r5 /run/netns/r5 eth0 "$C" "IP=10.88.7.52"
cni_err 7 'is outside the usable range' ADD r5 /run/netns/r5 eth0 "$C" "IP=10.88.8.5"
cni_err 7 'not a MAC address' ADD r5 /run/netns/r5 eth0 "$C" "MAC=zz"
[ -z "$(ip netns exec r5 ip -o link show | grep -v ' lo:')" ] || fail "a refused ADD touched r5"
assert_ping r2 10.88.7.51

# ---- GC: everything not in the valid list goes --------------------------------------
cni_ok ADD r5 /run/netns/r5 eth0 "$C"
before=$(ip -o link show master cni-t0 | wc -l)
assert_eq "$before" 4 "bridge ports before GC"
cni_ok GC "" "" "" "$(cni_conf 1.1.0 '."cni.dev/valid-attachments" = [{containerID: "r2", ifname: "eth0"}, {containerID: "r3", ifname: "net1"}]')"
m=$("$NSNET" net show cnitest --json | jq -c '[.members[].cni.container] | sort')
assert_eq "$m" '["r2","r3"]' "members after GC"
assert_eq "$(ip -o link show master cni-t0 | wc -l)" 2 "bridge ports after GC"
[ -z "$(ip netns exec r4 ip -o link show eth0 2>/dev/null)" ] || fail "GC left r4's interface"
# The older key, then an empty list: release everything.
cni_ok GC "" "" "" "$(cni_conf 1.1.0 '."cni.dev/attachments" = [{containerID: "r2", ifname: "eth0"}]')"
assert_eq "$("$NSNET" net show cnitest --json | jq -c '[.members[].cni.container]')" '["r2"]' "GC with cni.dev/attachments"
cni_ok GC "" "" "" "$(cni_conf 1.1.0 '."cni.dev/valid-attachments" = []')"
assert_eq "$("$NSNET" net show cnitest --json | jq '.members | length')" 0 "GC with an empty list"
[ -e /run/nsnet/state.lock ] || fail "GC removed the lock file"
# Namespaces attached by hand are not the runtime's: GC leaves them.
"$NSNET" net attach cnitest r1 2>/dev/null || { ip netns add r1; "$NSNET" net attach cnitest r1; }
cni_ok GC "" "" "" "$(cni_conf 1.1.0 '."cni.dev/valid-attachments" = []')"
assert_eq "$("$NSNET" net show cnitest --json | jq -r '.members[].ns')" r1 "GC left the hand-attached namespace"
"$NSNET" net detach cnitest r1

# ---- STATUS: 50 once no address is left -----------------------------------------------
T=$(cni_conf 1.1.0 '.name = "tiny" | .bridge = "cni-tiny" | .ipam.ranges = [[{subnet: "10.89.0.0/30"}]]')
cni_ok STATUS "" "" "" "$T"
cni_ok ADD r5 /run/netns/r5 eth1 "$T"
cni_err 50 'no free address left in 10.89.0.0/30' STATUS "" "" "" "$T"
cni_err 999 'no free address' ADD r4 /run/netns/r4 eth1 "$T"
cni_ok DEL r5 "" eth1 "$T"
cni_ok STATUS "" "" "" "$T"
# host-local's rangeStart and rangeEnd: addresses from that range only.
R=$(cni_conf 1.1.0 '.name = "ranged" | .bridge = "cni-rng" | .ipam.ranges = [[{subnet: "10.92.0.0/24", rangeStart: "10.92.0.100", rangeEnd: "10.92.0.101"}]]')
cni_ok ADD r4 /run/netns/r4 eth1 "$R"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.92.0.100/24 "the range's first address"
cni_ok ADD r5 /run/netns/r5 eth1 "$R"
assert_eq "$(jq -r '.ips[0].address' <<<"$CNI_OUT")" 10.92.0.101/24 "the range's last address"
assert_match "$("$NSNET" net show ranged)" 'free 0  range 10.92.0.100-10.92.0.101' "net show shows the range"
cni_err 50 'no free address left in 10.92.0.0/24' STATUS "" "" "" "$R"
cni_err 7 'is outside the usable range' ADD r2 /run/netns/r2 eth1 "$R" "IP=10.92.0.50"
cni_err 7 'exists with range 10.92.0.100-10.92.0.101, the configuration says the whole subnet' ADD r2 /run/netns/r2 eth1 \
	"$(jq -c 'del(.ipam.ranges[0][0].rangeStart, .ipam.ranges[0][0].rangeEnd)' <<<"$R")"
cni_ok DEL r4 "" eth1 "$R"
cni_ok DEL r5 "" eth1 "$R"
"$NSNET" net rm ranged
ip link set cni-tiny down; ip link del cni-tiny
cni_err 50 'bridge cni-tiny of network .tiny. is gone' STATUS "" "" "" "$T"

# ---- dual stack: one range set per family ------------------------------------------
D=$(cni_conf 1.1.0 '.name = "dual" | .bridge = "cni-dual" | .ipam.ranges = [[{subnet: "10.91.0.0/24"}], [{subnet: "fd00:91::/64"}]] | .ipam.routes = [{dst: "0.0.0.0/0"}, {dst: "::/0"}]')
ip netns add r1 2>/dev/null || true
cni_ok ADD r1 /run/netns/r1 eth0 "$D"
assert_eq "$(jq -c '[.ips[].address]' <<<"$CNI_OUT")" '["10.91.0.2/24","fd00:91::2/64"]' "dual-stack addresses"
assert_eq "$(jq -c '[.ips[].gateway]' <<<"$CNI_OUT")" '["10.91.0.1","fd00:91::1"]' "dual-stack gateways"
assert_match "$(ip netns exec r1 ip -6 route show default)" 'default via fd00:91::1 dev eth0' "IPv6 default route"
ip netns exec r1 ping -6 -c1 -W2 fd00:91::1 >/dev/null || fail "r1 cannot ping fd00:91::1"
cni_ok DEL r1 /run/netns/r1 eth0 "$D"
"$NSNET" net rm dual

# ---- a binding goes with its last membership, whoever ends it: net rm --force, gc ----
unshare --net sleep 300 & P=$!; PIDS+=($P)
sleep 0.2
cni_ok ADD bound1 /proc/$P/ns/net eth0 "$C"
[ -e /run/netns/cni-bound1 ] || fail "no binding for bound1"
"$NSNET" net rm cnitest --force
[ ! -e /run/netns/cni-bound1 ] || fail "net rm --force left the container's binding"
cni_ok ADD bound2 /proc/$P/ns/net eth0 "$C"
# A record whose member vanished behind nsnet's back (its state file edited away) is
# swept by gc.
jq '.members = []' /run/nsnet/networks/cnitest.json >/run/nsnet/networks/cnitest.json.new
mv /run/nsnet/networks/cnitest.json.new /run/nsnet/networks/cnitest.json
"$NSNET" gc >/dev/null
[ ! -e /run/netns/cni-bound2 ] || fail "gc left a binding no member uses"
