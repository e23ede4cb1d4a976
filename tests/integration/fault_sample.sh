#!/bin/bash
# Fault injection, a sample (the full sweep is scripts/fault-sweep; docs/testing.md,
# "Fault injection"): for every scenario of tests/fault/scenarios (up, down, net
# create/attach/detach/rm, rm --force, publish, unpublish, gc, fw restore), two
# kill points chosen where it matters (just after the first unlink, the first
# nftables transaction, the first state-file rename, in that order): the command is killed with SIGKILL at that
# system call (strace -e inject), then `nsnet gc` and the command again must leave
# exactly what a clean run leaves (kernel links, addresses, routes, nft ruleset,
# forwarding sysctls, /run/nsnet), with no address lost or given twice. Each point
# runs in a sandbox of its own (nested in this one). Points listed in
# tests/fault/known-failures are reported but not counted.
# nsnet-test-timeout: 400
source "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v strace >/dev/null || skip "strace is not installed (scripts/deps installs it)"

rc=0
out=$(FAULT_SAMPLE_MAX=2 "$REPO/tests/fault/sweep" --sample -j 2 --build "$NSNET_BUILD" \
	--known-failures "$REPO/tests/fault/known-failures" 2>&1) || rc=$?
echo "$out" | grep -E '^(KNOWN|FIXED|FAIL|HARNESS) |^[a-z-]+: [0-9]+ points|^total:' >&2 || true
[ "$rc" = 0 ] || { echo "$out" >&2; fail "fault injection: a kill point left a different state (above)"; }
total=$(echo "$out" | sed -n 's/^total: \([0-9]*\) points tried.*/\1/p')
[ "${total:-0}" -ge 15 ] || fail "only ${total:-0} kill points tried"
