#!/bin/bash
# `nsnet connect` / `nsnet disconnect`: one veth cable between two namespaces (seed 002's
# red/blue recipe, seed 000's client/server and namespace-to-host recipes), with --subnet,
# --ip (IPv4 and IPv6), --ifnames, --mtu, and the documented default interface names.
# Witnesses: ip -j link/addr (what the kernel has), ping and ping -6 (that it works).
source "$(dirname "$0")/../lib.sh"

R=cb-red B=cb-blue
LONG=cb-a-rather-long-namespace-name
cleanup() {
	for n in $R $B $LONG cb-twelve-xx "cb sp:x"; do ip netns del "$n" 2>/dev/null || true; done
	ip link del to-$R 2>/dev/null || true
}
trap cleanup EXIT
for n in $R $B $LONG; do ip netns add $n; done

# FNV-1a 32-bit, computed here independently of nsnet to check the documented names.
fnv32() {
	local s=$1 h=2166136261 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	echo $h
}
# "ifname UP-flag addr/len..." of one interface (link-local addresses left out: the
# kernel adds them on its own schedule).
link_desc() {
	local ns=$1 dev=$2
	ip -n "$ns" -j addr show dev "$dev" | jq -r '.[0] | [.ifname, (if (.flags | index("UP")) then "UP" else "DOWN" end),
		(.addr_info[] | select(.scope != "link") | "\(.local)/\(.prefixlen)")] | join(" ")'
}
lo_up() { ip -n "$1" -j link show lo | jq -e '.[0].flags | index("UP")' >/dev/null || fail "lo is down in $1"; }
ifnames() { ip -n "$1" -j link | jq -r '[.[].ifname] | sort | join(" ")'; }

# --subnet: the first two usable addresses, A's end named to-B, B's end to-A.
nsnet connect $R $B --subnet 10.1.1.0/24
assert_eq "$(link_desc $R to-$B)" "to-$B UP 10.1.1.1/24" "red's end"
assert_eq "$(link_desc $B to-$R)" "to-$R UP 10.1.1.2/24" "blue's end"
lo_up $R
lo_up $B
kind=$(ip -n $R -j -d link show to-$B | jq -r '.[0].linkinfo.info_kind')
assert_eq "$kind" veth "kind of red's end"
assert_ping $R 10.1.1.2
assert_ping $B 10.1.1.1
# Nothing leaked into the host.
assert_eq "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "host links"

# disconnect removes both ends.
nsnet disconnect $R $B
assert_eq "$(ifnames $R)" "lo" "red's links after disconnect"
assert_eq "$(ifnames $B)" "lo" "blue's links after disconnect"
assert_no_ping $R 10.1.1.2

# --ip: explicit addresses; a /30 as in point-to-point tutorials.
nsnet connect $R $B --ip 10.1.2.1/30,10.1.2.2/30
assert_eq "$(link_desc $R to-$B)" "to-$B UP 10.1.2.1/30" "red's end (--ip)"
assert_eq "$(link_desc $B to-$R)" "to-$R UP 10.1.2.2/30" "blue's end (--ip)"
assert_ping $B 10.1.2.1
nsnet disconnect $R $B

# IPv6 with --subnet: addresses usable at once (no DAD wait: the first ping works).
nsnet connect $R $B --subnet fd00:1:2::/64
assert_eq "$(link_desc $R to-$B)" "to-$B UP fd00:1:2::1/64" "red's v6 end"
assert_eq "$(link_desc $B to-$R)" "to-$R UP fd00:1:2::2/64" "blue's v6 end"
tentative=$(ip -n $B -j addr show dev to-$R | jq '[.[0].addr_info[] | select(.local == "fd00:1:2::2") | .tentative // false] | .[0]')
assert_eq "$tentative" false "fd00:1:2::2 tentative"
ip netns exec $R ping -6 -c1 -W2 fd00:1:2::2 >/dev/null || fail "red cannot ping -6 blue at once"
nsnet disconnect $R $B

# host: the caller's namespace (seed 004's veth0/veth1 recipe, seed 000's namespace to host).
nsnet connect host $R --subnet 10.1.3.0/30
assert_eq "$(ip -j addr show dev to-$R | jq -r '.[0] | [.ifname, (.addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)")] | join(" ")')" \
	"to-$R 10.1.3.1/30" "host's end"
assert_eq "$(link_desc $R to-host)" "to-host UP 10.1.3.2/30" "red's end towards the host"
ping -c1 -W2 10.1.3.2 >/dev/null || fail "host cannot ping red"
assert_ping $R 10.1.3.1
nsnet disconnect host $R
assert_eq "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo" "host links after disconnect"
assert_eq "$(ifnames $R)" "lo" "red's links after disconnect from host"

# A long peer name: "to-" + its first 7 bytes + "-" + 4 hex digits of FNV-1a (15 bytes).
want_long=$(printf 'to-%.7s-%04x' $LONG $(($(fnv32 $LONG) & 0xffff)))
assert_eq "${#want_long}" 15 "length of the long default name"
nsnet connect $R $LONG --subnet 10.1.4.0/24
assert_eq "$(ifnames $R)" "lo $want_long" "red's end towards $LONG"
assert_eq "$(ifnames $LONG)" "lo to-$R" "$LONG's end"
assert_ping $LONG 10.1.4.1
# disconnect finds the same default name.
nsnet disconnect $R $LONG
assert_eq "$(ifnames $R)" "lo" "red after disconnecting $LONG"
assert_eq "$(ifnames $LONG)" "lo" "$LONG after disconnect"
# A name of exactly 12 bytes still fits whole: "to-" + 12 = 15.
ip netns add cb-twelve-xx
nsnet connect $R cb-twelve-xx
assert_eq "$(ifnames $R)" "lo to-cb-twelve-xx" "12-byte peer name"
# Without an address option: links up, no addresses beyond link-local.
assert_eq "$(link_desc cb-twelve-xx to-$R)" "to-$R UP" "end without address"
ip netns del cb-twelve-xx
# The pair goes with the namespace.
for _ in $(seq 30); do [ "$(ifnames $R)" = lo ] && break; sleep 0.1; done
assert_eq "$(ifnames $R)" "lo" "red after deleting its peer namespace"

# A namespace name with a space (valid for a namespace, not for an interface): the
# long form, the space written '_'.
SP="cb sp:x"
ip netns add "$SP"
want_sp=$(printf 'to-cb_sp_x-%04x' $(($(fnv32 "$SP") & 0xffff)))
nsnet connect $R "$SP" --subnet 10.1.5.0/24
assert_eq "$(ifnames $R)" "lo $want_sp" "red's end towards '$SP'"
assert_ping "$SP" 10.1.5.1
nsnet disconnect $R "$SP"
assert_eq "$(ifnames $R)" "lo" "red after disconnecting '$SP'"
ip netns del "$SP"

# --ifnames and --mtu: both ends named and sized as asked.
nsnet connect $R $B --ifnames veth-red,veth-blue --mtu 1400 --ip 192.168.15.1/24,192.168.15.2/24
got=$(ip -n $R -j link show veth-red | jq -r '.[0] | "\(.ifname) \(.mtu)"')
assert_eq "$got" "veth-red 1400" "red's end with --ifnames/--mtu"
got=$(ip -n $B -j link show veth-blue | jq -r '.[0] | "\(.ifname) \(.mtu)"')
assert_eq "$got" "veth-blue 1400" "blue's end with --ifnames/--mtu"
# The MTU is real: a 1372-byte ping (1400 on the wire) passes, 1373 does not fit
# unfragmented.
ip netns exec $R ping -c1 -W2 -M do -s 1372 192.168.15.2 >/dev/null || fail "1400-byte packet does not pass"
! ip netns exec $R ping -c1 -W1 -M do -s 1373 192.168.15.2 >/dev/null 2>&1 || fail "a 1401-byte packet passed an MTU of 1400"
# disconnect with a non-default name needs --ifname; the default one is not there.
expect_err 1 "no interface to-$B in $R" "$NSNET" disconnect $R $B
nsnet disconnect $R $B --ifname veth-red
assert_eq "$(ifnames $R)" "lo" "red after disconnect --ifname"
assert_eq "$(ifnames $B)" "lo" "blue after disconnect --ifname"
note "ok"
