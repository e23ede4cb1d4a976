#!/bin/bash
# A Linux bridge holds at most 1023 ports (the kernel's BR_MAX_PORTS less port 0; the
# 1024th enslaved interface fails with "Exchange full"). A network is one bridge, so:
# - a lab whose network has 1024 members is refused before anything is made, saying
#   the limit and how to split the network; with a VXLAN port, 1023 members are one
#   too many;
# - a lab of exactly 1023 members comes up whole (the bridge really has 1023 ports);
# - attaching one more namespace to that full network is refused and changes nothing.
# Witnesses: ip link (the bridge's ports, the namespace's interfaces), ip netns.
source "$(dirname "$0")/../lib.sh"
# nsnet-test-timeout: 600
# nsnet-test-not-asan: 1023 namespaces take about 40 s under ASan; the code it checks (validation, attach) runs under ASan in the lab_ and net_ tests

T=$(mktemp -d)
cleanup() {
	"$NSNET" down blim >/dev/null 2>&1 || true
	ip netns del blx 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

gen() { # N [vxlan]: a lab "blim" of N nodes on network bnet
	echo "name: blim"
	echo "networks:"
	echo "  bnet:"
	echo "    subnet: 10.70.0.0/16"
	if [ "${2:-}" = vxlan ]; then
		printf '    range: 10.70.0.16-10.70.15.254\n    vxlan:\n      vni: 42\n      local: 192.0.2.1\n      peers: [192.0.2.2]\n'
	fi
	echo "nodes:"
	for i in $(seq 1 "$1"); do printf '  n%d:\n    interfaces:\n      - network: bnet\n' "$i"; done
}

before=$( (set +e +o pipefail; sandbox_state) | sort)
gen 1024 >"$T/1024.yaml"
expect_err 2 "network 'bnet' has 1024 members, more than a Linux bridge holds \(1023 ports\): split it into networks of at most 1023 members" \
	nsnet up "$T/1024.yaml"
assert_match "$ERR" "1024\.yaml:[0-9]+:" "the error points into the file"
expect_err 2 "1024 members" nsnet up "$T/1024.yaml" --dry-run
gen 1023 vxlan >"$T/1023vx.yaml"
expect_err 2 "network 'bnet' has 1023 members, more than a Linux bridge holds \(1023 ports, one of them its VXLAN port\)" \
	nsnet up "$T/1023vx.yaml"
assert_eq "$( (set +e +o pipefail; sandbox_state) | sort)" "$before" "nothing changed after the refusals"
assert_eq "$(ls /run/nsnet/labs 2>/dev/null | grep -c blim)" 0 "no record of the refused lab"

# Exactly the limit: up, every member a port of the bridge.
gen 1023 >"$T/1023.yaml"
nsnet up "$T/1023.yaml" >/dev/null
br=$("$NSNET" net show bnet --json | jq -r .bridge)
assert_eq "$(ip -o link show master "$br" | wc -l)" 1023 "ports of $br"

# One more namespace: refused by nsnet, not half-made by the kernel.
nsnet ns add blx
expect_err 1 "network 'bnet' would have 1024 bridge ports, more than a Linux bridge holds \(1023\): split it" \
	nsnet net attach bnet blx --force
assert_eq "$(ip netns exec blx ip -o link show | grep -vc ': lo:')" 0 "blx has no interface"
assert_eq "$(ip -o link show master "$br" | wc -l)" 1023 "ports of $br after the refusal"
assert_eq "$("$NSNET" net show bnet --json | jq '.members | length')" 1023 "members of bnet after the refusal"
nsnet status blim >/dev/null
