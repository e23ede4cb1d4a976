#!/bin/bash
# Without root, verbs that change or enter namespaces refuse at once with one clear
# line and exit 1, touching nothing; read-only verbs still work.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"

# A copy nobody can run whatever the permissions of the build tree.
chmod 755 "$tmp"
cp "$NSNET" "$tmp/nsnet"
chmod 755 "$tmp/nsnet"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$tmp/nsnet" "$@"; }
[ "$(setpriv --reuid=65534 --regid=65534 --clear-groups id -u)" = 65534 ] || fail "setpriv did not drop to 65534"

nsnet ns add red
for cmd in "ns add x" "ns del red" "ns del --force red" "exec red -- true" "exec host -- true"; do
	# shellcheck disable=SC2086
	expect_err 1 "needs root" as_nobody $cmd
	assert_eq "$(echo "$ERR" | wc -l)" 1 "one line for '$cmd' as non-root"
	assert_match "$ERR" "^nsnet: " "message prefix for '$cmd'"
done
assert_eq "$(ls -A /run/netns)" red "non-root commands changed /run/netns"
[ ! -e /run/netns/x ] || fail "non-root ns add created x"

# Reading needs no privilege.
assert_eq "$(as_nobody ns list)" red "ns list as non-root"
assert_eq "$(as_nobody ns list --json | jq -r '.[].name')" red "ns list --json as non-root"
# Help needs no privilege either.
as_nobody --help >/dev/null || fail "--help as non-root"
as_nobody ns add --help >/dev/null || fail "ns add --help as non-root"
as_nobody exec --help >/dev/null || fail "exec --help as non-root"

nsnet ns del red
