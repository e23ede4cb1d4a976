#!/bin/bash
# bench/publish.sh [N]: publish N ports one by one (default 1000) and print the
# average cost of the first ten and of the last ten, inside a throwaway sandbox:
#   - in-process: bench/publish.c, nsnet_publish() per port;
#   - the CLI: one `nsnet publish` process per port (what a script pays).
# Then the same for unpublish. B=build dir (default build/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$top/build}
if [ "${NSNET_SANDBOX:-}" != 1 ]; then
	[ -x "$B/bench/publish" ] || make -C "$top" -j2 B="$B" >/dev/null
	exec env B="$B" "$top/tests/sandbox" "$0" "$@"
fi
n=${1:-1000}
"$B/bench/publish" "$n"

N=$B/nsnet
"$N" ns add pbench >/dev/null
"$N" net create pbench --subnet 10.99.0.0/24 --nat
"$N" net attach pbench pbench
declare -a t
for ((i = 0; i < n; i++)); do
	s=$EPOCHREALTIME
	"$N" publish $((10000 + i)) pbench:80
	t[i]=$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", (b - a) * 1000 }')
done
first=$(printf '%s\n' "${t[@]:0:10}" | awk '{ s += $1 } END { printf "%.3f", s / NR }')
last=$(printf '%s\n' "${t[@]:n-10:10}" | awk '{ s += $1 } END { printf "%.3f", s / NR }')
echo "nsnet publish (CLI) $n ports: first 10 avg $first ms, last 10 avg $last ms"
for ((i = 0; i < n; i++)); do
	s=$EPOCHREALTIME
	"$N" unpublish $((10000 + i))
	t[i]=$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", (b - a) * 1000 }')
done
first=$(printf '%s\n' "${t[@]:0:10}" | awk '{ s += $1 } END { printf "%.3f", s / NR }')
last=$(printf '%s\n' "${t[@]:n-10:10}" | awk '{ s += $1 } END { printf "%.3f", s / NR }')
echo "nsnet unpublish (CLI) $n ports: first 10 avg $first ms, last 10 avg $last ms"
"$N" net rm pbench --force
"$N" ns del pbench
