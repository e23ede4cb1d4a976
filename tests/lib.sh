# Sourced by every integration test. Each test runs in its own throwaway sandbox
# (tests/sandbox: unshare --mount --net --pid --fork, private /run, /etc/netns, /sys),
# with NSNET set to the binary under test. Exit 0 = pass, 77 = skip (say why), else fail.
set -euo pipefail

NSNET=${NSNET:?NSNET must point at the nsnet binary}
TESTNAME=$(basename "$0" .sh)

fail() { echo "FAIL: $TESTNAME: $*" >&2; exit 1; }
skip() { echo "SKIP: $TESTNAME: $*" >&2; exit 77; }
note() { echo "  $TESTNAME: $*"; }

# Run nsnet, expecting success.
nsnet() { "$NSNET" "$@"; }

# expect_rc RC CMD...: run CMD, which must exit with RC. Its stderr is kept in $ERR.
expect_rc() {
	local want=$1; shift
	local rc=0
	ERR=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want (stderr: $ERR)"
}
# expect_err RC PATTERN CMD...: exit code RC and stderr matching PATTERN (grep -E).
expect_err() {
	local want=$1 pat=$2; shift 2
	expect_rc "$want" "$@"
	grep -qE -- "$pat" <<<"$ERR" || fail "'$*': stderr '$ERR' does not match '$pat'"
	[ "$(echo "$ERR" | wc -l)" -ge 1 ]
}
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"; }
# Here-strings, not `echo | grep -q`: with pipefail, grep -q leaving early can kill
# echo with SIGPIPE and fail a match that succeeded.
assert_match() { grep -qE -- "$2" <<<"$1" || fail "${3:-no match}: '$1' does not match '$2'"; }
assert_no_match() { ! grep -qE -- "$2" <<<"$1" || fail "${3:-unexpected match}: '$1' matches '$2'"; }

# Reachability witnesses: real ping from inside a namespace.
can_ping() { ip netns exec "$1" ping -c1 -W2 "$2" >/dev/null 2>&1; }
assert_ping() { can_ping "$1" "$2" || fail "$1 cannot ping $2"; }
assert_no_ping() { ! ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 || fail "$1 can ping $2 but should not"; }

# Snapshot of everything a test could leave behind in the sandbox (the runner
# compares the snapshot before and after each test).
sandbox_state() {
	ls -A /run/netns 2>/dev/null | sed 's/^/netns /'
	ip -o link show | awk -F': ' '{print "link " $2}' | sed 's/@.*//'
	nft list ruleset 2>/dev/null | sed 's/^/nft /'
	find /run/nsnet -type f ! -name '*.lock' 2>/dev/null | sed 's/^/state /'
}
