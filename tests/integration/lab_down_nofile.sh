#!/bin/bash
# A lab lives in nsnet's records, not in its file: with the file deleted, status,
# graph, pingall and down LAB still work; `down FILE` after the file was edited
# removes what was brought up, not what the file now says; down copes with pieces
# deleted behind nsnet's back. `nsnet ls` lists every lab with its counts and file.
# Witnesses: ls /run/netns, ip link, /run/nsnet, nft list ruleset (sandbox_state).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

# 1. The file deleted.
tutorial_yaml >"$DIR/tutorial.yaml"
nsnet up "$DIR/tutorial.yaml" >/dev/null
nsnet graph tutorial >"$DIR/dot.before"
rm "$DIR/tutorial.yaml"
nsnet status tutorial >/dev/null || fail "status without the file"
assert_eq "$(nsnet status tutorial --json | jq -r .file)" "$DIR/tutorial.yaml" "status names the (gone) file"
nsnet graph tutorial >"$DIR/dot.after"
cmp -s "$DIR/dot.before" "$DIR/dot.after" || fail "graph without the file differs from graph with it"
nsnet pingall tutorial >/dev/null || fail "pingall without the file"

# 2. ls: two labs.
printf 'name: pair\nnodes:\n  pa: {}\n  pb: {}\nlinks:\n  - endpoints: [pa:p0, pb:p0]\n    ips: [10.85.0.1/30, 10.85.0.2/30]\n' >"$DIR/pair.yaml"
nsnet up "$DIR/pair.yaml" >/dev/null
ls_out=$(nsnet ls)
assert_match "$(echo "$ls_out" | head -1)" '^LAB +STATUS +NODES +NETWORKS +LINKS +FILE$' "ls header"
assert_match "$ls_out" "^pair +up +2 +0 +1 +$DIR/pair.yaml$" "ls: pair"
assert_match "$ls_out" "^tutorial +up +4 +2 +2 +$DIR/tutorial.yaml$" "ls: tutorial"
assert_eq "$(echo "$ls_out" | wc -l)" 3 "ls lines"
assert_eq "$(nsnet ls --json | jq -c 'map([.name, .status, .nodes, .networks, .links])')" \
	'[["pair","up",2,0,1],["tutorial","up",4,2,2]]' "ls --json"

# 3. down LAB without the file.
nsnet down tutorial
assert_eq "$(ls /run/netns | paste -sd' ')" "pa pb" "namespaces after down tutorial"
assert_eq "$(nsnet ls --json | jq -r 'map(.name) | join(" ")')" pair "ls after down tutorial"
expect_err 1 "lab 'tutorial' not found" "$NSNET" status tutorial
expect_err 1 "lab 'tutorial' not found" "$NSNET" graph tutorial

# 4. down FILE after the file changed: what was brought up goes.
printf 'name: pair\nnodes:\n  pa: {}\n' >"$DIR/pair.yaml"
nsnet down "$DIR/pair.yaml"
state_settles_to "$before" "after down of an edited file"
assert_eq "$(nsnet ls --json)" "[]" "ls with no lab"
assert_eq "$(nsnet ls | wc -l)" 1 "ls with no lab: the header only"

# 5. Pieces deleted behind nsnet's back: down removes the rest.
tutorial_yaml >"$DIR/tutorial.yaml"
nsnet up "$DIR/tutorial.yaml" >/dev/null
ip netns del red
ip link del pair-host
ip link del backend
expect_rc 1 "$NSNET" status tutorial
nsnet down tutorial
state_settles_to "$before" "after down of a lab missing pieces"
