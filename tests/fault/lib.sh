# tests/fault/lib.sh: what the fault-injection harness compares (sourced by
# tests/fault/point, inside a sandbox).
#
# fault_snapshot prints the end state of the sandbox as sorted text lines:
#   - named namespaces (ls /run/netns);
#   - for the sandbox's own netns ("host") and each named namespace: links (name,
#     kind, master, admin up, MTU), addresses (not link-local: those follow the
#     MAC), main-table routes, net.ipv4.ip_forward (and, for the host,
#     net.ipv6.conf.all.forwarding);
#   - nsnet's table `inet nsnet` from `nft -j list ruleset`, handles dropped and the
#     elements of every set and map sorted (compared as sets); every other table as
#     the text of `nft list table` (byte for byte);
#   - every file under /run/nsnet (but the lock) by name, and each JSON file's
#     content (jq -S) without the keys that legitimately differ between runs: `pid`
#     (a process id) and `next` (the pool's cursor, "a hint only", docs/state.md);
#   - then the address checks of fault_invariants ("INVARIANT ..." lines, none in a
#     good state).
# Addresses held by named namespaces are then replaced by their owner
# (`10.78.0.2` -> `<fweb:eth0>`): the pool may legitimately hand a namespace another
# free address after a crash; what must not happen is an address recorded, forwarded
# to or configured that nobody (or two) hold, and that shows as a literal address or
# an INVARIANT line. Interface indexes and MACs never appear.

FAULT_JQ=$(dirname "${BASH_SOURCE[0]}")/snapshot.jq

# One JSON object per namespace: its links, addresses, routes and forwarding. (One
# nsenter per namespace: `ip -n` would remount /sys for every call.)
FAULT_NS_JSON='printf "{\"name\": \"%s\", \"ns\": \"%s\", \"links\": " "$0" "$1"; ip -j -d link show
printf ", \"addrs\": "; ip -j addr show
printf ", \"r4\": "; ip -j -4 route show
printf ", \"r6\": "; ip -j -6 route show
printf ", \"fwd\": \"%s\"" "$(cat /proc/sys/net/ipv4/ip_forward)"
if [ -z "$1" ]; then printf ", \"fwd6\": \"%s\"}\n" "$(cat /proc/sys/net/ipv6/conf/all/forwarding)"; else printf ", \"fwd6\": null}\n"; fi'
fault_ns_json() { # fault_ns_json LABEL [NS]
	if [ -n "${2:-}" ]; then
		nsenter --net="/run/netns/$2" bash -c "$FAULT_NS_JSON" "$1" "$2"
	else
		bash -c "$FAULT_NS_JSON" "$1" ""
	fi
}

fault_snapshot() {
	local n tmp i=0 args=() files=()
	tmp=$(mktemp -d)
	{
		fault_ns_json host
		for n in $(ls -A /run/netns 2>/dev/null); do fault_ns_json "ns:$n" "$n"; done
	} >"$tmp/ns"
	nft -j list ruleset >"$tmp/nft" 2>&1 || echo '{"nftables": [{"error": "nft -j list ruleset failed"}]}' >"$tmp/nft"
	while read -r n; do
		files+=("$n")
		args+=(--rawfile "f$i" "$n")
		i=$((i + 1))
	done < <(find /run/nsnet -type f ! -name state.lock 2>/dev/null | sort)
	local out
	out=$(jq -n -r --slurpfile ns "$tmp/ns" --slurpfile nft "$tmp/nft" \
		--argjson files "$(printf '%s\n' "${files[@]}" | jq -R . | jq -s 'map(select(. != ""))')" \
		--argjson tmps "$(find /run/nsnet -name '*.tmp' 2>/dev/null | jq -R . | jq -s .)" \
		"${args[@]}" -f "$FAULT_JQ" 2>&1)
	# Other tables: byte for byte.
	local fam name
	jq -r '.nftables[] | select(.table) | .table | select((.family == "inet" and .name == "nsnet") | not) | "\(.family) \(.name)"' "$tmp/nft" 2>/dev/null |
		while read -r fam name; do
			nft list table "$fam" "$name" | sed "s/^/nft foreign $fam $name: /"
		done >"$tmp/foreign"
	rm -rf "$tmp"/ns "$tmp"/nft
	# Addresses held by named namespaces -> their owner.
	local map
	map=$(grep '^MAP ' <<<"$out" | awk '{ a = $2; gsub(/\./, "\\.", a); printf "s/\\b%s\\b/%s/g\n", a, $3 }')
	{ grep -v '^MAP ' <<<"$out"; cat "$tmp/foreign"; } | if [ -n "$map" ]; then sed -e "$map"; else cat; fi
	rm -rf "$tmp"
}

# fault_settled_snapshot [REF]: the snapshot once the kernel has finished what was
# started (the veth ends of a deleted namespace go 30-300 ms later): the first one
# equal to REF, or else equal to the one before (taken 0.3 s earlier); at most about
# 5 s.
fault_settled_snapshot() {
	local ref=${1:-} prev="" cur end=$((SECONDS + 5))
	while :; do
		cur=$(fault_snapshot)
		[ -n "$ref" ] && [ "$cur" = "$(cat "$ref")" ] && break
		[ "$cur" = "$prev" ] && break
		[ "$SECONDS" -ge "$end" ] && break
		prev=$cur
		sleep 0.3
	done
	echo "$cur"
}
