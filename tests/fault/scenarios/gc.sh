# `nsnet gc` with work to do: an `up` of tests/fault/lab.yaml killed half-way (at its
# 6th rename: after the journal, with namespaces, bridges and the NAT made), a
# network with a member an attach left `pending` (its pid dead, its veth never made),
# and a stale .tmp state file. Rerun: `gc` again (exit 0).
setup() {
	foreign_table
	net_with fn fa
	strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when=6 "$NSNET" up "$LAB" >/dev/null 2>&1
	[ "$(jq -r .status /run/nsnet/labs/flab.json)" = applying ] || { echo "the killed up left no journal"; return 1; }
	local f=/run/nsnet/networks/fn.json
	sleep 0 & local dead=$!
	wait $dead
	jq --argjson pid $dead '.members += [{"ns": "fghost", "ifname": "eth0", "host_ifname": "nvfghost-0000001",
		"ips": ["10.77.0.50/24", "fd00:77::50/64"], "state": "pending", "pid": $pid}]' $f >$f.new
	mv $f.new $f
	echo '{"name": "fn"' >/run/nsnet/networks/fn.json.tmp
}
CMD=(gc)
RERUN_OK='^$a'
