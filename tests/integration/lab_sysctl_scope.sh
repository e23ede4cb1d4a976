#!/bin/bash
# A lab file's sysctls reach only the node's own network namespace (issue 10, defect 1).
#  - Keys of other namespaces or of the whole host (kernel.hostname: UTS,
#    kernel.domainname: UTS, kernel.shmmax: IPC), a climb out of /proc/sys/net
#    (net/../kernel/hostname) and a host-wide net.* key (net.core.netdev_max_backlog:
#    registered for the initial namespace only) are refused at validation, with
#    file:line:col, by `up` and `up --dry-run`; nothing is created and the values are
#    unchanged (exit 2: an error in the file).
#  - The library's write refuses them too when called directly (tests/helpers/sysctl_set),
#    also for a namespace's own existing key reached through "..".
#  - Per-namespace keys (net.ipv4.ip_forward, net.ipv4.conf.all.rp_filter,
#    net.ipv6.conf.all.disable_ipv6, net.ipv4.conf.lo.rp_filter) are still set in the
#    node, witnessed by `ip netns exec NODE cat /proc/sys/...`.
# The sandbox gets its own UTS and IPC namespaces (the line below), so even a failure
# of nsnet could only reach the sandbox's copies; the test refuses to run otherwise.
# sandbox: uts ipc
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

[ -n "${NSNET_SANDBOX_HOST_UTS:-}" ] && [ "$(readlink /proc/self/ns/uts)" != "$NSNET_SANDBOX_HOST_UTS" ] ||
	fail "not in a UTS namespace of its own: refusing to run (tests/run gives one from the '# sandbox:' line)"
[ -n "${NSNET_SANDBOX_HOST_IPC:-}" ] && [ "$(readlink /proc/self/ns/ipc)" != "$NSNET_SANDBOX_HOST_IPC" ] ||
	fail "not in an IPC namespace of its own: refusing to run"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
SET=$NSNET_BUILD/tests/sysctl_set

# Every value a refused key could have changed, in the sandbox's namespaces.
values() {
	local f
	for f in kernel/hostname kernel/domainname kernel/shmmax net/core/netdev_max_backlog net/core/somaxconn \
		net/ipv4/ip_forward; do
		echo "$f=$(cat /proc/sys/$f 2>/dev/null || echo absent)"
	done
}
before=$DIR/before
state_now >"$before"
vals=$(values)

# lab KEY VALUE: a one-node lab whose node sets KEY (line 8, column 7).
lab() {
	cat <<Y
name: scope
networks:
  sc-net:
    subnet: 10.77.0.0/24
nodes:
  sc1:
    sysctls:
      $1: "$2"
    interfaces:
      - network: sc-net
Y
}

for key in kernel.hostname kernel.domainname kernel.shmmax kernel/hostname net/../kernel/hostname \
	net.core.netdev_max_backlog net/core/../../kernel/hostname net.ipv4.conf.all/../../../../kernel/hostname \
	net/ipv4/../../kernel/domainname net.ipv4.no_such_sysctl net.ipv4.conf.eth0.rp_filter; do
	lab "$key" 424242 >"$DIR/lab.yaml"
	for dry in "" --dry-run; do
		# shellcheck disable=SC2086
		expect_err 2 "^nsnet: up: $DIR/lab.yaml:8:7: " "$NSNET" up $dry "$DIR/lab.yaml"
		assert_eq "$(echo "$ERR" | wc -l)" 1 "one line for $key"
		assert_match "$ERR" "node 'sc1'" "the node is named for $key"
		case $key in
		*/../*) assert_match "$ERR" "'\.' and '\.\.' are not allowed" "why $key is refused" ;;
		net.core.*) assert_match "$ERR" "host-wide|no such sysctl" "why $key is refused" ;;
		net.ipv4.*) assert_match "$ERR" "no such sysctl in a new network namespace" "why $key is refused" ;;
		*) assert_match "$ERR" "not a network namespace setting" "why $key is refused" ;;
		esac
	done
	assert_eq "$(state_now)" "$(cat "$before")" "nothing created after $key"
	assert_eq "$(values)" "$vals" "no value changed after $key"
done

# The write itself (defence in depth), past the parser: the same keys, in a node and
# in the caller's own namespace ("host"), are refused and change nothing.
ip netns add sc-raw
for ns in sc-raw host; do
	for key in kernel.hostname kernel.domainname kernel.shmmax net/../kernel/hostname net.core.netdev_max_backlog \
		net/ipv4/../ipv4/ip_forward net.ipv4.conf.no-such-dev.rp_filter; do
		expect_err 1 "^sysctl_set: " "$SET" "$ns" "$key" 424242
		assert_eq "$(values)" "$vals" "no value changed after sysctl_set $ns $key"
		assert_eq "$(ip netns exec sc-raw cat /proc/sys/net/ipv4/ip_forward)" 0 "sc-raw's ip_forward after $key"
	done
done
# A namespace's own key is still written by the library.
"$SET" sc-raw net.ipv4.ip_forward 1 || fail "sysctl_set of sc-raw's own ip_forward"
assert_eq "$(ip netns exec sc-raw cat /proc/sys/net/ipv4/ip_forward)" 1 "sc-raw's ip_forward"
"$SET" sc-raw net/ipv4/conf/lo/rp_filter 2 || fail "sysctl_set of sc-raw's lo rp_filter (a per-device key)"
assert_eq "$(ip netns exec sc-raw cat /proc/sys/net/ipv4/conf/lo/rp_filter)" 2 "sc-raw's lo rp_filter"
assert_eq "$(values)" "$vals" "sc-raw's settings changed the sandbox's"
# In the caller's own namespace a key of its own is compared with a new namespace's:
# writing back the value it has changes nothing, and must be allowed.
lo_rp=$(cat /proc/sys/net/ipv4/conf/lo/rp_filter)
"$SET" host net.ipv4.conf.lo.rp_filter "$lo_rp" || fail "sysctl_set of the caller's own lo rp_filter"
ip netns del sc-raw

# Per-namespace keys: set in the node, and only there.
cat >"$DIR/good.yaml" <<Y
name: scope
networks:
  sc-net:
    subnet: 10.77.0.0/24
nodes:
  sc1:
    sysctls:
      net.ipv4.ip_forward: 1
      net.ipv4.conf.all.rp_filter: 2
      net/ipv4/conf/lo/rp_filter: 1
      net.ipv6.conf.all.disable_ipv6: 1
    interfaces:
      - network: sc-net
  sc2:
    interfaces:
      - network: sc-net
Y
nsnet up "$DIR/good.yaml" >/dev/null
in_sc1() { ip netns exec sc1 cat "/proc/sys/net/$1"; }
assert_eq "$(in_sc1 ipv4/ip_forward)" 1 "sc1's ip_forward"
assert_eq "$(in_sc1 ipv4/conf/all/rp_filter)" 2 "sc1's rp_filter"
assert_eq "$(in_sc1 ipv4/conf/lo/rp_filter)" 1 "sc1's lo rp_filter"
assert_eq "$(in_sc1 ipv6/conf/all/disable_ipv6)" 1 "sc1's disable_ipv6"
assert_eq "$(ip netns exec sc2 cat /proc/sys/net/ipv4/conf/all/rp_filter)" \
	"$(unshare --net cat /proc/sys/net/ipv4/conf/all/rp_filter)" "sc2 keeps a new namespace's rp_filter"
assert_eq "$(ip netns exec sc2 cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" 0 "sc2's disable_ipv6"
assert_eq "$(values)" "$vals" "the node's settings changed the sandbox's"
assert_ping sc2 10.77.0.1
nsnet down scope
state_settles_to "$before" "after down"
