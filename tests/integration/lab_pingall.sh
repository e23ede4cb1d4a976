#!/bin/bash
# pingall's two ways on a dual-stack network of six nodes, with real faults put in:
# p3 drops IPv4 echo requests from p5 (nft), and p4 neither sends nor takes ARP (an
# nft arp table dropping both ways). Default: every pair gets an echo; each node
# resolves the next node by ARP/NDP (p3 -> p4 and p4 -> p5 are those pairs for
# IPv4, so they fail) and the other pairs have their neighbour entries put in
# beforehand (so p1 -> p4 passes although p4 does no ARP). --arp-all: every pair
# resolves by ARP itself, so every IPv4 pair to or from p4 fails. Both report
# p5 -> p3 (IPv4) failed and required, exit 1, and leave every neighbour table as it
# was, the host's bridge's too (no entry of theirs left, permanent or learnt).
# Witnesses: nft, ip neigh, ping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT

{
	echo "name: pa"
	echo "networks:"
	echo "  pnet:"
	echo "    subnet: [10.77.0.0/24, fd00:77::/64]"
	echo "nodes:"
	for i in 1 2 3 4 5 6; do
		printf '  p%d:\n    interfaces:\n      - network: pnet\n        ip: [10.77.0.1%d, "fd00:77::1%d"]\n' "$i" "$i" "$i"
	done
} >"$DIR/pa.yaml"
nsnet up "$DIR/pa.yaml" >/dev/null

# The faults, checked with the witnesses themselves.
ip netns exec p3 nft -f - <<'EOF'
table ip patest {
	chain in {
		type filter hook input priority 0;
		ip saddr 10.77.0.15 icmp type echo-request drop
	}
}
EOF
ip netns exec p4 nft -f - <<'EOF'
table arp padead {
	chain in { type filter hook input priority 0; policy drop; }
	chain out { type filter hook output priority 0; policy drop; }
}
EOF
ip netns exec p5 ping -c1 -W1 10.77.0.13 >/dev/null 2>&1 && fail "p5 still reaches p3 by IPv4"
ip netns exec p5 ping -c1 -W2 fd00:77::13 >/dev/null || fail "p5 does not reach p3 by IPv6"
ip netns exec p3 ping -c1 -W1 10.77.0.14 >/dev/null 2>&1 && fail "p4 still answers ARP"
ip netns exec p3 ping -c1 -W2 fd00:77::14 >/dev/null || fail "p3 does not reach p4 by IPv6"
ip netns exec p1 ping -c1 -W2 10.77.0.12 >/dev/null || fail "p1 does not reach p2"
# Let the witnesses' own entries go, so the tables are the lab's alone.
for i in 1 2 3 4 5 6; do ip -n p$i neigh flush all; done
ip neigh flush dev pnet

tables() {
	for i in 1 2 3 4 5 6; do ip -n p$i neigh show nud all | sed "s/^/p$i /"; done
	ip neigh show nud all dev pnet | sed 's/^/host /'
}
tables | sort >"$DIR/before"

failed() { jq -r '[.pairs[] | select(.ok | not) | "\(.src)>\(.addr):\(.required)"] | sort | join(" ")' "$1"; }

# Default: the ring's pairs p3 -> p4 and p4 -> p5 (IPv4) go by ARP and fail; the
# rest to and from p4 pass.
rc=0
nsnet pingall pa --json >"$DIR/ring.json" || rc=$?
assert_eq "$rc" 1 "pingall exits 1 when required pairs fail"
assert_eq "$(jq -r .arp "$DIR/ring.json")" ring "default arp mode"
# 6 nodes with 2 addresses each: 6 x 10 pairs.
assert_eq "$(jq -r .total "$DIR/ring.json")" 60 "pairs tried"
assert_eq "$(jq -r '.pairs | length' "$DIR/ring.json")" 60 "pairs listed"
assert_eq "$(failed "$DIR/ring.json")" "p3>10.77.0.14:true p4>10.77.0.15:true p5>10.77.0.13:true" \
	"failed pairs (default)"
assert_eq "$(jq -r .failed_required "$DIR/ring.json")" 3 "failed_required (default)"
tables | sort >"$DIR/after"
diff "$DIR/before" "$DIR/after" >"$DIR/diff" || fail "neighbour tables changed by pingall: $(paste -sd';' "$DIR/diff")"

# The text matrix names the failed pairs.
rc=0
nsnet pingall pa >"$DIR/matrix" || rc=$?
assert_eq "$rc" 1 "pingall (text) exits 1"
assert_match "$(cat "$DIR/matrix")" 'FAIL p5 -> p3 \(10\.77\.0\.13\)' "matrix lists p5 -> p3"
assert_match "$(cat "$DIR/matrix")" 'FAIL p3 -> p4 \(10\.77\.0\.14\)' "matrix lists p3 -> p4"
tables | sort >"$DIR/after"
diff "$DIR/before" "$DIR/after" >"$DIR/diff" || fail "neighbour tables changed by pingall (text): $(paste -sd';' "$DIR/diff")"

# --arp-all: every pair resolves by ARP, so every IPv4 pair with p4 fails.
rc=0
nsnet pingall pa --arp-all --json >"$DIR/all.json" || rc=$?
assert_eq "$rc" 1 "pingall --arp-all exits 1"
assert_eq "$(jq -r .arp "$DIR/all.json")" all "--arp-all's arp mode"
assert_eq "$(jq -r .total "$DIR/all.json")" 60 "pairs tried (--arp-all)"
want="p1>10.77.0.14:true p2>10.77.0.14:true p3>10.77.0.14:true"
want+=" p4>10.77.0.11:true p4>10.77.0.12:true p4>10.77.0.13:true p4>10.77.0.15:true p4>10.77.0.16:true"
want+=" p5>10.77.0.13:true p5>10.77.0.14:true p6>10.77.0.14:true"
assert_eq "$(failed "$DIR/all.json")" "$want" "failed pairs (--arp-all)"
tables | sort >"$DIR/after"
diff "$DIR/before" "$DIR/after" >"$DIR/diff" || fail "neighbour tables changed by pingall --arp-all: $(paste -sd';' "$DIR/diff")"

# Repaired, both ways pass.
ip netns exec p3 nft delete table ip patest
ip netns exec p4 nft delete table arp padead
nsnet pingall pa >/dev/null || fail "pingall after the repair"
nsnet pingall pa --arp-all >/dev/null || fail "pingall --arp-all after the repair"
tables | sort >"$DIR/after"
diff "$DIR/before" "$DIR/after" >"$DIR/diff" || fail "neighbour tables changed: $(paste -sd';' "$DIR/diff")"

expect_err 2 "unknown option" "$NSNET" pingall pa --arp-some
nsnet down pa
