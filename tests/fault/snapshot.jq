# tests/fault/snapshot.jq: the sandbox's state as text lines (see tests/fault/lib.sh).
# Inputs (jq -n -r): $ns (slurped: one object per namespace, "host" first: name,
# links, addrs, r4, r6, fwd, fwd6), $nft (slurped `nft -j list ruleset`), $files (the
# state files' paths), $ARGS.named["f0"...] (their raw contents), $tmps (leftover .tmp
# paths).
def ifup: any(.flags[]?; . == "UP");
def nsaddrs: [.addrs[] | select(.ifname != "lo") | .ifname as $i | .addr_info[] | select(.scope == "global") | {ip: .local, if: $i}];

($files | to_entries | map({path: .value, raw: $ARGS.named["f\(.key)"]})
	| map(. + {json: (if (.path | endswith(".json")) then (.raw | try fromjson catch "CORRUPT") else null end)})) as $docs
| ($ns[0]) as $host
| ($ns[1:]) as $named
| [
	# Named namespaces.
	($named[] | "netns \(.ns)"),
	# Links, addresses, routes, forwarding, per namespace.
	($ns[] | .name as $l | (
		[.links[] | "\($l) link \(.ifname) kind=\(.linkinfo.info_kind // "-") master=\(.master // "-") up=\(ifup) mtu=\(.mtu)"],
		[.addrs[] | .ifname as $i | .addr_info[] | select(.scope != "link") | "\($l) addr \($i) \(.local)/\(.prefixlen)"],
		[(.r4 + .r6)[] | select((.dst | startswith("fe80")) | not) |
			"\($l) route \(.dst) via=\(.gateway // "-") dev=\(.dev // "-") proto=\(.protocol // "-")"],
		["\($l) sysctl ip_forward=\(.fwd)"] + (if .fwd6 then ["\($l) sysctl ipv6.all.forwarding=\(.fwd6)"] else [] end)
		) | sort[]),
	# nsnet's table, handles dropped, elements as sets.
	($nft[0].nftables[] | select(has("metainfo") | not) |
		select(.[] | .family == "inet" and ((.table // .name) == "nsnet")) |
		walk(if type == "object" then del(.handle) else . end) |
		(if .set then .set.elem |= (if . then sort else . end)
		 elif .map then .map.elem |= (if . then sort else . end) else . end) |
		"nft nsnet \(tojson)"),
	# State files, JSON without pid and the pool's cursor.
	($docs[] | "file \(.path)" ,
		(select(.json != null) | "file \(.path): \(.json | walk(if type == "object" then del(.pid, .next) else . end) | tojson)")),
	# ---- invariants: no address lost or given twice, no half-written file.
	($tmps[] | "INVARIANT leftover temporary file \(.)"),
	($docs[] | select(.path | test("/networks/[^/]*\\.json$")) | .path as $p |
		if (.json | type) != "object" then "INVARIANT unreadable \($p)" else
		.json as $n | $n.name as $net | $n.bridge as $br |
		(if any($host.links[]; .ifname == $br) then empty else "INVARIANT network \($net): no bridge \($br)" end),
		([$n.members[].ips[]] | group_by(.) | .[] | select(length > 1) | "INVARIANT network \($net): address given twice: \(.[0])"),
		($host.links[] | select(.master == $br) | .ifname as $h |
			if any($n.members[]; .host_ifname == $h) then empty else "INVARIANT network \($net): bridge port \($h) is no member" end),
		($n.members[] | . as $m |
			(if .state == "up" then empty else "INVARIANT network \($net): member \(.ns) is '\(.state)'" end),
			(if (.ifname // "") == "" then "INVARIANT network \($net): member \(.ns) has no interface name" else empty end),
			(if (.ips | length) == 0 then "INVARIANT network \($net): member \(.ns) has no address" else empty end),
			(if any($host.links[]; .ifname == $m.host_ifname and .master == $br) then empty
			 else "INVARIANT network \($net): member \(.ns): no port \(.host_ifname) on \($br)" end),
			([$named[] | select(.ns == $m.ns)] as $nsd |
			 if ($nsd | length) == 0 then "INVARIANT network \($net): member \(.ns): no such namespace" else
				([$nsd[0].addrs[] | select(.ifname == $m.ifname and ifup) | .addr_info[] | select(.scope != "link") | "\(.local)/\(.prefixlen)"] | sort) as $got |
				if $got == ($m.ips | sort) then empty
				else "INVARIANT network \($net): member \(.ns): \($m.ifname) has \($got) (up), recorded \($m.ips)" end
			 end))
		end),
	([$named[] | nsaddrs[] | .ip] | group_by(.) | .[] | select(length > 1) | "INVARIANT address configured twice: \(.[0])"),
	# ---- owners of addresses, for the caller's sed.
	([$named[] | .ns as $n | nsaddrs[] | "MAP \(.ip) <\($n):\(.if)>"] | unique[])
] | .[]
