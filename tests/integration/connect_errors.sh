#!/bin/bash
# Bad input to `nsnet connect` / `disconnect`: each refused with one clear line on stderr,
# exit 2 for a malformed command, 1 for a refusal by the system, and nothing changed
# (links and addresses in the host and both namespaces compared before and after).
# Includes a failure after the veth exists (the kernel refuses an address): undone.
source "$(dirname "$0")/../lib.sh"

R=ce-red B=ce-blue
cleanup() { for n in $R $B; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in $R $B; do ip netns add $n; done
# Something to keep: an existing cable with addresses, and a taken name in blue.
nsnet connect $R $B --subnet 10.2.0.0/24
ip -n $B link add taken type veth peer name taken-peer

# Links and addresses of the host and both namespaces (link-local addresses left out:
# the kernel adds them on its own schedule).
snapshot() {
	local n
	for n in host $R $B; do
		local ipn=()
		[ $n = host ] || ipn=(-n $n)
		echo "== $n"
		ip "${ipn[@]}" -j addr | jq -c '.[] | {ifname, mtu, up: (.flags | index("UP") != null),
			addrs: [.addr_info[] | select(.scope != "link") | "\(.local)/\(.prefixlen)"]}'
	done
}
sleep 0.2  # let the new links settle (carrier, flags)
BEFORE=$(snapshot)
# refused RC PATTERN ARGS...: nsnet ARGS fails with RC and PATTERN, one line, nothing changed.
refused() {
	local rc=$1 pat=$2
	shift 2
	expect_err "$rc" "$pat" "$NSNET" "$@"
	assert_eq "$(echo "$ERR" | wc -l)" 1 "lines of stderr of 'nsnet $*'"
	assert_match "$ERR" "^nsnet: " "stderr of 'nsnet $*'"
	local after
	after=$(snapshot)
	[ "$after" = "$BEFORE" ] || fail "'nsnet $*' changed something: $(diff <(echo "$BEFORE") <(echo "$after"))"
}

# Malformed commands: exit 2.
refused 2 "two namespaces are needed" connect $R
refused 2 "two namespaces are needed" connect $R $B host
refused 2 "unknown option '--bogus'" connect $R $B --bogus
refused 2 "expected two values separated by a comma" connect $R $B --ip 10.2.1.1/24
refused 2 "expected two values separated by a comma" connect $R $B --ip 10.2.1.1/24,10.2.1.2/24,10.2.1.3/24
refused 2 "prefix length missing" connect $R $B --ip 10.2.1.1,10.2.1.2
refused 2 "invalid CIDR '10.2.1.300/24'" connect $R $B --ip 10.2.1.300/24,10.2.1.2/24
refused 2 "different families" connect $R $B --ip 10.2.1.1/24,fd00::2/64
refused 2 "--ip and --subnet exclude each other" connect $R $B --ip 10.2.1.1/24,10.2.1.2/24 --subnet 10.2.1.0/24
refused 2 "invalid CIDR 'banana'" connect $R $B --subnet banana
refused 2 "fewer than two usable addresses" connect $R $B --subnet 10.2.1.0/32
refused 2 "invalid MTU '10': must be 68..65535" connect $R $B --mtu 10
refused 2 "invalid MTU '70000'" connect $R $B --mtu 70000
refused 2 "invalid MTU 'big'" connect $R $B --mtu big
refused 2 "invalid --ifnames" connect $R $B --ifnames onlyone
refused 2 "invalid interface name" connect $R $B --ifnames this-name-is-too-long,b
refused 2 "invalid interface name" connect $R $B --ifnames a/b,b
refused 2 "both ends would be" connect $R $R --ifnames x,x
refused 2 "invalid namespace name" connect $R a/b
refused 2 "option '--ip' needs a value" connect $R $B --ip
refused 2 "two namespaces are needed" disconnect $R
# One address on both ends (the address length may differ: still one address).
refused 2 "^nsnet: connect: both ends would have the address 10.3.0.1$" connect $R $B --ip 10.3.0.1/24,10.3.0.1/24 --ifnames x-a,x-b
refused 2 "^nsnet: connect: both ends would have the address fd00:3::1$" connect $R $B --ip fd00:3::1/64,fd00:3::1/120 --ifnames x-a,x-b

# Refused by the system: exit 1.
refused 1 "connect $R and ce-nope: namespace 'ce-nope' not found" connect $R ce-nope
# The default names exist already (the first cable): the kernel refuses the pair whole.
refused 1 "exists already" connect $R $B
# Only B's end is taken: nothing is created in red either.
refused 1 "exists already" connect $R $B --ifnames fresh,taken
# The kernel refuses the second address (multicast) after the veth was made: undone.
refused 1 "ff02::5" connect $R $B --ifnames fresh,fresh --ip fd00:2::1/64,ff02::5/64
refused 1 "namespace 'ce-nope' not found" disconnect $R ce-nope
refused 1 "no interface nothere in $R" disconnect $R $B --ifname nothere
refused 1 "no interface to-host in $B" disconnect $B host

# The first cable still works after all this.
assert_ping $R 10.2.0.2
nsnet disconnect $R $B
ip -n $B link del taken
note "ok"
