#!/bin/bash
# ns del with processes still inside (refused, pids listed, unless --force), and
# removal of a name whose mount leaked into other mount namespaces (EBUSY cases).
. "$(dirname "$0")/../lib.sh"
helpers=()
cleanup() {
	for p in "${helpers[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

# wait_for DESCRIPTION CMD...: poll CMD for up to 5 s.
wait_for() {
	local what=$1; shift
	for _ in $(seq 100); do "$@" && return 0; sleep 0.05; done
	fail "timed out waiting for $what"
}
has_pid() { nsnet ns pids "$1" | grep -qx "$2"; }

nsnet ns add red blue
"$NSNET" exec red -- sleep 60 &
p1=$!
ip netns exec red sleep 60 &
p2=$!
helpers+=("$p1" "$p2")
wait_for "pid $p1 in red" has_pid red "$p1"
wait_for "pid $p2 in red" has_pid red "$p2"
assert_eq "$(nsnet ns pids red | sort -n | tr '\n' ' ')" "$(ip netns pids red | sort -n | tr '\n' ' ')" \
	"ns pids vs ip netns pids"

# Refused: exit 1, the message names the namespace, lists the pids, and points at --force.
expect_err 1 "namespace 'red' still has processes" "$NSNET" ns del red
assert_match "$ERR" "pids .*\b$p1\b" "pid $p1 listed"
assert_match "$ERR" "pids .*\b$p2\b" "pid $p2 listed"
assert_match "$ERR" "--force" "hint at --force"
[ -e /run/netns/red ] || fail "refused del removed red anyway"
kill -0 "$p1" && kill -0 "$p2" || fail "refused del killed processes"
# All or nothing: with a busy one in the list, the idle one stays too.
expect_rc 1 "$NSNET" ns del blue red
assert_eq "$(ls -A /run/netns | tr '\n' ' ')" "blue red " "del blue red when red is busy"

# --force kills them (SIGKILL) and removes the name.
nsnet ns del --force red
rc=0; wait "$p1" || rc=$?
assert_eq "$rc" 137 "exit status of the process killed by --force (nsnet exec)"
rc=0; wait "$p2" || rc=$?
assert_eq "$rc" 137 "exit status of the process killed by --force (ip netns exec)"
[ ! -d "/proc/$p1" ] && [ ! -d "/proc/$p2" ] || fail "processes still alive after --force"
assert_eq "$(ls -A /run/netns)" blue "after del --force red"
# --force on an idle namespace is just a del.
nsnet ns del blue --force
assert_eq "$(ls -A /run/netns)" "" "after del blue --force"

# A copy of the mount held in another mount namespace (private: the unmount does not
# propagate there, so the kernel would call the mount point busy) must not stop the
# removal of the name.
for prop in private slave; do
	nsnet ns add held
	unshare --mount --propagation "$prop" sleep 60 &
	h=$!
	helpers+=("$h")
	wait_for "the $prop copy of /run/netns/held" grep -q ' /run/netns/held ' "/proc/$h/mountinfo"
	nsnet ns del held
	[ ! -e /run/netns/held ] || fail "/run/netns/held still exists ($prop copy)"
	assert_eq "$(ip netns list)" "" "ip netns list after del with a $prop copy"
	# The name can be used again at once.
	nsnet ns add held
	nsnet ns del held
	kill "$h"
	wait "$h" 2>/dev/null || true
done

# The namespace bound twice on the same name (a second bind over the first).
nsnet ns add twice
mount --bind /run/netns/twice /run/netns/twice
assert_eq "$(grep -c ' /run/netns/twice ' /proc/self/mountinfo)" 2 "bound twice"
nsnet ns del twice
[ ! -e /run/netns/twice ] || fail "/run/netns/twice still exists"
assert_eq "$(grep -c ' /run/netns/twice ' /proc/self/mountinfo)" 0 "mounts left on /run/netns/twice"

# Held open by a process (not a member): the name goes, and that process keeps the
# namespace it has open, as with ip netns del.
nsnet ns add open
exec 5</run/netns/open
nsnet ns del open
[ ! -e /run/netns/open ] || fail "/run/netns/open still exists"
[ "$(readlink /proc/self/fd/5)" != "" ] || fail "the open fd was lost"
exec 5<&-
