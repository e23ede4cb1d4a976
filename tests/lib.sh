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

# header_functions HEADER: the nsnet_* functions HEADER declares, one per line, sorted.
# The preprocessor takes comments, macros and the C++ guard out of the way (a
# function named in a comment or a #define is not declared), and expands any macro
# a declaration might be written with. What is left is read one top-level
# declaration at a time: brace contents (struct members, function pointers among
# them) are skipped, typedefs too, and the declaration's name is the first nsnet_
# identifier followed by '(' -- which a pointer to a function, data
# ("int (*nsnet_hook)(int);"), never is. (house_exports, man_pages)
header_functions() {
	local cc=${CC:-cc}
	command -v "$cc" >/dev/null || cc=gcc
	"$cc" -E -P -I"$(dirname "$1")" -x c "$1" | awk '
	{ text = text $0 " " }
	END {
		depth = 0; stmt = ""
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1)
			if (c == "{") { depth++; continue }
			if (c == "}") { depth--; continue }
			if (depth > 0) continue
			if (c != ";") { stmt = stmt c; continue }
			if (stmt !~ /^[ \t]*typedef[ \t]/ && match(stmt, /nsnet_[A-Za-z0-9_]*[ \t]*\(/)) {
				name = substr(stmt, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name); print name
			}
			stmt = ""
		}
	}' | sort -u
}

# wait_exit PID: true once the process has exited (a zombie until waited for), within
# 30 s. (tail --pid polls only once a second.)
wait_exit() {
	for _ in $(seq 1500); do
		case $(ps -o stat= -p "$1" 2>/dev/null) in '' | Z*) return 0 ;; esac
		sleep 0.02
	done
	return 1
}
