#!/bin/bash
# Names for namespaces attached by hand (issue 14.3): `net attach` gives each member
# a hosts file naming the others and NET-gateway, and adds the newcomer to the
# others'; `net detach` takes it out of theirs and removes its own; a namespace on
# two networks keeps the names of the one it stays on; a namespace deleted behind
# nsnet's back loses its name with the next command; `net set NET names off|on|auto`;
# `net rm --force` removes the files. Witnesses: getent and ping inside
# `ip netns exec`, cat of the files, ls /etc/netns.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

cleanup() { lab_cleanup_all; }
trap cleanup EXIT
before=$(mktemp)
state_now >"$before"

in4() { ip netns exec "$1" getent -s files ahostsv4 "$2" | awk 'NR == 1 { print $1 }'; }
knows() { ip netns exec "$1" getent -s files hosts "$2" >/dev/null; }

nsnet ns add p q r
nsnet net create nlan --subnet 10.63.0.0/24 --gateway 10.63.0.1
nsnet net attach nlan p --ip 10.63.0.10
assert_eq "$(in4 p p)" 10.63.0.10 "p resolves itself"
assert_eq "$(in4 p nlan-gateway)" 10.63.0.1 "p resolves nlan-gateway"
nsnet net attach nlan q r
assert_eq "$(in4 p q)" "$(ip -n q -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local')" "p resolves q, attached after it"
assert_eq "$(in4 q p)" 10.63.0.10 "q resolves p"
ip netns exec r ping -c1 -W2 p >/dev/null || fail "r cannot ping p by name"
ip netns exec p ping -c1 -W2 nlan-gateway >/dev/null || fail "p cannot ping nlan-gateway"

# Detach: out of the others' files, its own file and directory gone.
nsnet net detach nlan q
! knows p q || fail "p still resolves q after q's detach"
! knows r q || fail "r still resolves q after q's detach"
[ ! -e /etc/netns/q ] || fail "q's directory stayed after its detach"

# On two networks, then off one: the names of the other stay.
nsnet net create nback --subnet 10.64.0.0/24
nsnet net attach nback r q
knows q r && knows r p && knows r nback-gateway || fail "r's names on two networks"
nsnet net detach nlan r
! knows r p || fail "r still resolves p once off nlan"
! knows p r || fail "p still resolves r"
knows r q && knows r nback-gateway || fail "r lost the names of nback"

# names off: the files go; on again (or auto): back.
nsnet net set nlan names off
[ ! -e /etc/netns/p ] || fail "p's file stayed with names off"
assert_eq "$(nsnet --json net show nlan | jq -c .names)" false "net show says names off"
nsnet net set nlan names on
assert_eq "$(in4 p nlan-gateway)" 10.63.0.1 "names on again"
nsnet net set nlan names auto
assert_eq "$(nsnet --json net show nlan | jq -c .names)" null "auto: no key"
knows p nlan-gateway || fail "names auto, 1 member: on"
expect_err 2 "names: expected 'on', 'off' or 'auto'" "$NSNET" net set nlan names maybe

# A namespace deleted behind nsnet's back: its name goes with the next command on
# the networks (its file too: nobody can use it).
nsnet net attach nlan r
knows p r || fail "p does not resolve r"
ip netns del r
nsnet net attach nlan q
! knows p r || fail "p still resolves r, whose namespace is gone"
[ ! -e /etc/netns/r ] || fail "r's file stayed after its namespace went"
knows p q || fail "p does not resolve q"

# net rm --force: every member's file goes.
nsnet net rm nlan --force
[ ! -e /etc/netns/p ] || fail "p's file stayed after net rm"
knows q nback-gateway || fail "q (still on nback) lost its names"
nsnet net rm nback --force
assert_eq "$(ls -A /etc/netns)" "" "/etc/netns after net rm"
nsnet ns del p q
state_settles_to "$before" "after the test"
rm -f "$before"
