#!/bin/bash
# `up` shows a progress line on a terminal when a lab is large, and is quiet
# otherwise (not a terminal, or a small lab). The terminal is script(1)'s pty.
# Witnesses: the bytes written to the terminal / to a file.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

command -v script >/dev/null || skip "script(1) (util-linux) is not installed: no pseudo-terminal to test with"
DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
big_yaml pg 120 pg-net 10.90.0.0/16 >"$DIR/big.yaml"
big_yaml pg 10 pg-net 10.90.0.0/16 >"$DIR/small.yaml"

# Large, on a terminal: the line is redrawn in place (\r, erase) and ends complete.
script -qec "$NSNET up $DIR/big.yaml" /dev/null | tr '\r' '\n' >"$DIR/tty"
grep -q "nsnet: namespaces: 120/120" "$DIR/tty" || fail "no progress line on a terminal: $(head -c 300 "$DIR/tty")"
grep -q "lab 'pg' is up (121 changes)" "$DIR/tty" || fail "no report after the progress line"
nsnet down pg
state_settles_to "$before" "after down"

# Large, not a terminal: nothing on stderr.
nsnet up "$DIR/big.yaml" >"$DIR/out" 2>"$DIR/err"
[ ! -s "$DIR/err" ] || fail "up wrote to stderr without a terminal: $(head -c 300 "$DIR/err")"
nsnet down pg
state_settles_to "$before" "after down"

# Small, on a terminal: no progress line.
script -qec "$NSNET up $DIR/small.yaml" /dev/null | tr '\r' '\n' >"$DIR/tty"
! grep -q "nsnet: namespaces:" "$DIR/tty" || fail "a progress line for a 10-node lab"
grep -q "lab 'pg' is up (11 changes)" "$DIR/tty" || fail "no report for the small lab"
nsnet down pg
state_settles_to "$before" "after down"
