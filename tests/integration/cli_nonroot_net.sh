#!/bin/bash
# Without root, `net ls` and `net show` refuse with one clear line and exit 1
# (they used to print an empty table and exit 0: the state lock is root's).
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
cleanup() {
	"$NSNET" net rm nr-net >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
chmod 755 "$tmp"
cp "$NSNET" "$tmp/nsnet"
chmod 755 "$tmp/nsnet"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$tmp/nsnet" "$@"; }

nsnet net create nr-net --subnet 10.93.0.0/24
assert_match "$(nsnet net ls)" "nr-net" "net ls as root"
for cmd in "net ls" "net ls --json" "net show nr-net" "net show nr-net --json"; do
	# shellcheck disable=SC2086
	sub=$(echo "$cmd" | cut -d' ' -f2)
	# shellcheck disable=SC2086
	expect_err 1 "^nsnet: net $sub: needs root" as_nobody $cmd
	assert_eq "$(echo "$ERR" | wc -l)" 1 "one line for '$cmd' as non-root"
	# shellcheck disable=SC2086
	out=$(as_nobody $cmd 2>/dev/null) || true
	assert_eq "$out" "" "'$cmd' as non-root printed something on stdout"
done
nsnet net rm nr-net
