#!/bin/bash
# bench/pingall.sh N [PINGALL-OPTION...]: time `nsnet pingall` over a lab of N nodes on one
# IPv4 NAT network (bench/run's lab: subnet 10.64.0.0/16, nodes b1..bN), inside a
# throwaway sandbox (tests/sandbox). Prints the wall time, the pairs answered and whether
# every node's neighbour table (`ip neigh show nud all`) is as it was before. Options after N go to pingall
# (e.g. --mode fast). NSNET_BENCH_REPS (default 1) repeats the pingall on the same lab.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$top/build}
if [ "${NSNET_BENCH_INSIDE:-}" != 1 ]; then
	[ -x "$B/nsnet" ] || make -C "$top" -j2 >/dev/null
	exec env NSNET_BENCH_INSIDE=1 B="$B" "$top/tests/sandbox" "$top/bench/pingall.sh" "$@"
fi
[ $# -ge 1 ] || { echo "usage: bench/pingall.sh N [PINGALL-OPTION...]" >&2; exit 2; }
n=$1
shift
N=$B/nsnet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
	echo "name: bench"
	echo "networks:"
	echo "  bnet:"
	echo "    subnet: 10.64.0.0/16"
	echo "    nat: true"
	echo "nodes:"
	for i in $(seq 1 "$n"); do printf '  b%d:\n    interfaces:\n      - network: bnet\n' "$i"; done
} >"$work/lab.yaml"
"$N" up "$work/lab.yaml" >/dev/null
neigh() { for i in $(seq 1 "$n"); do ip netns exec "b$i" ip -4 neigh show nud all; done | sort; }
neigh >"$work/before"
for ((r = 0; r < ${NSNET_BENCH_REPS:-1}; r++)); do
	t0=$(date +%s.%N)
	rc=0
	"$N" pingall bench --json "$@" >"$work/out" || rc=$?
	t1=$(date +%s.%N)
	neigh >"$work/after"
	same=yes
	cmp -s "$work/before" "$work/after" || same=no
	printf 'N=%s %s: %.2f s, exit %s, %s/%s pairs answered; node tables as before: %s\n' \
		"$n" "${*:-default}" "$(echo "$t1 - $t0" | bc)" "$rc" \
		"$(jq '.total - .failed' "$work/out")" "$(jq .total "$work/out")" "$same"
done
[ -z "${NSNET_BENCH_KEEP:-}" ] || cp "$work/out" "$NSNET_BENCH_KEEP"
"$N" down bench >/dev/null
