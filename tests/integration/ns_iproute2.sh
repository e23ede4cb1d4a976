#!/bin/bash
# iproute2 compatibility, both ways: namespaces made by nsnet are ordinary
# `ip netns` namespaces, and nsnet sees and uses the ones `ip netns add` made.
. "$(dirname "$0")/../lib.sh"
cleanup() { for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT

netns_id() { stat -L -c '%d:%i' "/run/netns/$1"; }

# nsnet -> iproute2
nsnet ns add red
[ -f /run/netns/red ] || fail "/run/netns/red is not a file"
assert_match "$(findmnt -n -o FSTYPE /run/netns/red)" '^nsfs$' "/run/netns/red is not an nsfs bind mount"
# /run/netns is a shared mount, as iproute2 makes it, so removals propagate.
assert_match "$(findmnt -n -o PROPAGATION /run/netns)" 'shared' "/run/netns propagation"
assert_eq "$(ip netns list | awk '{print $1}')" red "ip netns list"
assert_eq "$(ip -j netns list | jq -r '.[].name')" red "ip -j netns list"
# ip netns exec enters exactly the namespace bound at /run/netns/red.
inode=$(stat -L -c %i /run/netns/red)
assert_eq "$(ip netns exec red stat -L -c %i /proc/self/ns/net)" "$inode" "ip netns exec red: netns inode"
assert_eq "$(ip netns exec red ip -o link show | awk -F': ' '{print $2}')" lo "ip netns exec red: links"
[ "$(stat -L -c %i /proc/self/ns/net)" != "$inode" ] || fail "red is the sandbox's own namespace"
# ip netns identify names a process inside it.
assert_eq "$(nsnet exec red -- ip netns identify)" red "ip netns identify from nsnet exec"
# Things made with ip inside are seen through nsnet exec, and the other way round.
ip -n red link add v0 type veth peer name v1
assert_match "$(nsnet exec red -- ip -o link show v0)" 'v0@v1' "nsnet exec sees a link made by ip -n"
nsnet exec red -- ip link del v0
! ip -n red link show v0 >/dev/null 2>&1 || fail "ip -n red still sees v0 deleted through nsnet exec"
# ip netns del removes nsnet's namespace.
ip netns del red
assert_eq "$(nsnet ns list)" "" "nsnet ns list after ip netns del"

# iproute2 -> nsnet
ip netns add ipr
assert_eq "$(nsnet ns list)" ipr "nsnet ns list sees ip netns add"
assert_eq "$(nsnet ns list --json | jq -c '[.[].name]')" '["ipr"]' "nsnet ns list --json"
assert_eq "$(nsnet exec ipr -- stat -L -c %i /proc/self/ns/net)" "$(stat -L -c %i /run/netns/ipr)" \
	"nsnet exec ipr: netns inode"
assert_eq "$(nsnet exec ipr -- ip netns identify)" ipr "ip netns identify under nsnet exec ipr"
# pids agree with ip netns pids.
ip netns exec ipr sleep 60 &
sleeper=$!
for _ in $(seq 50); do [ -n "$(ip netns pids ipr)" ] && break; sleep 0.05; done
assert_eq "$(nsnet ns pids ipr)" "$(ip netns pids ipr)" "nsnet ns pids vs ip netns pids"
assert_eq "$(nsnet ns pids ipr --json | jq -c .)" "[$sleeper]" "nsnet ns pids --json"
kill "$sleeper"
wait "$sleeper" 2>/dev/null || true
# nsnet removes it, and iproute2 agrees it is gone.
nsnet ns del ipr
assert_eq "$(ip netns list)" "" "ip netns list after nsnet ns del"
[ ! -e /run/netns/ipr ] || fail "/run/netns/ipr still exists"

# Both tools in one directory: nsnet adds next to ip's, sorted list.
ip netns add zeta
nsnet ns add alpha
assert_eq "$(nsnet ns list | tr '\n' ' ')" "alpha zeta " "mixed list"
assert_eq "$(ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" "alpha zeta " "ip sees both"
nsnet ns del zeta
ip netns del alpha
assert_eq "$(ls -A /run/netns)" "" "/run/netns empty"
