#!/bin/bash
# `status` checks what a lab needs from nsnet's nftables table, not only links and
# namespaces: after `nft flush ruleset` (a firewall reload) a lab with NAT and a
# published port is "degraded" (exit 1) and says the table is missing; with one
# element deleted (the published port, the NAT bridge) it names that element;
# after `nsnet fw restore` it is "up" again.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
tutorial_yaml >"$DIR/tutorial.yaml"
nsnet up "$DIR/tutorial.yaml" >/dev/null

status_is() {  # status_is RC STATUS MISSING-JSON WHAT
	local rc=0 out
	out=$("$NSNET" status --json tutorial) || rc=$?
	assert_eq "$rc" "$1" "status exit code $4"
	assert_eq "$(echo "$out" | jq -r .status)" "$2" "status $4"
	assert_eq "$(echo "$out" | jq -c .firewall.missing)" "$3" "missing firewall elements $4"
}
status_is 0 up '[]' "after up"

nft flush ruleset
status_is 1 degraded '["table inet nsnet"]' "after nft flush ruleset"
expect_rc 1 "$NSNET" status tutorial
assert_match "$("$NSNET" status tutorial || true)" "^  firewall MISSING: table inet nsnet" "status text after the flush"
assert_match "$("$NSNET" status tutorial || true)" "^lab tutorial: degraded$" "status line after the flush"

nsnet fw restore >/dev/null
status_is 0 up '[]' "after fw restore"

nft delete element inet nsnet pubany4 '{ tcp . 8080 }'
status_is 1 degraded '["pubany4: tcp 8080"]' "without the published port's element"
nft delete element inet nsnet nat_bridges '{ "v-net-0" }'
status_is 1 degraded '["nat_bridges: v-net-0","pubany4: tcp 8080"]' "without the NAT bridge and the published port"
nsnet fw restore >/dev/null
status_is 0 up '[]' "after the second fw restore"

nsnet down tutorial
state_settles_to "$before" "after down"
