#!/bin/bash
# nsnet show with bad input: unknown namespace (exit 1, one clear line, nothing on
# stdout), bad names and options (exit 2); with no namespaces; without root.
. "$(dirname "$0")/../lib.sh"

cleanup() { ip netns del err-red 2>/dev/null || true; }
trap cleanup EXIT

# No named namespace at all: nothing to show, which is not an error.
assert_eq "$(nsnet show --json | jq -c .)" "[]" "show --json with no namespaces"
expect_rc 0 "$NSNET" show
assert_match "$ERR" "no named namespaces" "show with no namespaces says so"
assert_eq "$("$NSNET" show 2>/dev/null)" "" "nothing on stdout"
# host is always there.
assert_eq "$(nsnet show host --json | jq -r '.[0].namespace')" host "show host"
assert_eq "$(nsnet show host --json | jq -r '.[0].interfaces[0].name')" lo "host's lo"

ip netns add err-red
expect_err 1 "^nsnet: show: namespace 'nope' not found$" "$NSNET" show nope
# A known name before an unknown one: still nothing printed, nothing half-shown.
expect_err 1 "namespace 'nope' not found" "$NSNET" show err-red nope
assert_eq "$("$NSNET" show err-red nope --json 2>/dev/null || true)" "" "stdout on failure"
assert_eq "$(echo "$ERR" | wc -l)" 1 "one line of error"
expect_err 2 "^nsnet: show: .*'a/b'" "$NSNET" show a/b
expect_err 2 "^nsnet: show: " "$NSNET" show ..
expect_err 2 "unknown option '--bogus'" "$NSNET" show --bogus
expect_rc 0 "$NSNET" show --help
assert_match "$("$NSNET" show --help)" "show \[NS\.\.\.\] \[--json\]" "help"

# Not root: a clear message, exit 1.
if command -v setpriv >/dev/null; then
	expect_err 1 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$NSNET" show
fi
