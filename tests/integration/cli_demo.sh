#!/bin/bash
# The README's first command keeps working: the inner half of scripts/demo (red/blue
# over a veth, pinged both ways, shown, removed) with the build under test.
. "$(dirname "$0")/../lib.sh"
demo="$(cd "$(dirname "$0")/../.." && pwd)/scripts/demo"
cleanup() { for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT

out=$("$demo" --inside 2>&1) || fail "scripts/demo --inside exited $?: $out"
assert_eq "$(echo "$out" | grep -c ' 0% packet loss')" 2 "pings both ways in the demo"
assert_match "$out" 'namespace red' "the demo shows red"
assert_match "$out" 'demo: done' "the demo finished"
assert_eq "$(ls -A /run/netns)" "" "the demo left namespaces"
# Outside a sandbox the inner half refuses to run.
expect_rc 2 env -u NSNET_SANDBOX "$demo" --inside
