#!/bin/bash
# nsnet exec sets up the command's view of the system as ip netns exec does: a mount
# namespace of its own, /sys remounted to show the target's interfaces, and the files
# of /etc/netns/NAME bind-mounted over their /etc counterparts. None of it leaks out.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
cleanup() {
	ip link del sbx0 2>/dev/null || true
	rm -rf /etc/netns/red /etc/netns/blue "$tmp"
	for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

nsnet ns add red blue
ip -n red link add v-red type veth peer name v-red-peer
ip link add sbx0 type veth peer name sbx1

# /sys: the target's interfaces, the same answer ip netns exec gives.
sys_red=$(nsnet exec red -- ls /sys/class/net | tr '\n' ' ')
assert_eq "$sys_red" "lo v-red v-red-peer " "/sys/class/net in red"
assert_eq "$sys_red" "$(ip netns exec red ls /sys/class/net | tr '\n' ' ')" "nsnet vs ip netns exec: /sys"
assert_eq "$(nsnet exec red -- cat /sys/class/net/v-red/address)" \
	"$(ip -n red -j link show v-red | jq -r '.[0].address')" "MAC of v-red through /sys"
assert_eq "$(nsnet exec red -- cat /sys/class/net/v-red/ifindex)" \
	"$(ip -n red -j link show v-red | jq -r '.[0].ifindex')" "ifindex of v-red through /sys"
assert_eq "$(nsnet exec blue -- ls /sys/class/net | tr '\n' ' ')" "lo " "/sys/class/net in blue"
# The caller's /sys is untouched.
assert_eq "$(ls /sys/class/net | tr '\n' ' ')" "lo sbx0 sbx1 " "the sandbox's /sys after exec"

# With no sysfs mounted on /sys at all, the command still gets red's (not the caller's).
assert_eq "$(unshare --mount --propagation private sh -c \
	"umount -l /sys && [ ! -e /sys/class ] && '$NSNET' exec red -- ls /sys/class/net" | tr '\n' ' ')" \
	"lo v-red v-red-peer " "/sys in red when the caller had no sysfs"
# A read-only /sys stays read-only for the command.
assert_match "$(unshare --mount --propagation private sh -c \
	"mount -o remount,bind,ro /sys && '$NSNET' exec red -- findmnt -n -o OPTIONS /sys")" \
	'^ro,' "/sys in red when the caller's is read-only"

# /etc/netns/NAME/*: bound over /etc for that namespace's commands only.
hosts_before=$(cat /etc/hosts)
mkdir -p /etc/netns/red
printf '10.9.8.7 only-in-red\n' >/etc/netns/red/hosts
assert_eq "$(nsnet exec red -- cat /etc/hosts)" "10.9.8.7 only-in-red" "/etc/hosts in red"
assert_eq "$(nsnet exec red -- cat /etc/hosts)" "$(ip netns exec red cat /etc/hosts)" "nsnet vs ip netns exec: /etc/hosts"
assert_eq "$(nsnet exec red -- getent hosts only-in-red | awk '{print $1}')" 10.9.8.7 "getent in red"
assert_eq "$(nsnet exec blue -- cat /etc/hosts)" "$hosts_before" "/etc/hosts in blue (no /etc/netns/blue)"
assert_eq "$(cat /etc/hosts)" "$hosts_before" "the caller's /etc/hosts after exec"
# Several files, and a directory.
mkdir -p /etc/netns/blue/iproute2
printf 'nameserver 10.0.0.53\n' >/etc/netns/blue/resolv.conf
printf '42 blue-table\n' >/etc/netns/blue/iproute2/rt_tables
[ -e /etc/resolv.conf ] || fail "this test needs an /etc/resolv.conf to overlay"
assert_eq "$(nsnet exec blue -- cat /etc/resolv.conf)" "nameserver 10.0.0.53" "/etc/resolv.conf in blue"
assert_eq "$(nsnet exec blue -- cat /etc/iproute2/rt_tables)" "42 blue-table" "/etc/iproute2 directory in blue"
assert_eq "$(nsnet exec blue -- cat /etc/iproute2/rt_tables)" "$(ip netns exec blue cat /etc/iproute2/rt_tables)" \
	"nsnet vs ip netns exec: /etc/iproute2"
[ "$(cat /etc/resolv.conf)" != "nameserver 10.0.0.53" ] || fail "blue's resolv.conf leaked out"

# The command's own mounts stay in its private mount namespace.
mkdir "$tmp/m"
nsnet exec red -- sh -c "mount -t tmpfs tmpfs '$tmp/m' && touch '$tmp/m/inside'"
[ ! -e "$tmp/m/inside" ] || fail "a mount made by the command leaked out"
! grep -q " $tmp/m " /proc/self/mountinfo || fail "the command's mount is visible outside"
# ... and it does not share the caller's mount namespace at all.
[ "$(nsnet exec red -- readlink /proc/self/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] ||
	fail "the command runs in the caller's mount namespace"
